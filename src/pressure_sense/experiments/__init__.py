"""Experiment files: one YAML file describing a whole study, command-line overrides, and the dry run."""

from pressure_sense.experiments._loader import (
    ExperimentError,
    check_replicates,
    decodes_greedily,
    load_experiment,
    merge_overrides,
    parse_experiment,
)
from pressure_sense.experiments._plan import Plan, plan_study, price_of
from pressure_sense.experiments._schema import ExecutorSpec, Experiment, FactorialSpec, JudgeSpec, TargetSpec, VariantSpec

__all__ = [
    "check_replicates", "decodes_greedily", "ExecutorSpec", "Experiment", "ExperimentError", "FactorialSpec",
    "JudgeSpec", "load_experiment", "merge_overrides", "parse_experiment", "Plan", "plan_study", "price_of",
    "TargetSpec", "VariantSpec",
]
