"""Run a whole study: the step that ties scenarios, models, engine, judge, store and report together."""

from pressure_sense.study._config import (
    DEFAULT_SCENARIOS,
    QUICK_SCENARIOS,
    QUICK_TURNS,
    build_experiment,
    default_experiment,
    quick_experiment,
)
from pressure_sense.study._generate import (
    DUPLICATE_THRESHOLD,
    GenerationResult,
    deduplicate,
    generate_requests,
    generate_tactic,
    yaml_documents,
)
from pressure_sense.study._resume import resume_study, study_folder
from pressure_sense.study._run import StudyResult, new_study_id, run_study

__all__ = [
    "DUPLICATE_THRESHOLD",
    "GenerationResult",
    "deduplicate",
    "generate_requests",
    "generate_tactic",
    "yaml_documents",
    "DEFAULT_SCENARIOS",
    "QUICK_SCENARIOS",
    "QUICK_TURNS",
    "StudyResult",
    "build_experiment",
    "default_experiment",
    "new_study_id",
    "quick_experiment",
    "resume_study",
    "run_study",
    "study_folder",
]
