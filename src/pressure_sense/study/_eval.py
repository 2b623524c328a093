"""What every executor hands Inspect for a study: the task per target, the model roles, the eval settings."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task_with
from inspect_ai.model import CachePolicy, GenerateConfig, Model

from pressure_sense.experiments import Experiment, TargetSpec
from pressure_sense.models import EMBEDDED_MODEL, ResolvedModel, resolve_model
from pressure_sense.study._config import SAMPLE_RETRIES
from pressure_sense.study._task import pressure_study


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
