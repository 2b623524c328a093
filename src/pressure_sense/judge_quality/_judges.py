"""Judges for judge-check and import, built on the judge package's public API."""

from __future__ import annotations

from functools import cache
from typing import Any

from pressure_sense.judge import (
    DimensionScore, Judge, JudgeCase, Judgement, judge_case, judge_conversation, model_judge, trained_judge,
)
from pressure_sense.models import trained_judge_path
from pressure_sense.judge_quality._check import ConversationJudge
from pressure_sense.judge_quality._import import SampleJudge
from pressure_sense.judge_quality._labelled import LabelledConversation
from pressure_sense.judge_quality._transcripts import ImportedConversation
from pressure_sense.rubrics import CONVERSATION, Rubric


@cache
def _model_named(name: str) -> Any:
    from pressure_sense.models import resolve_model

    return resolve_model(name).get_model()


def judge_of(judge: str | Any, method: str) -> Judge:
    """A Judge for a user-facing name (`trained[:PATH]`, or a model name checked by `resolve_model`), or an
    Inspect Model."""
    if isinstance(judge, str) and (path := trained_judge_path(judge)) is not None:
        return trained_judge(judge, path)
    model = _model_named(judge) if isinstance(judge, str) else judge
    return model_judge(judge if isinstance(judge, str) else str(model), model, method)


def turn_mean(turns: list[Judgement], rubric: Rubric) -> Judgement:
    """A conversation-level judgement from a turn-only judge: each dimension's mean over the turns that scored it.

    The rule for checking such a judge against conversation labels (the 2024 study's), fixed before it was
    measured: every turn weighs the same, a failed turn is left out and named in `error`."""
    first = turns[0]
    scores: dict[str, DimensionScore] = {}
    for name in first.asked:
        values = [turn.scores[name].score for turn in turns if name in turn.scores]
        if values:
            scores[name] = DimensionScore(score=sum(values) / len(values), rationale=f"mean of {len(values)} turn scores")
    failed = [str(turn.turn_index) for turn in turns if turn.error]
    return Judgement(
        rubric=rubric.name, judge=first.judge, method=first.method, asked=first.asked, scores=scores,
        error=f"turns {', '.join(failed)} failed" if failed else None,
    )


def conversation_judge(judge: str | Any, method: str, rubric: Rubric = CONVERSATION) -> ConversationJudge:
    """Judge a labelled item under `rubric` with `judge` (a name or an Inspect Model) as a study would: its
    judged turn with the conversation so far (turn-level sets), or the whole conversation (for a judge that
    scores turns only, the mean of its turn scores: `turn_mean`)."""
    chosen = judge_of(judge, method)

    async def run(item: LabelledConversation) -> Judgement:
        if item.turn_index is None and "conversation" not in chosen.levels:
            turns = await judge_conversation(
                chosen, rubric, item.persona, item.aligned_behaviour, list(item.turns), levels=("turn",)
            )
            if turns:
                return turn_mean(turns, rubric)
        case = JudgeCase(item.persona, item.aligned_behaviour, tuple(item.turns), item.turn_index)
        return await judge_case(chosen, rubric, case)

    return run


def imported_sample_judge(judge: str | Any, method: str, *, per_turn: bool = True) -> SampleJudge:
    """Judge an imported conversation like a run: every turn (unless `per_turn` is off), then the whole."""
    chosen = judge_of(judge, method)
    levels = ("turn", "conversation") if per_turn else ("conversation",)

    async def run(conversation: ImportedConversation) -> list[Judgement]:
        return await judge_conversation(
            chosen, CONVERSATION, conversation.system or "", None, list(conversation.turns), levels=levels
        )

    return run
