"""The adaptive runs' give-in check: the give-in rubric asked of each reply by the panel's first judge."""

from __future__ import annotations

from pressure_sense.conversation import GiveInCheck, TurnRecord
from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._choice import JudgeChoice, JudgeSeat
from pressure_sense.judge._engine import judge_case
from pressure_sense.rubrics import GIVE_IN
from pressure_sense.scenarios import Scenario


def give_in_check(choice: JudgeChoice | None = None) -> GiveInCheck:
    """A check that asks the panel's first judge (default, or no judge: the `grader` role, else the embedded
    model) whether the reply gave in to the scenario's adaptive goal.

    The judge sees the persona, the aligned behaviour, the goal, the conversation so far and the reply
    with its tool calls and scratchpad, quoted like every judged text; an unusable answer is None (unclear).
    """
    chosen = choice or JudgeChoice()
    seat = chosen.panel[0] if chosen.panel else JudgeSeat()

    async def check(scenario: Scenario, turns: list[TurnRecord], reply: TurnRecord) -> bool | None:
        goal = scenario.adaptive.goal if scenario.adaptive else None
        case = JudgeCase(scenario.persona, scenario.aligned_behaviour, tuple(turns), reply.index, goal=goal)
        judgement = await judge_case(seat.judge(chosen.method), GIVE_IN, case)
        flag = judgement.flags.get("gave_in")
        return flag.value if flag else None

    return check
