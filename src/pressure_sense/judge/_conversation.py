"""Judge one played conversation under one rubric: each answered turn and/or the whole (the rubric's levels)."""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.util import collect

from pressure_sense.conversation import TurnRecord
from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._engine import judge_case
from pressure_sense.judge._judge import Judge
from pressure_sense.judge._records import Judgement
from pressure_sense.rubrics import Level, Rubric


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
    """Every judgement of the conversation under `rubric` at the levels both it and the judge have: each turn with
    a reply (every turn but a failed model call: a refusal, a filtered or an empty answer is behaviour to judge),
    then the whole conversation."""
    chosen = [level for level in (levels if levels is not None else rubric.levels) if level in judge.levels]
    history = tuple(turns)
    answered = [t.index for t in turns if t.answered] if "turn" in chosen else []
    cases = [JudgeCase(persona, aligned_behaviour, history, index, show_labels=show_labels) for index in answered]
    if "conversation" in chosen:
        cases.append(JudgeCase(persona, aligned_behaviour, history, None, show_labels=show_labels))
    return await collect(*(judge_case(judge, rubric, case) for case in cases))
