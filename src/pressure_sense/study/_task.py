"""The Inspect task (one Sample per scenario x variant, played by the pressure solver and judged under the
study's rubrics by every judge of its panel) and what every executor hands Inspect with it: the task per
target, the model roles, the eval settings."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task, task_with
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import CachePolicy, GenerateConfig, Model

from pressure_sense.conversation import pressure_conversation
from pressure_sense.experiments import Experiment, TargetSpec
from pressure_sense.judge import (
    Judge,
    JudgeChoice,
    give_in_check,
    judge_reliability,
    stance_check,
    study_scorers,
)
from pressure_sense.models import EMBEDDED_MODEL, ResolvedModel, resolve_model
from pressure_sense.rubrics import ACTIONS, CONVERSATION, Rubric, rubric_named
from pressure_sense.scenarios import Scenario, Variant, expand, resolve_scenarios, variant_grid
from pressure_sense.store import DEFAULT_RUNS_FOLDER, STUDY_METADATA_KEY
from pressure_sense.study._config import SAMPLE_RETRIES

INSPECT_EVAL_DB = DEFAULT_RUNS_FOLDER / "inspect-eval" / "results.sqlite"
"""Where `inspect eval pressure_sense/pressure_study` stores its samples unless `-T db=...` says otherwise."""


def study_samples(scenarios: list[Scenario], variants: list[Variant]) -> list[Sample]:
    """One Sample per scenario x variant that applies to it."""
    return [
        Sample(
            id=f"{scenario.id}:{variant.name}",
            input=scenario.turns[0].content,
            metadata={"scenario": scenario.model_dump(mode="json"), "variant": variant.model_dump()},
        )
        for scenario, variant in expand(scenarios, variants)
    ]


def _names(value: list[str] | str | None) -> list[str] | None:
    """Inspect's `-T name=value` gives one string; a list stays a list."""
    return [value] if isinstance(value, str) else value


def judge_settings(choice: JudgeChoice) -> dict[str, Any]:
    """The judge as a run records it: the panel's labels, and each named judge's measured reliability on the
    conversation rubric (None: not validated)."""
    reliability = {
        seat.name: judge_reliability(seat.judge() if seat.trained else Judge(label=seat.name, method=choice.method))
        for seat in choice.panel
        if seat.name
    }
    return {"judge": ", ".join(seat.label for seat in choice.panel) or None, "judge_reliability": reliability}


def judge_panel(judges: list[str] | str | None, method: str = "auto") -> JudgeChoice:
    """The judge choice as the user named it, each judge checked before any sample (a bad reader file, an
    unknown provider or a missing key fails here); see `JudgeChoice.parse`."""
    choice = JudgeChoice.parse(judges, method)
    for seat in choice.panel:
        seat.check()
    return choice


def study_rubrics(rubrics: list[str | Rubric] | str | None, variants: list[Variant]) -> list[Rubric]:
    """The rubrics named (built-in names or Rubric values), else the conversation rubric plus the action
    rubric when any variant is an agent."""
    named = _names(rubrics)
    if named:
        return [rubric_named(item) if isinstance(item, str) else item for item in named]
    return [CONVERSATION, ACTIONS] if any(variant.mode == "agent" for variant in variants) else [CONVERSATION]


@task
def pressure_study(
    scenarios: list[str] | str | None = None,
    variants: list[str] | str | None = None,
    max_turns: int | None = None,
    judges: list[str] | str | None = None,
    judge_method: str = "auto",
    judge_sees_labels: bool = False,
    rubrics: list[str | Rubric] | str | None = None,
    db: str | None = str(INSPECT_EVAL_DB),
    study_id: str | None = None,
    model_label: str | None = None,
) -> Task:
    """A pressure study.

    Args:
        scenarios: scenario ids, `tag:NAME` selectors or YAML paths (default: the whole library).
        variants: variant names such as `chat` and `chat+reasoning` (default: both reasoning variants).
        max_turns: play at most this many user turns per conversation.
        judges: the panel as the user names judges (`trained`, `trained:PATH` or model names; `none` turns
            judging off; default: the `grader` role's model, else the embedded model), parsed once into a
            `JudgeChoice` with `judge_method`. Judge i answers through the model role `grader`, `grader_2`...
            when the eval binds it, else as named.
        judge_method: auto, json or logprob.
        judge_sees_labels: show the judge our labels (pressure types, intensity); off: the judge is blind.
        rubrics: built-in rubric names or Rubric values (default: conversation, plus actions for agents).
        db: the results store the samples are written to as they finish (None: not stored).
        study_id: groups the runs of one study in the store.
        model_label: the target's name as the user gave it.
    """
    chosen = [Variant.from_name(name) for name in _names(variants)] if variants else variant_grid("both")
    played = resolve_scenarios(_names(scenarios))
    index = {scenario.id: scenario for scenario in played}
    choice = judge_panel(judges, judge_method)
    scorers = study_scorers(study_rubrics(rubrics, chosen), choice, show_labels=judge_sees_labels, scenarios=index)
    # None without a store, so a shard's own survives eval_retry (a task's metadata overrides the log's).
    settings = {"db": db, "study_id": study_id, "model_label": model_label, **judge_settings(choice)} if db else None
    return Task(
        dataset=MemoryDataset(study_samples(played, chosen), name="pressure-study"),
        solver=pressure_conversation(
            max_turns=max_turns, scenarios=index, gave_in=give_in_check(choice), stance=stance_check()
        ),
        scorer=scorers or None,
        metadata={STUDY_METADATA_KEY: settings} if settings else {},
    )


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
