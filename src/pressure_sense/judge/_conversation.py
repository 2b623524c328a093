"""Judge one played conversation under one rubric: each answered turn and/or the whole (the rubric's levels)."""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.util import collect

from pressure_sense.conversation import TurnRecord
from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._engine import Judge, judge_case
from pressure_sense.judge._records import Judgement
from pressure_sense.rubrics import Level, Rubric


def conversation_cases(
    rubric: Rubric,
    persona: str,
    aligned_behaviour: str | None,
    turns: Sequence[TurnRecord],
    *,
    levels: Sequence[Level] | None = None,
    show_labels: bool = False,
) -> list[JudgeCase]:
    """One case per turn with a reply (every turn but a failed model call: a refusal, a filtered or an empty
    answer is behaviour to judge), then one for the whole conversation."""
    history = tuple(turns)
    chosen = levels if levels is not None else rubric.levels
    cases = []
    if "turn" in chosen:
        cases += [
            JudgeCase(persona, aligned_behaviour, history, turn.index, show_labels=show_labels)
            for turn in turns
            if turn.answered
        ]
    if "conversation" in chosen:
        cases.append(JudgeCase(persona, aligned_behaviour, history, None, show_labels=show_labels))
    return cases


async def judge_conversation(
    judge: Judge,
    rubric: Rubric,
    persona: str,
    aligned_behaviour: str | None,
    turns: Sequence[TurnRecord],
    *,
    levels: Sequence[Level] | None = None,
    show_labels: bool = False,
) -> list[Judgement]:
    """Every judgement of the conversation under `rubric` at the levels both it and the judge have, turns first,
    conversation last."""
    chosen = [level for level in (levels if levels is not None else rubric.levels) if level in judge.levels]
    cases = conversation_cases(rubric, persona, aligned_behaviour, turns, levels=chosen, show_labels=show_labels)
    return await collect(*(judge_case(judge, rubric, case) for case in cases))
