"""The results store: SQLite written as samples finish (Inspect hook), queried as pandas DataFrames."""

from pressure_sense.store._hook import ResultsStoreHook
from pressure_sense.store._keys import STUDY_METADATA_KEY, study_settings
from pressure_sense.store._logs import newest_logs
from pressure_sense.store._queries import (
    DB_FILENAME,
    DEFAULT_RUNS_FOLDER,
    SAMPLE_COLUMNS,
    adaptive_frame,
    beliefs_frame,
    conversation_scores_frame,
    database_path,
    find_databases,
    judge_failures_frame,
    judgements_frame,
    samples_frame,
    tool_events_frame,
    transcripts,
    turn_errors_frame,
    turn_scores_frame,
)
from pressure_sense.store._rebuild import RebuildSummary, rebuild_store
from pressure_sense.store._redact import REDACTED, Redactor, current_redactor, redact, redact_data
from pressure_sense.store._schema import SCHEMA_VERSION
from pressure_sense.store._summary import (
    check_run,
    default_database,
    dimension_order,
    judge_failure_counts,
    latest_study,
    list_runs,
    reliability_records,
    results_table,
)
from pressure_sense.store._writer import ResultsStore, StoreError

__all__ = [
    "adaptive_frame", "beliefs_frame", "check_run", "conversation_scores_frame", "current_redactor",
    "database_path", "DB_FILENAME", "default_database", "DEFAULT_RUNS_FOLDER", "dimension_order", "find_databases",
    "judge_failure_counts", "judge_failures_frame", "judgements_frame", "latest_study", "list_runs", "newest_logs",
    "rebuild_store", "RebuildSummary", "redact", "redact_data", "REDACTED", "Redactor", "reliability_records",
    "results_table", "ResultsStore", "ResultsStoreHook", "SAMPLE_COLUMNS", "samples_frame", "SCHEMA_VERSION",
    "StoreError", "STUDY_METADATA_KEY", "study_settings", "tool_events_frame", "transcripts", "turn_errors_frame",
    "turn_scores_frame",
]
