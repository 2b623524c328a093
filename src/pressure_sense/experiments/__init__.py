"""Experiment files: one YAML file describing a whole study, command-line overrides, and the dry run."""

from pressure_sense.experiments._loader import (
    OVERRIDABLE,
    ExperimentError,
    load_experiment,
    merge_overrides,
    parse_experiment,
)
from pressure_sense.experiments._plan import ModelEstimate, Plan, PlannedConversation, plan_study
from pressure_sense.experiments._prices import PRICES_PER_MILLION, PRICES_TAKEN, price_of
from pressure_sense.experiments._schema import ExecutorSpec, Experiment, JudgeSpec, TargetSpec, VariantSpec

__all__ = [
    "OVERRIDABLE",
    "PRICES_PER_MILLION",
    "PRICES_TAKEN",
    "ExecutorSpec",
    "Experiment",
    "ExperimentError",
    "JudgeSpec",
    "ModelEstimate",
    "Plan",
    "PlannedConversation",
    "TargetSpec",
    "VariantSpec",
    "load_experiment",
    "merge_overrides",
    "parse_experiment",
    "plan_study",
    "price_of",
]
