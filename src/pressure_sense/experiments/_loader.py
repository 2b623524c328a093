"""Load experiment YAML files with errors that name file, line and field; merge command-line flags; refuse
epochs that would only repeat a greedily decoded conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pressure_sense.experiments._schema import Experiment, TargetSpec
from pressure_sense.scenarios import ScenarioError, load_scenarios, resolve_scenarios
from pressure_sense.yaml_files import Loaded, YamlError, describe, load_yaml, read_text


class ExperimentError(YamlError):
    """An experiment file (or flag) is invalid; each problem reads `file:line: field '...': what`."""


SUGGESTED_TEMPERATURE = 0.7
"""The sampling temperature the replicate refusal suggests."""


def _relative_to(base: Path, value: str) -> str:
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _local(base: Path, selector: str) -> str:
    """The selector as a path relative to `base` when that exists, else as given (an id or a tag)."""
    local = _relative_to(base, selector)
    return local if Path(local).exists() else selector


def _scenario_problems(selectors: list[str], base: Path, loaded: Loaded[Experiment]) -> tuple[list[str], list[str]]:
    """Selectors with paths made relative to the file, and a problem for each that selects nothing."""
    resolved, problems = [], []
    library = None
    for index, selector in enumerate(selectors):
        selector = _local(base, selector)
        resolved.append(selector)
        try:
            library = library if library is not None else load_scenarios()
            resolve_scenarios([selector], library)
        except (KeyError, ScenarioError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) else str(exc)
            problems.append(loaded.problem(("scenarios", index), message))
    return resolved, problems


def parse_experiment(text: str, path: Path | str = "<string>", base: Path | None = None) -> Experiment:
    """Parse and validate an experiment from YAML text; raises ExperimentError.

    Scenario paths and `out` are taken relative to `base` (default: the file's folder).
    """
    base = base if base is not None else Path(path).parent
    shape = "an experiment file must be a YAML mapping (targets:, judge:, scenarios: ...)"
    loaded = load_yaml(text, path, Experiment, shape, ExperimentError)
    experiment = loaded.value
    scenarios, problems = _scenario_problems(experiment.scenarios, base, loaded)
    problems += _factorial_problems(loaded)
    if problems:
        raise ExperimentError(path, problems)
    factorial = experiment.factorial
    if factorial is not None:
        requests = [_local(base, p) for p in factorial.requests]
        tactics = [_relative_to(base, p) for p in factorial.tactics]
        factorial = factorial.model_copy(update={"requests": requests, "tactics": tactics})
    update: dict[str, Any] = {"scenarios": scenarios, "out": _relative_to(base, experiment.out), "factorial": factorial}
    log_dir = experiment.executor.log_dir
    if log_dir and "://" not in log_dir:
        update["executor"] = experiment.executor.model_copy(update={"log_dir": _relative_to(base, log_dir)})
    return experiment.model_copy(update=update)


def _factorial_problems(loaded: Loaded[Experiment]) -> list[str]:
    """A problem (line, field) when the factorial section selects nothing or sits beside `scenarios`."""
    experiment = loaded.value
    if experiment.factorial is None:
        return []
    if experiment.scenarios:
        return [loaded.problem(("scenarios",), "a factorial study takes its scenarios from the factorial section; remove one")]
    try:
        experiment.factorial.expand()
    except (KeyError, ScenarioError, ValueError) as exc:
        return [loaded.problem(("factorial",), exc.args[0] if isinstance(exc, KeyError) else str(exc))]
    return []


def load_experiment(path: Path | str) -> Experiment:
    """Load and validate one experiment file; raises ExperimentError naming file, line and field."""
    return parse_experiment(read_text(path, ExperimentError), Path(path))


OVERRIDABLE: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "targets": ("targets",),
    "judge": ("judge", "name"),
    "judge_method": ("judge", "method"),
    "judge_sees_labels": ("judge", "sees_labels"),
    "scenarios": ("scenarios",),
    "reasoning": ("variants", "reasoning"),
    "modes": ("variants", "modes"),
    "conditions": ("variants", "conditions"),
    "pressurer": ("pressurer",),
    "simulator": ("simulator",),
    "epochs": ("epochs",),
    "max_turns": ("max_turns",),
    "concurrency": ("concurrency",),
    "out": ("out",),
    "cache": ("cache",),
    "factorial": ("factorial",),
    "executor": ("executor", "kind"),
    "address": ("executor", "address"),
}
"""Command-line flags `merge_overrides` accepts, and the field each sets."""


def merge_overrides(experiment: Experiment, **flags: Any) -> Experiment:
    """The experiment with every flag that is not None replacing the file's value.

    `targets` takes model names; `judge` a name or list. Raises ExperimentError (path
    "command line", field `--flag`) for an invalid value, TypeError for an unknown flag.
    """
    unknown = sorted(set(flags) - set(OVERRIDABLE))
    if unknown:
        raise TypeError(f"unknown experiment flags {unknown}; valid: {', '.join(OVERRIDABLE)}")
    data = experiment.model_dump()
    for flag, value in flags.items():
        if value is None:
            continue
        *parents, leaf = OVERRIDABLE[flag]
        target = data
        for parent in parents:
            target = target[parent]
        target[leaf] = [{"name": name} for name in value] if flag == "targets" else value
    try:
        return Experiment.model_validate(data)
    except ValidationError as exc:
        by_field = {path: flag for flag, path in OVERRIDABLE.items()}
        problems = []
        for error in exc.errors():
            loc = tuple(str(part) for part in error["loc"] if isinstance(part, str))
            flag = next((by_field[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in by_field), loc[0])
            problems.append(f" flag '--{flag.replace('_', '-')}': {describe(error)}")
        raise ExperimentError("command line", problems) from None


def decodes_greedily(target: TargetSpec) -> bool:
    """Whether the target's answers are deterministic: temperature 0, or unset on the embedded model."""
    if target.temperature is not None:
        return target.temperature == 0
    return target.name.startswith("embedded")


def replicate_problems(experiment: Experiment) -> list[str]:
    """One problem per target whose epochs would be identical replicates (empty when epochs is 1): every
    interval counts the epochs of a scenario x variant as independent conversations."""
    if experiment.epochs <= 1:
        return []
    problems = []
    for target in filter(decodes_greedily, experiment.targets):
        why = "temperature 0"
        if target.temperature != 0:
            why = "temperature unset, and the embedded model then decodes greedily"
        problems.append(
            f" field 'epochs': {experiment.epochs} epochs of target '{target.name}' would be {experiment.epochs} "
            f"identical conversations per scenario × variant ({why}), which the statistics would count as "
            f"independent replicates. Sample instead: set a temperature on the target (e.g. `temperature: "
            f"{SUGGESTED_TEMPERATURE}` in the experiment file, or --temperature {SUGGESTED_TEMPERATURE}); "
            "or use epochs: 1."
        )
    return problems


def check_replicates(experiment: Experiment, source: str = "experiment") -> None:
    """Raise ExperimentError (naming `source`) when an epoch would repeat a greedy conversation."""
    problems = replicate_problems(experiment)
    if problems:
        raise ExperimentError(source, problems)
