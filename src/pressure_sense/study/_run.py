"""Run a study (resolve models and scenarios, evaluate with Inspect, store, report), or resume one that was
interrupted (even by SIGKILL) or whose samples errored: finished samples are kept, the others run again."""

from __future__ import annotations

from pathlib import Path

from inspect_ai import eval as inspect_eval
from inspect_ai import eval_retry
from inspect_ai.log import EvalLog, read_eval_log_sample_summaries
from inspect_ai.model import get_model

from pressure_sense.experiments import Experiment
from pressure_sense.models import guard, reset_breakers, resolve_model
from pressure_sense.scenarios import resolve_scenarios, write_scenarios
from pressure_sense.store import DB_FILENAME, DEFAULT_RUNS_FOLDER, ResultsStore, newest_logs, study_settings
from pressure_sense.study._config import SAMPLE_RETRIES
from pressure_sense.study._limits import local_limits, model_limits, save_limits, saved_limits
from pressure_sense.study._progress import default_display, report_progress
from pressure_sense.study._result import StudyResult, finish_study, new_study_id
from pressure_sense.study._shards import SHARDED_MANIFEST
from pressure_sense.study._task import eval_settings, model_roles, study_task, target_model

FACTORIAL_FOLDER = "scenarios"
"""Subfolder of a factorial study's folder holding its expanded scenario files."""


def run_study(
    experiment: Experiment, *, out: Path | None = None, report: bool = True, display: str | None = None
) -> StudyResult:
    """Run every target over the experiment's scenarios and variants into the store, in `out` (default: the
    experiment's `out`/STUDY_ID). Raises KeyError or ValueError (unknown scenario or model, missing API key)
    before any model is loaded."""
    design = experiment.factorial.expand() if experiment.factorial is not None else None
    if design is None:
        resolve_scenarios(experiment.scenarios)
    reset_breakers()
    if experiment.executor.kind == "ray":
        if design is not None:
            raise ValueError("a factorial design runs with the local executor; the Ray executor does not expand one")
        from pressure_sense.study._ray import run_sharded_study

        return run_sharded_study(experiment, out=out, report=report, display=display)
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


def study_folder(run: str | Path) -> Path:
    """The output folder of a study given as a folder or a study id; ValueError when there is none."""
    for candidate in (Path(run), DEFAULT_RUNS_FOLDER / str(run)):
        if (candidate / "logs").is_dir() or (candidate / SHARDED_MANIFEST).is_file():
            return candidate
    raise ValueError(f"no study at {run!r}: give a study's output folder or its id under {DEFAULT_RUNS_FOLDER}/")


def needs_rerun(log: EvalLog) -> bool:
    """Whether a task's log left work undone: it did not end in success, or (with `fail_on_error=False`
    Inspect marks such a log success) any of its samples ended in an error."""
    if log.status != "success":
        return True
    return any(summary.error for summary in read_eval_log_sample_summaries(log.location))


def guard_target(log: EvalLog) -> None:
    """Give the target model `eval_retry` will build from `log` its circuit breaker: Inspect memoizes the model
    it gets with these arguments, so `eval_retry` receives this guarded instance."""
    spec = log.eval
    model = get_model(spec.model, config=spec.model_generate_config, base_url=spec.model_base_url, **spec.model_args)
    label = study_settings(spec.metadata)["model_label"]
    guard(model, label, spec.model_base_url, resolve_model(label, spec.model_base_url, check=False).api_key_var)


def resume_study(run: str | Path, report: bool = True, display: str | None = None) -> StudyResult:
    """Re-run what a study left unfinished or errored; its finished samples come from its logs, not the model."""
    folder = study_folder(run)
    reset_breakers()
    if (folder / SHARDED_MANIFEST).exists():
        from pressure_sense.study._ray import resume_sharded_study

        return resume_sharded_study(folder, report=report, display=display)
    logs = newest_logs(folder / "logs")  # one per target model
    rerun = [needs_rerun(log) for log in logs]
    unfinished = [log for log, again in zip(logs, rerun) if again]
    finished = [log for log, again in zip(logs, rerun) if not again]
    display = display or default_display()
    report_progress(display == "plain" and bool(unfinished))
    for log in unfinished:
        guard_target(log)
    retried: list[EvalLog] = []
    if unfinished:
        with local_limits(saved_limits(folder)):
            retried = eval_retry(
                [log.location for log in unfinished],
                log_dir=str(folder / "logs"),
                display=display,
                fail_on_error=False,
                retry_on_error=SAMPLE_RETRIES,
                log_buffer=1,
            )
    study_id = study_settings(logs[0].eval.metadata)["study_id"] if logs else folder.name
    result = StudyResult(study_id=study_id, out=folder, db=folder / DB_FILENAME, logs=[*finished, *retried])
    return finish_study(result, report)
