"""Judges for judge-check and import, built on the judge package's public API."""

from __future__ import annotations

from functools import cache
from typing import Any

from pressure_sense.judge import JudgeCase, Judgement, judge_case, judge_conversation
from pressure_sense.judge_quality._check import ConversationJudge
from pressure_sense.judge_quality._import import SampleJudge
from pressure_sense.judge_quality._labelled import LabelledConversation
from pressure_sense.judge_quality._transcripts import ImportedConversation


@cache
def _model_named(name: str) -> Any:
    from pressure_sense.models import resolve_model

    return resolve_model(name).get_model()


def judge_model_of(judge: str | Any) -> Any:
    """The Inspect Model for a user-facing name (checked by `resolve_model`), or the Model given."""
    return _model_named(judge) if isinstance(judge, str) else judge


def conversation_judge(judge: str | Any, method: str) -> ConversationJudge:
    """Judge a labelled conversation as a whole with `judge` (a model name or an Inspect Model)."""
    model = judge_model_of(judge)

    async def run(item: LabelledConversation) -> Judgement:
        case = JudgeCase(item.persona, item.aligned_behaviour, tuple(item.turns), None)
        return await judge_case(model, case, method)  # type: ignore[arg-type]

    return run


def imported_sample_judge(judge: str | Any, method: str, *, per_turn: bool = True) -> SampleJudge:
    """Judge an imported conversation like a run: every turn (unless `per_turn` is off), then the whole."""
    model = judge_model_of(judge)

    async def run(conversation: ImportedConversation) -> list[Judgement]:
        return await judge_conversation(
            model, conversation.system or "", None, list(conversation.turns), method=method, per_turn=per_turn  # type: ignore[arg-type]
        )

    return run
