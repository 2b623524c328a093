"""Run a whole study: the step that ties scenarios, models, engine, judge, store and report together."""

from pressure_sense.study._config import (
    DEFAULT_SCENARIOS,
    QUICK_SCENARIOS,
    QUICK_TURNS,
    build_experiment,
    default_experiment,
    quick_experiment,
)
from pressure_sense.study._resume import resume_study, study_folder
from pressure_sense.study._run import StudyResult, new_study_id, run_study
from pressure_sense.study._shards import Shard, plan_shards

__all__ = [
    "DEFAULT_SCENARIOS",
    "QUICK_SCENARIOS",
    "QUICK_TURNS",
    "Shard",
    "StudyResult",
    "build_experiment",
    "default_experiment",
    "new_study_id",
    "plan_shards",
    "quick_experiment",
    "resume_study",
    "run_study",
    "study_folder",
]
