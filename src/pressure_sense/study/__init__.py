"""Run a whole study: the step that ties scenarios, models, engine, judge, store and report together."""

from pressure_sense.study._config import (
    DEFAULT_SCENARIOS,
    QUICK_EMBEDDED_MAX_TOKENS,
    QUICK_SCENARIOS,
    QUICK_TURNS,
    SAMPLE_RETRIES,
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
from pressure_sense.study._result import StudyResult, new_study_id
from pressure_sense.study._run import resume_study, run_study, study_folder
from pressure_sense.study._shards import Shard, plan_shards
from pressure_sense.study._task import INSPECT_EVAL_DB, judge_panel, pressure_study, study_samples

__all__ = [
    "DUPLICATE_THRESHOLD",
    "GenerationResult",
    "deduplicate",
    "generate_requests",
    "generate_tactic",
    "yaml_documents",
    "DEFAULT_SCENARIOS",
    "INSPECT_EVAL_DB",
    "QUICK_EMBEDDED_MAX_TOKENS",
    "QUICK_SCENARIOS",
    "QUICK_TURNS",
    "SAMPLE_RETRIES",
    "Shard",
    "StudyResult",
    "build_experiment",
    "default_experiment",
    "judge_panel",
    "new_study_id",
    "pressure_study",
    "plan_shards",
    "quick_experiment",
    "resume_study",
    "run_study",
    "study_folder",
    "study_samples",
]
