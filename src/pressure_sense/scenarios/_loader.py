"""Load scenario YAML files with errors that name file, line and field."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pressure_sense._yaml_locations import (
    YamlProblems,
    field_path,
    line_of,
    read_yaml,
)
from pressure_sense.scenarios._schema import PressureType, Scenario


M = TypeVar("M", bound=BaseModel)


class ScenarioError(ValueError):
    """A scenario file is invalid; the message names file, line and field."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}:{problem}" for problem in problems))


def library_dir() -> Path:
    """The folder of built-in scenario files."""
    return Path(str(resources.files("pressure_sense.scenarios") / "library"))


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    if error["type"] == "enum" and ("pressure_types" in loc or "pressure_type" in loc):
        allowed = ", ".join(kind.value for kind in PressureType)
        return f"unknown pressure type {error['input']!r}; choose one of: {allowed}"
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    if error["type"] == "too_short" and loc == ("turns",):
        return "a scenario needs at least one turn"
    message = str(error["msg"]).removeprefix("Value error, ")
    if isinstance(error.get("input"), (str, int, float, bool)):
        message += f" (got {error['input']!r})"
    return message


def parse_model(text: str, path: Path | str, model: type[M], what: str) -> M:
    """Parse YAML text and validate it as `model`; raises ScenarioError naming file, line and field.

    `what` names the kind of file in the error for a non-mapping ("a scenario", "a request"...).
    """
    try:
        root, data = read_yaml(text)
    except YamlProblems as exc:
        raise ScenarioError(path, exc.problems) from None
    if not isinstance(data, dict) or root is None:
        raise ScenarioError(path, [f"1: {what} file must be a YAML mapping of fields"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(f"{line_of(root, loc)}: field '{field_path(loc)}': {_describe(error)}")
        raise ScenarioError(path, problems) from None


def read_text(path: Path) -> str:
    """A file's UTF-8 text; raises ScenarioError (file and line) when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(path, [f"1: cannot read file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ScenarioError(path, [f"{line}: file is not UTF-8 text (byte {exc.start})"]) from None


def parse_scenario(text: str, path: Path | str = "<string>") -> Scenario:
    """Parse and validate one scenario from YAML text; raises ScenarioError."""
    try:
        return parse_model(text, path, Scenario, "a scenario")
    except ScenarioError as exc:
        if exc.problems[0].startswith("1: a scenario file must be"):
            raise ScenarioError(path, ["1: a scenario file must be a YAML mapping (id:, title:, turns: ...)"]) from None
        raise


def load_scenario(path: Path | str) -> Scenario:
    """Load and validate one scenario file; an unchanged file is read and validated once per process."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ScenarioError(path, [f"1: cannot read file: {exc.strerror or exc}"]) from None
    return _load_unchanged(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1024)
def _load_unchanged(path: Path, mtime_ns: int, size: int) -> Scenario:
    """One file's scenario, cached by path, modification time and size (Scenario values are frozen)."""
    return parse_scenario(read_text(path), path)


def yaml_files(path: Path) -> list[Path]:
    """The *.yaml and *.yml files of a folder, sorted; a file is its own list."""
    if path.is_dir():
        return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    return [path]


def load_scenarios(paths: list[Path | str] | None = None) -> list[Scenario]:
    """Load every scenario from files or folders (default: the built-in library).

    Raises ScenarioError listing the problems of every bad file, or on duplicate ids.
    """
    files: list[Path] = []
    resolved: set[Path] = set()
    for path in paths or [library_dir()]:
        for file in yaml_files(Path(path)):
            if file.resolve() not in resolved:
                resolved.add(file.resolve())
                files.append(file)
    scenarios: list[Scenario] = []
    problems: list[str] = []
    origin: dict[str, Path] = {}
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            problems.extend(f"{exc.path}:{problem}" for problem in exc.problems)
            continue
        if scenario.id in origin:
            problems.append(f"{file}:1: field 'id': duplicate id {scenario.id!r} (also in {origin[scenario.id]})")
            continue
        origin[scenario.id] = file
        scenarios.append(scenario)
    if problems:
        error = ScenarioError(files[0] if len(files) == 1 else "scenarios", [])
        error.problems = problems
        error.args = ("\n".join(problems),)
        raise error
    return scenarios


class UnknownScenarioError(KeyError):
    """A scenario selector matched nothing; `str()` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0])
