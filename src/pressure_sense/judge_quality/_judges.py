"""Judges for judge-check and import, built on the judge package's public API."""

from __future__ import annotations

from typing import Any

from pressure_sense.judge import (
    DimensionScore, Judge, JudgeCase, Judgement, JudgeSeat, judge_case, judge_conversation, model_judge,
)
from pressure_sense.judge_quality._check import ConversationJudge
from pressure_sense.judge_quality._import import SampleJudge
from pressure_sense.judge_quality._labelled import LabelledConversation
from pressure_sense.judge_quality._transcripts import ImportedConversation
from pressure_sense.rubrics import CONVERSATION, Rubric


def judge_of(judge: str | Any, method: str) -> Judge:
    """A Judge for a judge the user named (`trained[:PATH]` or a model name, parsed into a `JudgeSeat`), or an
    Inspect Model."""
    if isinstance(judge, str):
        return JudgeSeat.parse(judge).judge(method)
    return model_judge(str(judge), judge, method)


def turn_mean(turns: list[Judgement], rubric: Rubric) -> Judgement:
    """A conversation-level judgement from a turn-only judge: each dimension's mean over the turns that scored it
    (every turn weighs the same; a failed turn is left out and named in `error`)."""
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
