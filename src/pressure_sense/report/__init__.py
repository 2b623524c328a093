"""Charts and the self-contained HTML report of a study; paired comparison of two runs."""

from pressure_sense.report._build import ReportResult, build_report
from pressure_sense.report._compare import Comparison, compare_runs, write_comparison
from pressure_sense.report._sources import resolve_sources
from pressure_sense.report._tables import no_interval, with_ci
from pressure_sense.report._viewer import DEFAULT_TRANSCRIPT_CAP, script_json

__all__ = [
    "DEFAULT_TRANSCRIPT_CAP",
    "Comparison",
    "ReportResult",
    "build_report",
    "compare_runs",
    "no_interval",
    "resolve_sources",
    "script_json",
    "with_ci",
    "write_comparison",
]
