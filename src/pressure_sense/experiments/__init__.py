"""Experiment files: one YAML file describing a whole study, command-line overrides, and the dry run."""

from pressure_sense.experiments._loader import (
    OVERRIDABLE,
    ExperimentError,
    load_experiment,
    merge_overrides,
    parse_experiment,
)
from pressure_sense.experiments._plan import ModelEstimate, Plan, PlannedConversation, plan_study
from pressure_sense.experiments._replicates import check_replicates, decodes_greedily, replicate_problems
from pressure_sense.experiments._prices import PRICES_PER_MILLION, PRICES_TAKEN, price_of
from pressure_sense.experiments._schema import ExecutorSpec, Experiment, FactorialSpec, JudgeSpec, TargetSpec, VariantSpec

__all__ = [
    "OVERRIDABLE",
    "PRICES_PER_MILLION",
    "PRICES_TAKEN",
    "ExecutorSpec",
    "Experiment",
    "ExperimentError",
    "FactorialSpec",
    "JudgeSpec",
    "ModelEstimate",
    "Plan",
    "PlannedConversation",
    "TargetSpec",
    "VariantSpec",
    "check_replicates",
    "decodes_greedily",
    "load_experiment",
    "merge_overrides",
    "parse_experiment",
    "plan_study",
    "price_of",
    "replicate_problems",
]
