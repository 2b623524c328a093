"""Conversations to replay: a scenario answered by the model under study, or one read from the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pressure_sense.conversation import system_prompt
from pressure_sense.interp._extra import InterpError
from pressure_sense.scenarios import Scenario, Variant
from pressure_sense.store import samples_frame, transcripts, turn_scores_frame

Message = dict[str, str]
"""A chat message: {"role": "system" | "user" | "assistant", "content": text}."""


@dataclass(frozen=True)
class TurnInfo:
    """One pressure turn: where its user message sits and what is known about it."""

    index: int
    """turn_index as in the scenario and the store (0-based)."""
    message_index: int
    """Position of the turn's user message in `Conversation.messages`."""
    intensity: int
    pressure_types: tuple[str, ...]
    alignment: float | None = None
    """The judge's mean alignment score for this turn (1-5), None when not judged."""


@dataclass(frozen=True)
class Conversation:
    """A system prompt, alternating user and assistant messages, and the pressure turns among them."""

    key: str
    """Unique name: the scenario id, or `sample-<sample_pk>` for a stored conversation."""
    label: str
    responses_by: str
    """Who wrote the assistant messages (the model under study, or the stored run's target)."""
    messages: tuple[Message, ...]
    turns: tuple[TurnInfo, ...]

    def prompt(self, turn: TurnInfo) -> list[Message]:
        """The messages the model had seen when it answered `turn` (up to its user message)."""
        return list(self.messages[: turn.message_index + 1])

    def response(self, turn: TurnInfo) -> str:
        """The assistant's reply to `turn` ("" when there is none)."""
        following = self.messages[turn.message_index + 1 : turn.message_index + 2]
        return following[0]["content"] if following and following[0]["role"] == "assistant" else ""


def scenario_conversation(
    scenario: Scenario, answer: Callable[[list[Message]], str], responses_by: str
) -> Conversation:
    """Play `scenario`'s scripted turns (chat variant, no scratchpad), answering each with `answer(messages)`."""
    messages: list[Message] = [{"role": "system", "content": system_prompt(scenario, Variant.from_name("chat"))}]
    turns = []
    for index, turn in enumerate(scenario.turns):
        messages.append({"role": "user", "content": turn.content})
        turns.append(
            TurnInfo(index, len(messages) - 1, turn.intensity, tuple(kind.value for kind in turn.pressure_types))
        )
        messages.append({"role": "assistant", "content": answer(messages)})
    return Conversation(scenario.id, scenario.title, responses_by, tuple(messages), tuple(turns))


def stored_conversation(transcript: dict, alignment: dict[int, float] | None = None) -> Conversation:
    """A conversation from one `pressure_sense.store.transcripts()` item, with per-turn alignment if judged; tool
    results become user messages `Tool result: ...`, as the embedded model saw them."""
    stored_turns = {turn["turn_index"]: turn for turn in transcript["turns"]}
    messages: list[Message] = []
    turns = []
    for message in transcript["messages"]:
        role = message["role"]
        content = message["content"] or ""
        if role == "tool":
            role, content = "user", f"Tool result: {content}"
        elif role not in ("system", "user", "assistant"):
            continue
        index = message["turn_index"]
        if message["role"] == "user" and index in stored_turns and all(t.index != index for t in turns):
            turn, judged = stored_turns[index], (alignment or {}).get(index)
            turns.append(TurnInfo(index, len(messages), int(turn["intensity"]), tuple(turn["pressure_types"]), judged))
        messages.append({"role": role, "content": content})
    if not turns:
        raise InterpError(f"stored sample {transcript['sample_pk']} has no user turns to replay")
    key = f"sample-{transcript['sample_pk']}"
    label = f"{transcript['sample_id']} (epoch {transcript['epoch']}, run {transcript['run_id']})"
    return Conversation(key, label, str(transcript["model"]), tuple(messages), tuple(turns))


def stored_conversations(db: str | Path, run: str | None = None, samples: Sequence[str] = ()) -> list[Conversation]:
    """Conversations of a results database: the given samples (sample_pk, or a sample id that matches one
    sample), else all of `run`. Alignment is the mean of the turn's alignment judgements."""
    frame = samples_frame(db, run)
    if frame.empty:
        raise InterpError(f"no samples in {db}" + (f" for run {run!r}" if run else ""))
    chosen = [_sample_pk(frame, sample) for sample in samples] if samples else frame["sample_pk"].tolist()
    scores = turn_scores_frame(db, run)
    scores = scores[(scores["dimension"] == "alignment") & scores["sample_pk"].isin(chosen)]
    means = scores.groupby(["sample_pk", "turn_index"])["score"].mean()
    conversations = []
    for transcript in transcripts(db, sample_pks=chosen, run=run):
        judged = means.loc[transcript["sample_pk"]] if transcript["sample_pk"] in means.index else None
        alignment = {} if judged is None else {int(turn): float(value) for turn, value in judged.items()}
        conversations.append(stored_conversation(transcript, alignment))
    order = {pk: position for position, pk in enumerate(chosen)}
    return sorted(conversations, key=lambda conversation: order[int(conversation.key.removeprefix("sample-"))])


def _sample_pk(frame: pd.DataFrame, sample: str) -> int:
    if sample.isdigit() and int(sample) in set(frame["sample_pk"]):
        return int(sample)
    matches = frame[frame["sample_id"] == sample]
    if len(matches) == 1:
        return int(matches["sample_pk"].iloc[0])
    if matches.empty:
        known = ", ".join(sorted(set(frame["sample_id"]))[:12])
        raise InterpError(f"no sample {sample!r}; give a sample_pk or one of: {known}")
    rows = matches[["sample_pk", "epoch", "run_id"]].itertuples(index=False)
    listed = ", ".join(f"{pk} (epoch {epoch}, run {run})" for pk, epoch, run in rows)
    raise InterpError(f"sample id {sample!r} matches several samples; give one sample_pk: {listed}")
