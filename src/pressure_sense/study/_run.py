"""Run a study: resolve models and scenarios, evaluate with Inspect, store, and report."""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from inspect_ai import eval as inspect_eval
from inspect_ai import task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import CachePolicy, GenerateConfig, get_model

from pressure_sense.conversation import pressure_study
from pressure_sense.models import ResolvedModel, resolve_model
from pressure_sense.scenarios import Variant, resolve_scenarios
from pressure_sense.store import DB_FILENAME, DEFAULT_RUNS_FOLDER, ResultsStore
from pressure_sense.study._config import StudyConfig


@dataclass
class StudyResult:
    """Where a study's results are and how each model's run ended."""

    study_id: str
    out: Path
    db: Path
    logs: list[EvalLog] = field(default_factory=list)
    report: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.logs) and all(log.status == "success" for log in self.logs)


def new_study_id() -> str:
    """A sortable, unique study id such as 20261128-051500-3fa9."""
    return f"{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def default_display() -> str:
    """Inspect's rich progress display on a terminal, plain lines otherwise."""
    return "rich" if sys.stdout.isatty() else "plain"


def _judge_name(config: StudyConfig) -> str | None:
    if config.judge == "none":
        return "none"
    return resolve_model(config.judge or "embedded").inspect_name


def _target(resolved: ResolvedModel, config: StudyConfig):
    generate = GenerateConfig(max_tokens=config.max_tokens, temperature=config.temperature)
    return get_model(
        resolved.inspect_name,
        config=generate,
        base_url=resolved.base_url,
        memoize=False,
        **resolved.model_args,
    )


def run_study(config: StudyConfig, display: str | None = None) -> StudyResult:
    """Run every target model over the chosen scenarios and variants; results go to the store.

    Raises KeyError/ValueError (unknown scenario, variant or model; missing API key)
    before any model is loaded.
    """
    resolve_scenarios(config.scenarios)
    for name in config.variants:
        Variant.from_name(name)
    targets = [resolve_model(name) for name in config.models]
    judge = _judge_name(config)

    study_id = new_study_id()
    out = Path(config.out or DEFAULT_RUNS_FOLDER / study_id)
    out.mkdir(parents=True, exist_ok=True)
    db = out / DB_FILENAME
    ResultsStore(db).close()

    tasks = [
        task_with(
            pressure_study(
                scenarios=config.scenarios,
                variants=config.variants,
                max_turns=config.max_turns,
                judge=judge,
                judge_method=config.judge_method,
                db=str(db),
                study_id=study_id,
                model_label=target.label,
            ),
            model=_target(target, config),
        )
        for target in targets
    ]
    logs = inspect_eval(
        tasks,
        log_dir=str(out / "logs"),
        display=display or default_display(),
        epochs=config.epochs,
        max_connections=config.max_connections,
        max_samples=config.max_connections,
        max_tasks=1,
        fail_on_error=False,
        cache=CachePolicy(expiry=None) if config.cache else False,
        tags=["pressure-sense", study_id],
        log_buffer=1,  # flush every finished sample, so a killed study resumes without redoing it
    )
    return finish_study(StudyResult(study_id=study_id, out=out, db=db, logs=list(logs)), config.report)


def finish_study(result: StudyResult, report: bool) -> StudyResult:
    """Store any sample the hook missed, then write the report."""
    with ResultsStore(result.db) as store:
        for log in result.logs:
            store.write_log(log.location, only_missing=True)
    if report:
        from pressure_sense.report import build_report

        result.report = build_report([result.db], result.out / "report.html").html
    return result
