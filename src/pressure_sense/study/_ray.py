"""The Ray executor (`--executor ray`, the `ray` extra): a study's shards run as Inspect evals in Ray tasks, at
most `workers` at a time, with permits and progress in Ray actors; the store is built from the shards' logs.
A shard whose worker dies is re-run by Ray from its flushed log; one that keeps failing is reported by name."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

try:
    import ray
    from ray.exceptions import RayError
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ValueError("--executor ray needs the ray extra: pip install 'pressure-sense[ray]'") from error

from inspect_ai.log import read_eval_log_sample_summaries

from pressure_sense.experiments import Experiment
from pressure_sense.models import (
    absorb_breakers,
    failure_counts,
    failures_since,
    provider_of,
    reset_breakers,
    resolve_model,
)
from pressure_sense.ray_actors import PermitBroker, ProgressBoard
from pressure_sense.store import DB_FILENAME, rebuild_store
from pressure_sense.study._limits import ModelLimit, RayPermits, install_permits, model_limits
from pressure_sense.study._progress import default_display
from pressure_sense.study._result import StudyResult, finish_report, new_study_id
from pressure_sense.study._shard_progress import ProgressTally, install_progress, progress_view
from pressure_sense.study._shards import (
    SHARDED_MANIFEST,
    Shard,
    ShardJob,
    latest_shard_log,
    plan_shards,
    run_shard,
    shard_log_dir,
)

FORWARDED_ENV = ("INSPECT_CACHE_DIR", "PRESSURE_SENSE_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
"""Environment variables passed to workers when set here, besides the models' keys and base URLs."""
SHARD_TASK_NAME = "pressure_sense_shard"
"""Ray task name of a shard attempt (with `:SHARD_ID`); a worker running one is titled `ray::NAME:SHARD_ID`."""
LOCAL_OBJECT_STORE_BYTES = 256 * 1024**2
"""Object store of a Ray instance started here: shards exchange only small messages."""


_worker_study = ""
"""The study whose shard this worker process ran last: a shard of another study starts with fresh breakers."""


def _shard_task(job: ShardJob, broker: Any, board: Any, limits: list[ModelLimit]) -> str:
    """One attempt at a shard on a worker, holding the study's per-model `limits` (an earlier attempt's permits
    are reclaimed first); returns its log's location. The models that failed in it go to the ProgressBoard
    whether it succeeds or not, for the driver to show."""
    global _worker_study
    if job.study_id != _worker_study:
        reset_breakers()
        _worker_study = job.study_id
    ray.get(broker.reclaim.remote(job.shard.shard_id))
    install_permits(RayPermits(broker, job.shard.shard_id), limits)
    install_progress(board.report.remote, job.shard.shard_id)  # the ProgressBoard actor
    counts = failure_counts()  # the worker keeps its breakers from shard to shard of a study: send this one's
    try:
        return run_shard(job)
    finally:
        ray.get(board.report_failures.remote(failures_since(counts)))
        install_permits(None)
        install_progress(None)
        ray.get(broker.reclaim.remote(job.shard.shard_id))  # leased permits the ended eval left unused


def model_names(experiment: Experiment) -> list[str]:
    """Every model the study calls: targets, model judges, pressurer, simulator."""
    judges = [seat.name for seat in experiment.judge.choice.model_seats]
    return [*(target.name for target in experiment.targets), *judges, experiment.pressurer, experiment.simulator]


def worker_env(experiment: Experiment) -> dict[str, str]:
    """The variables the workers need from here: the models' keys and base URLs, Inspect's cache folder."""
    names: set[str] = set(FORWARDED_ENV)
    for name in model_names(experiment):
        provider, rest = provider_of(name)
        names.update(provider.key_vars)
        if provider.base_url_var:
            names.add(provider.base_url_var)
        if provider.name == "openai-api":
            service = rest.partition("/")[0].upper().replace("-", "_")
            names.update({f"{service}_API_KEY", f"{service}_BASE_URL"})
    return {name: os.environ[name] for name in sorted(names) if os.environ.get(name)}


def _connect(experiment: Experiment) -> bool:
    """Join the experiment's Ray cluster (its address, else `RAY_ADDRESS`), or start a local instance;
    True when this call connected (so the study disconnects, or stops the instance it started)."""
    if ray.is_initialized():
        return False
    address = experiment.executor.address or os.environ.get("RAY_ADDRESS")
    if not address:
        ray.init(
            num_cpus=experiment.executor.workers or os.cpu_count() or 1,
            object_store_memory=LOCAL_OBJECT_STORE_BYTES,
            include_dashboard=False,
            log_to_driver=False,
            logging_level="ERROR",
        )
    elif address.startswith("ray://"):
        ray.init(address=address)  # Ray Client takes few options
    else:
        ray.init(address=address, log_to_driver=False, logging_level="ERROR")
    return True


def _run_shards(
    experiment: Experiment, study_id: str, log_dir: str, display: str, resume: bool
) -> tuple[list[str], dict[str, str]]:
    """Run every shard on the cluster; returns the succeeded shards' logs and, by shard id, why each other failed."""
    shards = plan_shards(experiment)
    settings = experiment.executor
    data = experiment.model_dump(mode="json")
    env = worker_env(experiment)
    limits = model_limits(experiment)  # resolved here, with the URLs the workers are given
    broker = ray.remote(PermitBroker).options(num_cpus=0, max_concurrency=10_000).remote()
    board = ray.remote(ProgressBoard).options(num_cpus=0).remote()
    task = ray.remote(_shard_task)
    workers = settings.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
    samples_total = sum(len(shard.sample_ids) for shard in shards) * experiment.epochs
    tally = ProgressTally(shards_total=len(shards), samples_total=samples_total)
    if resume:  # the count starts at the samples already in the shards' newest logs
        for shard in shards:
            log = latest_shard_log(shard_log_dir(log_dir, shard.shard_id))
            if log is not None:
                summaries = read_eval_log_sample_summaries(log.location)
                tally.add(shard.shard_id, [(str(s.id), s.epoch, s.error is not None) for s in summaries], 0)
        tally.earlier = tally.samples_done
    queue = list(shards)
    pending: dict[Any, Shard] = {}
    logs: list[str] = []
    failed: dict[str, str] = {}
    try:
        with progress_view(display) as show:
            while queue or pending:
                while queue and len(pending) < workers:
                    shard = queue.pop(0)
                    job = ShardJob(study_id=study_id, shard=shard, experiment=data, log_dir=log_dir, env=env)
                    attempt = task.options(  # a worker running it is titled ray::NAME:SHARD (`ps`, `top`)
                        name=f"{SHARD_TASK_NAME}:{shard.shard_id}", num_cpus=1,
                        max_retries=settings.max_retries, retry_exceptions=True,
                    )  # fmt: skip
                    pending[attempt.remote(job, broker, board, limits)] = shard
                done, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
                for ref in done:
                    shard = pending.pop(ref)
                    try:
                        logs.append(ray.get(ref))
                        tally.shards_done += 1
                    except RayError as error:
                        failed[shard.shard_id] = _reason(error)
                        tally.shards_failed += 1
                        ray.get(broker.reclaim.remote(shard.shard_id))  # its dead worker's permits
                for report in ray.get(board.drain.remote()):
                    tally.add(*report)
                show(tally)
        absorb_breakers(ray.get(board.drain_failures.remote()))  # every attempt's: shown as in one process
    finally:
        for actor in (broker, board):
            ray.kill(actor)
    return logs, failed


def _reason(error: Exception) -> str:
    """The last line of a task's error: what a person needs to see."""
    cause = getattr(error, "cause", None)
    text = str(cause) if cause is not None else str(error)
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def run_sharded_study(
    experiment: Experiment,
    *,
    out: Path | None = None,
    report: bool = True,
    display: str | None = None,
    study_id: str | None = None,
    resume: bool = False,
) -> StudyResult:
    """Run a study as shards on Ray (or continue one, with `study_id` and `resume`); the store is built from the logs."""
    for name in model_names(experiment):
        resolve_model(name)
    study_id = study_id or new_study_id()
    out = Path(out or Path(experiment.out) / study_id)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / SHARDED_MANIFEST
    if manifest.exists():
        log_dir = json.loads(manifest.read_text(encoding="utf-8"))["log_dir"]
    else:
        shared = experiment.executor.log_dir
        log_dir = f"{shared.rstrip('/')}/{study_id}" if shared else str(out / "logs")
        record = {"study_id": study_id, "executor": "ray", "log_dir": log_dir, "experiment": experiment.model_dump(mode="json")}
        manifest.write_text(json.dumps(record, indent=2), encoding="utf-8")
    started = _connect(experiment)
    try:
        logs, failed = _run_shards(experiment, study_id, log_dir, display or default_display(), resume)
    finally:
        if started:
            ray.shutdown()
    db = out / DB_FILENAME
    rebuild_store(log_dir, db)
    result = StudyResult(study_id=study_id, out=out, db=db, failed_shards=failed, shard_logs=logs)
    return finish_report(result, report)


def resume_sharded_study(folder: Path, report: bool = True, display: str | None = None) -> StudyResult:
    """Continue a sharded study whose driver stopped: finished shards are skipped, the others continue from their logs."""
    record = json.loads((folder / SHARDED_MANIFEST).read_text(encoding="utf-8"))
    experiment = Experiment.model_validate(record["experiment"])
    return run_sharded_study(
        experiment, out=folder, report=report, display=display, study_id=record["study_id"], resume=True
    )
