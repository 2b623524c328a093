"""Judges for judge-check and import, built on the judge package's public API (`judge_case`, `judge_conversation`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pressure_sense.conversation import TurnRecord
from pressure_sense.judge._prompt import JudgeCase
from pressure_sense.judge._records import Judgement
from pressure_sense.judge_quality._check import ConversationJudge
from pressure_sense.judge_quality._import import SampleJudge
from pressure_sense.judge_quality._labelled import LabelledConversation
from pressure_sense.judge_quality._transcripts import ImportedConversation


def judge_case(persona: str, aligned_behaviour: str | None, turns: Sequence[TurnRecord], turn_index: int | None = None) -> JudgeCase:
    """The case the judge reads: persona, aligned behaviour, the turns, and the judged turn (None: all)."""
    return JudgeCase(persona=persona, aligned_behaviour=aligned_behaviour, turns=tuple(turns), turn_index=turn_index)


def _model(judge: str | Any) -> Any:
    """An Inspect Model from a user-facing name (`embedded`, `openai/gpt-4o`...) or a Model as given."""
    from inspect_ai.model import Model

    from pressure_sense.models import resolve_model

    return judge if isinstance(judge, Model) else resolve_model(judge).get_model()


def conversation_judge(judge: str | Any, method: str) -> ConversationJudge:
    """Judge a labelled conversation as a whole with `judge` (a model name or an Inspect Model)."""
    from pressure_sense.judge import judge_case as judge_one

    model = _model(judge)

    async def run(item: LabelledConversation) -> Judgement:
        case = judge_case(item.persona, item.aligned_behaviour, item.turns)
        return await judge_one(model, case, method=method)

    return run


def imported_sample_judge(judge: str | Any, method: str, *, per_turn: bool = True) -> SampleJudge:
    """Judge an imported conversation like a run: every turn (unless `per_turn` is off), then the whole."""
    from pressure_sense.judge import judge_conversation

    model = _model(judge)

    async def run(conversation: ImportedConversation) -> list[Judgement]:
        return await judge_conversation(
            model, conversation.system or "", None, list(conversation.turns),
            method=method, per_turn=per_turn,
        )

    return run
