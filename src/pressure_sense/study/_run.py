"""Run a study: resolve models and scenarios, evaluate with Inspect, store, and report."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai import Task, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import CachePolicy, GenerateConfig, Model

from pressure_sense.experiments import Experiment, TargetSpec
from pressure_sense.models import (
    EMBEDDED_MODEL,
    ResolvedModel,
    failing_models,
    reset_breakers,
    resolve_model,
)
from pressure_sense.scenarios import resolve_scenarios, write_scenarios
from pressure_sense.store import DB_FILENAME, ResultsStore, samples_frame
from pressure_sense.study._config import SAMPLE_RETRIES
from pressure_sense.study._task import pressure_study
from pressure_sense.study._progress import report_progress
from pressure_sense.study._limits import local_limits, model_limits, save_limits


FACTORIAL_FOLDER = "scenarios"
"""Subfolder of a factorial study's folder holding its expanded scenario files."""


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


def default_display() -> str:
    """Inspect's rich progress display on a terminal, plain lines otherwise."""
    return "rich" if sys.stdout.isatty() else "plain"


def model_roles(experiment: Experiment) -> dict[str, Model]:
    """The eval's model roles, each with its base URL and args: the judges (`grader`, `grader_2`... for a
    panel), and the pressurer and tool simulator when they are not the embedded model."""
    roles = {
        seat.role: resolve_model(seat.name).get_model(budget=experiment.judge.budget, memoize=False)
        for seat in experiment.judge.choice.model_seats
    }
    for role in ("pressurer", "simulator"):
        resolved = resolve_model(getattr(experiment, role))
        if resolved.inspect_name != EMBEDDED_MODEL:
            roles[role] = resolved.get_model(memoize=False)
    return roles


def target_model(target: TargetSpec) -> tuple[ResolvedModel, Model]:
    """A target's resolved name and its Inspect model with the target's generation settings and retry budget."""
    resolved = resolve_model(target.name, base_url=target.base_url, **target.args)
    generate = GenerateConfig(max_tokens=target.max_tokens, temperature=target.temperature)
    return resolved, resolved.get_model(config=generate, budget=target.budget, memoize=False)


def study_task(
    experiment: Experiment,
    resolved: ResolvedModel,
    model: Model,
    *,
    db: str | None,
    study_id: str,
    scenarios: list[str] | None = None,
) -> Task:
    """The Inspect task that plays the experiment for one target (its samples go to `db` when set);
    `scenarios` overrides the experiment's selectors (a factorial design's written folder)."""
    return task_with(
        pressure_study(
            scenarios=scenarios if scenarios is not None else experiment.scenarios,
            variants=[variant.name for variant in experiment.variants.variants()],
            max_turns=experiment.max_turns,
            judges=experiment.judge.names,
            judge_method=experiment.judge.method,
            judge_sees_labels=experiment.judge.sees_labels,
            db=db,
            study_id=study_id,
            model_label=resolved.label,
        ),
        model=model,
    )


def eval_settings(experiment: Experiment, study_id: str) -> dict[str, Any]:
    """The Inspect eval settings every executor uses for a study (concurrency, retries, cache, flushing, tags)."""
    return {
        "epochs": experiment.epochs,
        "max_connections": experiment.concurrency,
        "max_samples": experiment.concurrency,
        "fail_on_error": False,
        "retry_on_error": SAMPLE_RETRIES,
        "cache": CachePolicy(expiry=None) if experiment.cache else False,
        "tags": ["pressure-sense", study_id],
        "log_buffer": 1,  # flush every finished sample, so a killed study resumes without redoing it
    }


def run_study(
    experiment: Experiment, *, out: Path | None = None, report: bool = True, display: str | None = None
) -> StudyResult:
    """Run every target over the experiment's scenarios and variants; results go to the store.

    `out` is the study's folder (default: the experiment's `out`/STUDY_ID). Raises KeyError or
    ValueError (unknown scenario or model, missing API key) before any model is loaded.
    """
    design = experiment.factorial.expand() if experiment.factorial is not None else None
    if design is None:
        resolve_scenarios(experiment.scenarios)
    if experiment.executor.kind == "ray":
        if design is not None:
            raise ValueError("a factorial design runs with the local executor; the Ray executor does not expand one")
        from pressure_sense.study._ray import run_sharded_study

        return run_sharded_study(experiment, out=out, report=report, display=display)
    reset_breakers()
    targets = [target_model(target) for target in experiment.targets]
    roles = model_roles(experiment)

    study_id = new_study_id()
    out = Path(out or Path(experiment.out) / study_id)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot make the study folder {out}: {error.strerror or error}; give another --out") from None
    db = out / DB_FILENAME
    ResultsStore(db).close()
    selectors = None
    if design is not None:  # the design's scenarios are written into the study's folder, so a resume finds them
        selectors = [str(write_scenarios(design, out / FACTORIAL_FOLDER)[0].parent)]

    tasks = [
        study_task(experiment, resolved, model, db=str(db), study_id=study_id, scenarios=selectors)
        for resolved, model in targets
    ]
    display = display or default_display()
    report_progress(display == "plain")  # Inspect's plain display stays silent until samples end
    limits = model_limits(experiment)
    save_limits(limits, out)
    with local_limits(limits):
        logs = inspect_eval(
            tasks,
            log_dir=str(out / "logs"),
            display=display,
            model_roles=roles or None,
            max_tasks=1,
            **eval_settings(experiment, study_id),
        )
    return finish_study(StudyResult(study_id=study_id, out=out, db=db, logs=list(logs)), report)


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
