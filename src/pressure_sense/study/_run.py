"""Run a study: resolve models and scenarios, evaluate with Inspect, store, and report."""

from __future__ import annotations

from pathlib import Path

from inspect_ai import eval as inspect_eval

from pressure_sense.experiments import Experiment
from pressure_sense.models import reset_breakers
from pressure_sense.scenarios import resolve_scenarios, write_scenarios
from pressure_sense.store import DB_FILENAME, ResultsStore
from pressure_sense.study._eval import eval_settings, model_roles, study_task, target_model
from pressure_sense.study._limits import local_limits, model_limits, save_limits
from pressure_sense.study._progress import default_display, report_progress
from pressure_sense.study._result import StudyResult, finish_study, new_study_id

FACTORIAL_FOLDER = "scenarios"
"""Subfolder of a factorial study's folder holding its expanded scenario files."""


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
