"""Resume a study that was interrupted (even by SIGKILL) or whose samples errored: finished samples
are kept, unfinished and errored ones are run again."""

from __future__ import annotations

from pathlib import Path

from inspect_ai import eval_retry
from inspect_ai.log import EvalLog, read_eval_log_sample_summaries
from inspect_ai.model import get_model

from pressure_sense.models import guard, reset_breakers, resolve_model
from pressure_sense.store import DB_FILENAME, DEFAULT_RUNS_FOLDER, newest_logs, study_settings
from pressure_sense.study._config import SAMPLE_RETRIES
from pressure_sense.study._limits import local_limits, saved_limits
from pressure_sense.study._progress import default_display, report_progress
from pressure_sense.study._result import StudyResult, finish_study
from pressure_sense.study._shards import SHARDED_MANIFEST


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
    if (folder / SHARDED_MANIFEST).exists():
        from pressure_sense.study._ray import resume_sharded_study

        return resume_sharded_study(folder, report=report, display=display)
    reset_breakers()
    logs = newest_logs(folder / "logs")  # one per target model
    rerun = [needs_rerun(log) for log in logs]
    unfinished = [log for log, again in zip(logs, rerun) if again]
    finished = [log for log, again in zip(logs, rerun) if not again]
    display = display or default_display()
    report_progress(display == "plain" and bool(unfinished))
    for log in unfinished:
        guard_target(log)
    with local_limits(saved_limits(folder)):
        retried = (
            eval_retry(
                [log.location for log in unfinished],
                log_dir=str(folder / "logs"),
                display=display,
                fail_on_error=False,
                retry_on_error=SAMPLE_RETRIES,
                log_buffer=1,
            )
            if unfinished
            else []
        )
    study_id = study_settings(logs[0].eval.metadata)["study_id"] if logs else folder.name
    result = StudyResult(study_id=study_id, out=folder, db=folder / DB_FILENAME, logs=[*finished, *retried])
    return finish_study(result, report)
