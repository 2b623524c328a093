"""Store outside conversations as runs (source='import') so they are judged and reported like any run."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from inspect_ai.log import EvalSample
from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import Score

from pressure_sense.conversation import TURNS_KEY
from pressure_sense.judge import JUDGEMENTS_KEY, Judgement
from pressure_sense.judge_quality._check import judge_items
from pressure_sense.judge_quality._transcripts import ImportedConversation, TranscriptLabels, read_transcripts
from pressure_sense.scenarios import Variant
from pressure_sense.store import ResultsStore

SampleJudge = Callable[[ImportedConversation], Awaitable[list[Judgement]]]
"""Judges one imported conversation: its Judgements, turns first, conversation last."""

IMPORT_SCORER = "rubric_judge"
"""The score name imported judgements are kept under, as in a run."""


@dataclass(frozen=True)
class ImportedSample:
    """Where one imported conversation was stored."""

    source: str
    run_id: str
    sample_id: str
    epoch: int
    turns: int
    judgements: int
    judge_errors: int


@dataclass
class ImportResult:
    """What one `import` stored: a study with one run per model."""

    db: Path
    study_id: str
    runs: dict[str, str] = field(default_factory=dict)
    """Model -> run_id."""
    samples: list[ImportedSample] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def conversation_messages(conversation: ImportedConversation) -> list[ChatMessage]:
    """System prompt, then each turn's user message and the assistant's full answer."""
    messages: list[ChatMessage] = [ChatMessageSystem(content=conversation.system)] if conversation.system else []
    for turn in conversation.turns:
        messages += [ChatMessageUser(content=turn.user), ChatMessageAssistant(content=turn.raw)]
    return messages


def conversation_score(judgements: list[Judgement]) -> Score:
    """A Score shaped like the judge scorer's: conversation-level means per dimension, every judgement in metadata."""
    final = next((item for item in reversed(judgements) if item.turn_index is None), None)
    value = {name: score.score for name, score in final.scores.items()} if final else {}
    return Score(value=value, metadata={JUDGEMENTS_KEY: [item.model_dump() for item in judgements]})


def imported_sample(conversation: ImportedConversation, epoch: int, judgements: list[Judgement] | None) -> EvalSample:
    """An EvalSample carrying the conversation the way the engine records one (turn records in the store)."""
    variant = Variant.from_name(conversation.variant)
    return EvalSample(
        id=f"{conversation.scenario_id}:{variant.name}",
        epoch=epoch,
        input=conversation.turns[0].user,
        target="",
        messages=conversation_messages(conversation),
        metadata={
            "scenario": {"id": conversation.scenario_id},
            "variant": variant.model_dump(),
            "import": {"source": conversation.source, "file_model": conversation.file_model, "notes": conversation.notes},
        },
        store={TURNS_KEY: [turn.model_dump() for turn in conversation.turns]},
        scores={IMPORT_SCORER: conversation_score(judgements)} if judgements is not None else None,
        completed_at=datetime.now(timezone.utc).isoformat(),
    )


def _epochs(conversations: Sequence[ImportedConversation]) -> list[int]:
    """1 for the first conversation of a (model, scenario, variant), 2 for the next, and so on."""
    counts: dict[tuple[str, str, str], int] = {}
    epochs = []
    for conversation in conversations:
        key = (conversation.model, conversation.scenario_id, conversation.variant)
        counts[key] = counts.get(key, 0) + 1
        epochs.append(counts[key])
    return epochs


async def import_conversations(
    conversations: Sequence[ImportedConversation],
    db: Path | str,
    *,
    judge: SampleJudge | None = None,
    judge_name: str | None = None,
    concurrency: int = 2,
    on_judged: Callable[[ImportedConversation], None] | None = None,
) -> ImportResult:
    """Judge (optionally, before anything is written) and store validated conversations: all, or on any failure
    none."""
    judged: Sequence[list[Judgement] | None] = [None] * len(conversations)
    if judge is not None:
        done = (lambda conversation, _: on_judged(conversation)) if on_judged else None
        judged = await judge_items(conversations, judge, concurrency=concurrency, on_done=done)
    samples = [imported_sample(c, epoch, j) for c, epoch, j in zip(conversations, _epochs(conversations), judged)]
    study_id = f"import-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:6]}"
    result = ImportResult(db=Path(db), study_id=study_id)
    result.notes = [f"{c.source}: {note}" for c in conversations for note in c.notes]
    with ResultsStore(db) as store:
        try:
            for conversation, sample, judgements in zip(conversations, samples, judged):
                if conversation.model not in result.runs:
                    result.runs[conversation.model] = store.start_run(
                        f"import-{uuid.uuid4().hex}",
                        study_id=study_id,
                        model=conversation.model,
                        judge=judge_name if judge is not None else None,
                        config={"import": {"paths": sorted({c.source for c in conversations if c.model == conversation.model})}},
                        source="import",
                    )
                run_id = result.runs[conversation.model]
                store.write_sample(run_id, sample)
                result.samples.append(
                    ImportedSample(
                        source=conversation.source, run_id=run_id, sample_id=str(sample.id), epoch=sample.epoch,
                        turns=len(conversation.turns), judgements=len(judgements or []),
                        judge_errors=sum(not item.ok for item in judgements or []),
                    )
                )
            for run_id in result.runs.values():
                store.finish_run(run_id, "success")
        except BaseException:
            with store.transaction() as connection:
                connection.executemany("DELETE FROM errors WHERE run_id = ?", [(run,) for run in result.runs.values()])
                connection.executemany("DELETE FROM runs WHERE run_id = ?", [(run,) for run in result.runs.values()])
            raise
    return result


async def import_transcripts(
    paths: Sequence[Path | str],
    db: Path | str,
    labels: TranscriptLabels | None = None,
    *,
    judge: SampleJudge | None = None,
    judge_name: str | None = None,
    concurrency: int = 2,
    on_judged: Callable[[ImportedConversation], None] | None = None,
) -> ImportResult:
    """Read, validate, optionally judge, and store every conversation under `paths`; a malformed file raises
    TranscriptError before anything is stored."""
    conversations = read_transcripts(list(paths), labels)
    return await import_conversations(
        conversations, db, judge=judge, judge_name=judge_name, concurrency=concurrency, on_judged=on_judged
    )
