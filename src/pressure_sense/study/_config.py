"""The default and quick studies, as experiments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pressure_sense.experiments import Experiment, FactorialSpec, check_replicates, load_experiment, merge_overrides
from pressure_sense.scenarios import resolve_scenarios

DEFAULT_SCENARIOS = ["tag:core"]
"""The default study: the library's core scenarios."""
QUICK_SCENARIOS = 2
"""The `--quick` preset plays this many core scenarios..."""
QUICK_TURNS = 3
"""...for at most this many turns each..."""
QUICK_EMBEDDED_MAX_TOKENS = 96
"""...and the embedded model answers in at most this many tokens unless told otherwise: decoding is most of
the preset's time, and 3 turns x 150 tokens took 72 s on the README's 2-core machine (target: under 60 s)."""
SAMPLE_RETRIES = 3
"""Times Inspect re-runs a sample that ended in an error (a transient fault the provider did not retry)
before it is stored as errored; `run --resume` runs it again later."""
DEFAULT_EMBEDDED_MAX_TOKENS = 150
"""Answer length for the embedded model when nothing else is set: it keeps the default study short on a CPU."""


def default_experiment(**overrides: Any) -> Experiment:
    """The default study (embedded model, core scenarios, both reasoning variants), with overrides."""
    return merge_overrides(Experiment(scenarios=DEFAULT_SCENARIOS), **overrides)


def quick_experiment(**overrides: Any) -> Experiment:
    """The `--quick` preset: the first core scenarios, a few turns each."""
    core = resolve_scenarios(DEFAULT_SCENARIOS)[:QUICK_SCENARIOS]
    return merge_overrides(
        Experiment(scenarios=[scenario.id for scenario in core], max_turns=QUICK_TURNS), **overrides
    )


DESIGNS = ("scripted", "factorial")
"""`run --design`: the library's scripted scenarios, or a factorial design of requests x tactics."""


def _factorial_experiment(
    config: Path | str | None, all_scenarios: bool, factorial: dict[str, object], flags: dict[str, object]
) -> Experiment:
    """A factorial study: `-s` selects requests (ids, tag:NAME, paths), the file's `factorial` section the rest."""
    base = load_experiment(config) if config else Experiment()
    spec = base.factorial.model_dump() if base.factorial is not None else {}
    requests = flags.pop("scenarios", None)
    if requests is not None or all_scenarios:
        spec["requests"] = list(requests or [])
    for key, value in (("types", factorial["types"]), ("schedules", factorial["schedules"])):
        if value:
            spec[key] = list(value)  # type: ignore[arg-type]
    if factorial["mixed"]:
        spec["mixed"] = True
    return merge_overrides(base, scenarios=[], factorial=FactorialSpec(**spec).model_dump(), **flags)


def _with_generation(
    experiment: Experiment, max_tokens: int | None, temperature: float | None, embedded_max_tokens: int,
    retries: dict[str, object],
) -> Experiment:
    """Apply --max-tokens/--temperature to every target (the embedded model gets a short default) and the
    retry budget (--max-retries/--timeout/--attempt-timeout, those given) to every target and the judge."""
    budget = {name: value for name, value in retries.items() if value is not None}
    targets = []
    for target in experiment.targets:
        update = {"temperature": temperature} if temperature is not None else {}
        if max_tokens is not None:
            update["max_tokens"] = max_tokens
        elif target.max_tokens is None and target.name.startswith("embedded"):
            update["max_tokens"] = embedded_max_tokens
        targets.append(target.model_copy(update={**update, **budget}))
    return experiment.model_copy(update={"targets": targets, "judge": experiment.judge.model_copy(update=budget)})


RETRY_FLAGS = ("max_retries", "timeout", "attempt_timeout")
"""`run` flags that set the retry budget of every target and judge (`RetryBudget`)."""


def build_experiment(
    config: Path | str | None, quick: bool, all_scenarios: bool, max_tokens: int | None, temperature: float | None,
    **flags: object,
) -> Experiment:
    """The experiment a `run` command line describes: file or preset, then the flags on top. Raises
    ExperimentError when epochs > 1 would repeat a greedily decoded conversation (`check_replicates`)."""
    if quick and config:
        raise ValueError("--quick and --config are alternatives: choose one")
    retries = {name: flags.pop(name, None) for name in RETRY_FLAGS}
    design = flags.pop("design", None) or "scripted"
    factorial = {key: flags.pop(key, None) for key in ("types", "schedules", "mixed")}
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; choose one of: {', '.join(DESIGNS)}")
    if design == "factorial":
        if quick:
            raise ValueError("--quick and --design factorial are alternatives: choose one")
        experiment = _factorial_experiment(config, all_scenarios, factorial, flags)
        return _with_generation(experiment, max_tokens, temperature, DEFAULT_EMBEDDED_MAX_TOKENS, retries)
    if any(value for value in factorial.values()):
        raise ValueError("--type, --schedule and --mixed shape a factorial design: add --design factorial")
    if all_scenarios and flags.get("scenarios"):
        raise ValueError("--all and --scenario are alternatives: choose one")
    if all_scenarios:
        flags["scenarios"] = []
    if config:
        experiment = merge_overrides(load_experiment(config), **flags)
    elif quick:
        experiment = quick_experiment(**flags)
    else:
        experiment = default_experiment(**flags)
    embedded_max_tokens = QUICK_EMBEDDED_MAX_TOKENS if quick else DEFAULT_EMBEDDED_MAX_TOKENS
    experiment = _with_generation(experiment, max_tokens, temperature, embedded_max_tokens, retries)
    check_replicates(experiment, "command line" if config is None else str(config))
    return experiment
