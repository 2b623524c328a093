"""A study's outcome: where its results are, how each model's run ended, and the steps that complete it
(the store's catch-up from the logs, the counts, the report); every executor returns one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from inspect_ai.log import EvalLog

from pressure_sense.models import failing_models
from pressure_sense.store import ResultsStore, samples_frame


@dataclass
class StudyResult:
    """Where a study's results are and how each model's run ended."""

    study_id: str
    out: Path
    db: Path
    logs: list[EvalLog] = field(default_factory=list)
    report: Path | None = None
    n_samples: int = 0
    """Samples stored for the study."""
    errored: list[dict] = field(default_factory=list)
    """The stored samples that ended in an error: model, sample_id, epoch, error."""

    shard_logs: list[str] = field(default_factory=list)
    """A sharded study's successful shard logs (its `logs` stay empty: the store is built from the log folder)."""
    failed_shards: dict[str, str] = field(default_factory=dict)
    """A sharded study's shards that kept failing, by shard id, with the reason."""
    failing: list[str] = field(default_factory=list)
    """One line per model that was stopped or left errored samples: model, host, failure, count, what to check."""
    stopped: bool = False
    """A model's calls failed so often in a row that its remaining calls were not made (its breaker opened)."""

    @property
    def ok(self) -> bool:
        """Every task's log (or every shard) ended in success (samples may still have errored: see `errored`)."""
        if self.shard_logs or self.failed_shards:
            return not self.failed_shards
        return bool(self.logs) and all(log.status == "success" for log in self.logs)


def new_study_id() -> str:
    """A sortable, unique study id such as 20261128-051500-3fa9."""
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def finish_study(result: StudyResult, report: bool) -> StudyResult:
    """Store any sample the hook missed, then write the report."""
    with ResultsStore(result.db) as store:
        for log in result.logs:
            store.write_log(log.location, only_missing=True)
    return finish_report(result, report)


def finish_report(result: StudyResult, report: bool) -> StudyResult:
    """Count the stored samples and list the errored ones, then write the study's HTML report when asked."""
    samples = samples_frame(result.db, run=result.study_id)
    result.n_samples = len(samples)
    result.errored = samples.loc[samples["status"] == "error", ["model", "sample_id", "epoch", "error"]].to_dict(
        "records"
    )
    errored_models = {item["model"] for item in result.errored}
    failing = [breaker for breaker in failing_models() if breaker.open or breaker.label in errored_models]
    result.failing = [breaker.line() for breaker in failing]
    result.stopped = any(breaker.open for breaker in failing)
    if report:
        from pressure_sense.report import build_report

        result.report = build_report([result.db], result.out / "report.html").html
    return result
