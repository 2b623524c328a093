"""Split a study into shards (one target x a group of scenario-variant samples each, named stably) and run one
as an Inspect eval on a worker, continuing from its flushed log when it was interrupted."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai import eval_retry, task_with
from inspect_ai.log import EvalLog

from pressure_sense.experiments import Experiment
from pressure_sense.inspect_plugins import load_inspect_plugins
from pressure_sense.scenarios import resolve_scenarios
from pressure_sense.store import STUDY_METADATA_KEY, newest_logs
from pressure_sense.study._task import (
    eval_settings,
    judge_settings,
    model_roles,
    study_samples,
    study_task,
    target_model,
)

SHARDED_MANIFEST = "study.json"
"""Written in the folder of a study run by the Ray executor (its shared log location, its experiment)."""


@dataclass(frozen=True)
class Shard:
    """One unit of work for a worker: one target's eval over some of the study's samples."""

    shard_id: str
    """Stable name, `t{target}-s{group}` (e.g. `t00-s003`): the shard's log folder and how it is reported."""
    target: int
    """Index of the target in `experiment.targets`."""
    sample_ids: tuple[str, ...]
    """Sample ids (`scenario:variant`) this shard plays, every epoch of each."""


def plan_shards(experiment: Experiment) -> list[Shard]:
    """The study's shards: per target, consecutive groups of `executor.shard_size` samples in the order the
    in-process executor plays them."""
    samples = study_samples(resolve_scenarios(experiment.scenarios), experiment.variants.variants())
    ids = [str(sample.id) for sample in samples]
    size = experiment.executor.shard_size
    return [
        Shard(shard_id=f"t{target:02d}-s{start // size:03d}", target=target, sample_ids=tuple(ids[start : start + size]))
        for target in range(len(experiment.targets))
        for start in range(0, len(ids), size)
    ]


class ShardFailed(RuntimeError):
    """A shard's eval ended without success; the message names the shard and says why."""


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker needs to run a shard (plain data, so it travels to any node)."""

    study_id: str
    shard: Shard
    experiment: dict[str, Any]
    """The experiment as `Experiment.model_dump(mode="json")`."""
    log_dir: str
    """The study's shared log location; the shard writes under `{log_dir}/{shard_id}`."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables the models need (keys, base URLs), set in the worker before they are resolved."""


def shard_log_dir(log_dir: str, shard_id: str) -> str:
    """Where a shard's logs go: a sub-folder (or sub-prefix of a URL) of the study's log location."""
    return f"{log_dir.rstrip('/')}/{shard_id}"


def latest_shard_log(folder: str) -> EvalLog | None:
    """The newest log header in a shard's folder, or None when the shard never started."""
    return (newest_logs(folder) or [None])[-1]


def _shard_eval(job: ShardJob, experiment: Experiment, folder: str) -> EvalLog:
    resolved, model = target_model(experiment.targets[job.shard.target])
    task = study_task(experiment, resolved, model, db=None, study_id=job.study_id)
    metadata = {
        "db": None,
        "study_id": job.study_id,
        "model_label": resolved.label,
        **judge_settings(experiment.judge.choice),  # as in one process
        "shard": job.shard.shard_id,
        "run_key": f"{job.study_id}-t{job.shard.target:02d}",  # the store's run: every shard of the target
    }
    roles = model_roles(experiment)
    logs = inspect_eval(
        task_with(task, metadata={STUDY_METADATA_KEY: metadata}),
        log_dir=folder,
        display="none",
        model_roles=roles or None,
        sample_id=list(job.shard.sample_ids),
        **eval_settings(experiment, job.study_id),
    )
    return logs[0]


def run_shard(job: ShardJob) -> str:
    """Run a shard to the end (skipped when its log already succeeded, else continued or started); returns its
    log's location. Raises ShardFailed when the eval ends without success (so the executor can retry it)."""
    os.environ.update(job.env)
    load_inspect_plugins()
    experiment = Experiment.model_validate(job.experiment)
    folder = shard_log_dir(job.log_dir, job.shard.shard_id)
    previous = latest_shard_log(folder)
    if previous is not None and previous.status == "success":
        log = previous
    elif previous is not None:
        log = eval_retry(previous.location, log_dir=folder, display="none", fail_on_error=False, log_buffer=1)[0]
    else:
        log = _shard_eval(job, experiment, folder)
    if log.status != "success":
        reason = log.error.message.strip().splitlines()[-1] if log.error else "no error message"
        raise ShardFailed(f"shard {job.shard.shard_id} ended with status {log.status}: {reason}")
    return log.location
