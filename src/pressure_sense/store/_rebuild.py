"""Build or update a results store from a folder (or fsspec URL) of Inspect logs, idempotently: logs group into
runs by `run_key` (all shards of one target), else by Inspect `task_id`, and each run's logs are applied oldest
first and successful ones last, so every sample ends as its final copy whatever the listing order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai.log import EvalLog

from pressure_sense.store._keys import study_settings
from pressure_sense.store._logs import log_samples, read_log_headers
from pressure_sense.store._writer import ResultsStore, RunStatus


@dataclass
class RebuildSummary:
    """What a rebuild read and wrote."""

    db: Path
    logs: int = 0
    runs: list[str] = field(default_factory=list)
    samples: int = 0
    """Distinct samples stored in the runs the logs belong to."""
    unfinished: list[str] = field(default_factory=list)
    """Tasks or shards whose newest log did not succeed, named by shard (or task id) and status."""
    unreadable: list[str] = field(default_factory=list)
    """Logs (or their samples) that could not be read, with the error; skipped."""


def _run_key(log: EvalLog) -> str:
    return str(study_settings(log.eval.metadata).get("run_key") or log.eval.task_id)


def _order(log: EvalLog) -> tuple[bool, str, str]:
    """Successful logs last, then by start time and location: a total order, whatever the listing order."""
    started = (log.stats.started_at if log.stats else "") or ""
    return (log.status == "success", started, log.location or "")


def _write_run(store: ResultsStore, logs: list[EvalLog], summary: RebuildSummary) -> str:
    first = min(logs, key=lambda log: ((log.stats.started_at if log.stats else "") or "", log.eval.eval_id))
    run_key = study_settings(first.eval.metadata).get("run_key")
    run_id = store.start_task_run(
        first.eval, str(run_key or first.eval.eval_id), task_id=_run_key(first), source="import"
    )
    by_task: dict[str, list[EvalLog]] = defaultdict(list)
    for log in logs:
        by_task[log.eval.task_id].append(log)
    finals = []
    for task_id in sorted(by_task):
        for log in sorted(by_task[task_id], key=_order):
            try:
                samples = list(log_samples(log.location))
            except Exception as error:  # noqa: BLE001 - a damaged log's samples are lost, not the others'
                summary.unreadable.append(f"{log.location}: {type(error).__name__}: {error}")
                continue
            for sample in samples:
                store.write_sample(run_id, sample)
        finals.append(max(by_task[task_id], key=_order))
    summary.samples += len(store.stored_samples(run_id))
    failed = [log for log in finals if log.status != "success"]
    for log in failed:
        name = study_settings(log.eval.metadata).get("shard") or log.eval.task_id
        summary.unfinished.append(f"{name}: {log.status}")
    status: RunStatus = failed[0].status if failed else "success"  # type: ignore[assignment]
    errors = [log.error.message for log in failed if log.error]
    shown = failed[0] if failed else max(finals, key=_order)
    store.finish_run(run_id, status, error="\n".join(errors) or None, log_path=shown.location)
    return run_id


def rebuild_store(log_dir: str | Path, db: str | Path) -> RebuildSummary:
    """Build or update the store at `db` from every Inspect log under `log_dir`; returns what it did.

    Logs that are not Pressure-Sense studies are stored as plain runs, as `write_log` would.
    Raises FileNotFoundError when `log_dir` holds no log.
    """
    unreadable: list[str] = []
    headers = read_log_headers(log_dir, unreadable)
    if not headers:
        raise FileNotFoundError(f"no Inspect logs (.eval or .json) under {log_dir}")
    summary = RebuildSummary(db=Path(db), logs=len(headers), unreadable=unreadable)
    runs: dict[tuple[str, str], list[EvalLog]] = defaultdict(list)
    for header in headers:
        study = str(study_settings(header.eval.metadata).get("study_id") or header.eval.run_id)
        runs[(study, _run_key(header))].append(header)
    with ResultsStore(db) as store:
        for key in sorted(runs):
            summary.runs.append(_write_run(store, runs[key], summary))
    return summary
