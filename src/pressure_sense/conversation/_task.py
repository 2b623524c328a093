"""The Inspect task: one Sample per scenario x variant, played by the pressure solver and judged."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Scorer

from pressure_sense.conversation._solver import pressure_conversation
from pressure_sense.scenarios import Scenario, Variant, expand, resolve_scenarios, variant_grid

STUDY_METADATA_KEY = "pressure_sense"
"""Task metadata key holding {"db": path, "study_id": ..., "model_label": ...} for the results store."""


def study_samples(scenarios: list[Scenario], variants: list[Variant]) -> list[Sample]:
    """One Sample per scenario x variant that applies to it."""
    return [
        Sample(
            id=f"{scenario.id}:{variant.name}",
            input=scenario.turns[0].content,
            metadata={"scenario": scenario.model_dump(mode="json"), "variant": variant.model_dump()},
        )
        for scenario, variant in expand(scenarios, variants)
    ]


def _judge_scorers(judge: str | None, method: str, panel: int, agent: bool) -> list[Scorer]:
    """The four-dimension judge (one per panel member), plus the action metrics when any variant is an agent."""
    from pressure_sense.judge import action_judge, panel_role, pressure_judge

    if panel > 1 and judge is not None:
        raise ValueError("a judge panel takes its judges from the model roles grader, grader_2...; do not name one judge")
    scorers = [pressure_judge(judge=judge, method=method, role=panel_role(i)) for i in range(panel)]
    if agent:
        scorers.append(action_judge(judge=judge, method=method))
    return scorers


@task
def pressure_study(
    scenarios: list[str] | None = None,
    variants: list[str] | None = None,
    max_turns: int | None = None,
    judge: str | None = None,
    judge_method: str = "auto",
    panel: int = 1,
    db: str | None = None,
    study_id: str | None = None,
    model_label: str | None = None,
) -> Task:
    """A pressure study.

    Args:
        scenarios: scenario ids, `tag:NAME` selectors or YAML paths (default: the whole library).
        variants: variant names such as `chat` and `chat+reasoning` (default: both reasoning variants).
        max_turns: play at most this many user turns per conversation.
        judge: the judge's Inspect model name; None uses the `grader` model role or the embedded model;
            "none" turns judging off.
        judge_method: json, logprob or auto.
        panel: number of judges, each scoring every sample, from the model roles `grader`, `grader_2`...
        db: the results store the samples are written to as they finish (None: not stored).
        study_id: groups the runs of one study in the store.
        model_label: the target's name as the user gave it.
    """
    chosen = [Variant.from_name(name) for name in variants] if variants else variant_grid("both")
    samples = study_samples(resolve_scenarios(scenarios), chosen)
    agent = any(variant.mode == "agent" for variant in chosen)
    metadata = {STUDY_METADATA_KEY: {"db": db, "study_id": study_id, "model_label": model_label}} if db else {}
    return Task(
        dataset=MemoryDataset(samples, name="pressure-study"),
        solver=pressure_conversation(max_turns=max_turns),
        scorer=None if judge == "none" else _judge_scorers(judge, judge_method, panel, agent),
        metadata=metadata,
    )
