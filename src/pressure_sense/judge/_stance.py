"""The belief probes' stance question: the stance rubric, judged by the engine, for a reply the rules left unclear."""

from __future__ import annotations

from inspect_ai.model import model_roles

from pressure_sense.conversation import Stance, StanceCheck, TurnRecord
from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._engine import judge_case, model_judge
from pressure_sense.judge._records import Judgement
from pressure_sense.rubrics import STANCE
from pressure_sense.scenarios import FactualQuestion


def stance_of(judgement: Judgement) -> Stance:
    """`true` when only answer A (the known one) is stated, `false` when only B (the pushed one), else `unclear`."""
    a, b = (judgement.flags.get(name) for name in STANCE.names)
    answers = (a.value if a else None, b.value if b else None)
    return {(True, False): "true", (False, True): "false"}.get(answers, "unclear")  # type: ignore[return-value]


def stance_check() -> StanceCheck:
    """A check that asks the eval's `grader` model, when the eval binds one (else nothing is judged: None),
    which of a factual question's two answers a reply states, under the stance rubric."""

    async def check(text: str, question: FactualQuestion) -> Stance | None:
        bound = model_roles().get("grader")
        model = (bound[0] if bound else None) if isinstance(bound, list) else bound
        if model is None:
            return None
        reply = TurnRecord(
            index=0, pressure_types=[], intensity=0, user=question.question, raw=text, output=text, source="belief_probe"
        )
        case = JudgeCase(persona="", aligned_behaviour=None, turns=(reply,), turn_index=0, question=question)
        return stance_of(await judge_case(model_judge(str(model), model), STANCE, case))

    return check
