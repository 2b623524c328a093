"""Load scenario YAML files with errors that name file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from pressure_sense.scenarios._schema import Scenario
from pressure_sense.yaml_files import YamlError, load_yaml, read_text

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class ScenarioError(YamlError):
    """A scenario file is invalid; the message names file, line and field."""


def library_dir() -> Path:
    """The folder of built-in scenario files."""
    return Path(str(resources.files("pressure_sense.scenarios") / "library"))


def load_model(path: Path, model: type[M], what: str) -> M:
    """One file validated as `model`; raises ScenarioError naming file, line and field.

    `what` names the kind of file in the error for a non-mapping ("a request", "a tactic").
    """
    text = read_text(path, ScenarioError)
    return load_yaml(text, path, model, f"{what} file must be a YAML mapping of fields", ScenarioError).value


def parse_scenario(text: str, path: Path | str = "<string>") -> Scenario:
    """Parse and validate one scenario from YAML text; raises ScenarioError."""
    shape = "a scenario file must be a YAML mapping (id:, title:, turns: ...)"
    return load_yaml(text, path, Scenario, shape, ScenarioError).value


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
    return parse_scenario(read_text(path, ScenarioError), path)


def yaml_files(path: Path) -> list[Path]:
    """The *.yaml and *.yml files of a folder, sorted; a file is its own list."""
    if path.is_dir():
        return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    return [path]


def load_scenarios(paths: list[Path | str] | None = None) -> list[Scenario]:
    """Load every scenario from files or folders (default: the built-in library).

    Raises ScenarioError listing the problems of every bad file, or on duplicate ids.
    """
    return load_files(list(paths or [library_dir()]), load_scenario, lambda scenario: scenario.id, "id", "scenarios")


def load_files(paths: list[Path | str], load: Callable[[Path], T], key: Callable[[T], str], field: str, what: str) -> list[T]:
    """Every item of the YAML files in `paths` (files or folders; each file once), in file order. Raises
    ScenarioError listing every bad file's problems and every `field` value given in two files."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for file in yaml_files(Path(path)):
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    loaded: list[T] = []
    problems: list[str] = []
    origin: dict[str, Path] = {}
    for file in files:
        try:
            item = load(file)
        except ScenarioError as exc:
            problems.extend(f"{exc.path}:{problem}" for problem in exc.problems)
            continue
        name = key(item)
        if name in origin:
            problems.append(f"{file}:1: field '{field}': duplicate {field} {name!r} (also in {origin[name]})")
            continue
        origin[name] = file
        loaded.append(item)
    if problems:
        error = ScenarioError(files[0] if len(files) == 1 else what, [])
        error.problems = problems
        error.args = ("\n".join(problems),)
        raise error
    return loaded
