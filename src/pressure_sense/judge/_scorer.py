"""The Inspect scorers: one rubric judged by one judge over every sample, composed into a study's list."""

from __future__ import annotations

import math
from collections.abc import Sequence

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState

from pressure_sense.conversation import ScenarioIndex, read_turns, sample_scenario
from pressure_sense.judge._conversation import judge_conversation
from pressure_sense.judge._choice import JudgeChoice, JudgeSeat
from pressure_sense.judge._engine import FLAGS_JUDGE
from pressure_sense.judge._judge import Judge
from pressure_sense.judge._records import JUDGEMENTS_KEY, Judgement
from pressure_sense.rubrics import Rubric, rubric_named


@metric
def dimension_means() -> Metric:
    """Mean of each dimension over the samples that scored it (NaN = failed or absent)."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        found: dict[str, list[float]] = {}
        for item in scores:
            if isinstance(item.score.value, dict):
                for name, value in item.score.value.items():
                    if isinstance(value, int | float) and not math.isnan(value):
                        found.setdefault(name, []).append(float(value))
        return {name: sum(values) / len(values) for name, values in found.items()}

    return compute


def _value(rubric: Rubric, judgements: list[Judgement], measured: bool) -> dict[str, float]:
    """The conversation-level score of each scored (or, for the flags method, measured) dimension where the
    judge gave one, else the mean over turns; NaN where none was given."""
    names = [d.name for d in rubric.of_kind("measured" if measured else "score")]
    whole = [j for j in judgements if j.turn_index is None]
    chosen = whole or judgements
    value = {}
    for name in names:
        found = [j.scores[name].score for j in chosen if name in j.scores]
        value[name] = sum(found) / len(found) if found else math.nan
    return value


@scorer(metrics=[dimension_means()])
def rubric_judge(
    rubric: Rubric | str = "conversation",
    judge: JudgeSeat | str | None = None,
    method: str = "auto",
    show_labels: bool = False,
    scenarios: ScenarioIndex | None = None,
    max_retries: int = 2,
) -> Scorer:
    """Judge every sample under `rubric`: each answered turn and/or the whole conversation (the rubric's levels).

    `judge` is one judge of the user's choice (a `JudgeSeat`, or a name it parses): the eval's model for the
    seat's role when the eval binds that role, else the named model (its name stored on every judgement as
    given), else the embedded model. Method `flags` scores only the rubric's measured dimensions, with no model.
    The value holds each scored dimension (conversation level, else the mean over turns; NaN where judging
    failed); every judgement is in metadata[JUDGEMENTS_KEY].
    """
    chosen = rubric_named(rubric) if isinstance(rubric, str) else rubric
    seat = JudgeSeat.parse(judge) if isinstance(judge, str) else (judge or JudgeSeat())

    def the_judge() -> Judge:
        return FLAGS_JUDGE if method == "flags" else seat.judge(method, max_retries)

    async def score(state: TaskState, target: Target) -> Score:
        scenario, variant = sample_scenario(state, scenarios)
        if variant.mode not in chosen.modes:
            return Score(value={}, explanation=f"{chosen.name}: not judged in {variant.mode} mode", metadata={JUDGEMENTS_KEY: []})
        active = the_judge()
        judgements = await judge_conversation(
            active, chosen, scenario.persona, scenario.aligned_behaviour, read_turns(state), show_labels=show_labels
        )
        failed = sum(1 for j in judgements if j.error)
        return Score(
            value=_value(chosen, judgements, measured=method == "flags"),
            explanation=f"{chosen.name}: {len(judgements)} judgements ({failed} with errors) by {active.label}",
            metadata={JUDGEMENTS_KEY: [j.model_dump() for j in judgements]},
        )

    return score


def study_scorers(
    rubrics: Sequence[Rubric],
    choice: JudgeChoice,
    *,
    show_labels: bool = False,
    scenarios: ScenarioIndex | None = None,
) -> list[Scorer]:
    """Every judge of the choice's panel on every rubric, plus one measured scorer per rubric with measured
    dimensions. No judges: no scorers."""
    if not choice.panel:
        return []
    scorers = []
    for rubric in rubrics:
        common = {"rubric": rubric, "show_labels": show_labels, "scenarios": scenarios}
        if rubric.of_kind("measured"):
            scorers.append(rubric_judge(method="flags", **common))
        if rubric.of_kind("score", "yes_no"):
            scorers += [rubric_judge(judge=seat, method=choice.method, **common) for seat in choice.panel]
    return scorers
