"""Epochs as replicates: more than one epoch of a target that decodes greedily is refused.

Every interval the analysis prints treats the epochs of one scenario x variant as independent
conversations. A target that decodes greedily (temperature 0, or unset on the embedded model,
which then picks the most likely token) plays the same conversation every epoch, so extra epochs
would add identical copies and make intervals look narrower than the evidence allows.
"""

from __future__ import annotations

from pressure_sense.experiments._loader import ExperimentError
from pressure_sense.experiments._schema import Experiment, TargetSpec

SUGGESTED_TEMPERATURE = 0.7
"""The sampling temperature the refusal suggests."""


def decodes_greedily(target: TargetSpec) -> bool:
    """Whether the target's answers are deterministic: temperature 0, or unset on the embedded model."""
    if target.temperature is not None:
        return target.temperature == 0
    return target.name.startswith("embedded")


def replicate_problems(experiment: Experiment) -> list[str]:
    """One problem per target whose epochs would be identical replicates (empty when epochs is 1)."""
    if experiment.epochs <= 1:
        return []
    problems = []
    for target in experiment.targets:
        if not decodes_greedily(target):
            continue
        why = (
            "temperature 0"
            if target.temperature == 0
            else "temperature unset, and the embedded model then decodes greedily"
        )
        problems.append(
            f" field 'epochs': {experiment.epochs} epochs of target '{target.name}' would be {experiment.epochs} "
            f"identical conversations per scenario × variant ({why}), which the statistics would count as "
            f"independent replicates. Sample instead: set a temperature on the target (e.g. `temperature: "
            f"{SUGGESTED_TEMPERATURE}` in the experiment file, or --temperature {SUGGESTED_TEMPERATURE}); "
            "or use epochs: 1."
        )
    return problems


def check_replicates(experiment: Experiment, source: str = "experiment") -> None:
    """Raise ExperimentError (naming `source`) when an epoch would repeat a greedy conversation."""
    problems = replicate_problems(experiment)
    if problems:
        raise ExperimentError(source, problems)
