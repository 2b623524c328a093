"""Load scenario, request and tactic files with errors that name file, line and field; pick them by selector."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from pressure_sense.scenarios._design import Request, Tactic
from pressure_sense.scenarios._expand import MIXED, FactorialId, Schedule, expand_design
from pressure_sense.scenarios._schema import PressureType, Scenario
from pressure_sense.yaml_files import YamlError, load_yaml, read_text

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Item = TypeVar("Item", Scenario, Request)

FACTORIAL_TAG_PREFIXES: tuple[str, ...] = ("factorial", "request:", "type:", "schedule:", "domain:")
"""Tags that select from the built-in factorial design when no hand-written scenario has them."""


class ScenarioError(YamlError):
    """A scenario file is invalid; the message names file, line and field."""


class UnknownScenarioError(KeyError):
    """A selector matched nothing; `str()` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _builtin(folder: str) -> Path:
    return Path(str(resources.files("pressure_sense.scenarios") / folder))


def library_dir() -> Path:
    """The folder of built-in scenario files."""
    return _builtin("library")


def requests_dir() -> Path:
    """The folder of built-in request files."""
    return _builtin("requests")


def tactics_dir() -> Path:
    """The folder of built-in tactic files."""
    return _builtin("tactics")


def _load_model(path: Path | str, model: type[M], what: str) -> M:
    """One file validated as `model`; `what` names the kind of file in the error for a non-mapping."""
    text = read_text(path, ScenarioError)
    return load_yaml(text, path, model, f"{what} file must be a YAML mapping of fields", ScenarioError).value


def load_request(path: Path | str) -> Request:
    """Load and validate one request file; raises ScenarioError."""
    return _load_model(Path(path), Request, "a request")


def load_tactic(path: Path | str) -> Tactic:
    """Load and validate one tactic file; raises ScenarioError."""
    return _load_model(Path(path), Tactic, "a tactic")


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


def _load_files(
    paths: list[Path | str], load: Callable[[Path], T], key: Callable[[T], str], field: str, what: str
) -> list[T]:
    """Every item of the YAML files in `paths` (files or folders; each file once), in file order. Raises
    ScenarioError listing every bad file's problems and every `field` value given in two files."""
    unique: dict[Path, Path] = {}
    for path in map(Path, paths):
        for file in sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]:
            unique.setdefault(file.resolve(), file)
    files = list(unique.values())
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


def load_scenarios(paths: list[Path | str] | None = None) -> list[Scenario]:
    """Every scenario in the files or folders (default: the built-in library); ScenarioError lists every bad
    file's problems and every duplicate id."""
    return _load_files(list(paths or [library_dir()]), load_scenario, lambda scenario: scenario.id, "id", "scenarios")


def load_requests(paths: list[Path | str] | None = None) -> list[Request]:
    """Every request in the files or folders (default: the built-in requests), in file order."""
    return _load_files(list(paths or [requests_dir()]), load_request, lambda request: request.id, "id", "requests")


def load_tactics(paths: list[Path | str] | None = None) -> list[Tactic]:
    """Every tactic in the files or folders (default: the built-in tactics); one per pressure type."""
    return _load_files(
        list(paths or [tactics_dir()]), load_tactic, lambda t: t.pressure_type.value, "pressure_type", "tactics"
    )


def _select(
    selectors: list[str] | None,
    library: list[Item],
    noun: str,
    tagged: Callable[[str], list[Item]],
    load: Callable[[list[Path | str]], list[Item]],
    built: Callable[[str], Item | None] = lambda selector: None,
) -> list[Item]:
    """What `selectors` pick from `library`, each once, in first-picked order (none: the whole library).

    `tagged(NAME)` gives the items of `tag:NAME` (raising when there are none), `built(id)` an item the library
    lacks (or None), `load([path])` a file's or folder's items. Ids and tags are matched before paths, so a
    folder named like an id never shadows it. UnknownScenarioError (a KeyError) names an unknown selector.
    """
    if not selectors:
        return library
    by_id = {item.id: item for item in library}
    chosen: dict[str, Item] = {}
    for selector in selectors:
        if selector.startswith("tag:"):
            chosen.update({item.id: item for item in tagged(selector[4:])})
        elif selector in by_id:
            chosen[selector] = by_id[selector]
        elif (item := built(selector)) is not None:
            chosen[selector] = item
        elif Path(selector).exists():
            found = load([selector])
            if not found:
                raise UnknownScenarioError(f"no {noun} files (*.yaml, *.yml) in {selector}")
            chosen.update({item.id: item for item in found})
        elif "/" in selector or "\\" in selector or selector.endswith((".yaml", ".yml")):
            raise UnknownScenarioError(f"no such {noun} file or folder: {selector}")
        else:
            raise UnknownScenarioError(
                f"unknown {noun} {selector!r}; give an id, tag:NAME or a path; ids: {', '.join(sorted(by_id))}"
            )
    return list(chosen.values())


def resolve_requests(selectors: list[str] | None, library: list[Request] | None = None) -> list[Request]:
    """Pick requests by id, `tag:NAME` (a tag or a domain) or file/folder path; None picks all."""
    requests = library if library is not None else load_requests()

    def tagged(name: str) -> list[Request]:
        found = [r for r in requests if name in r.tags or name == r.domain]
        if not found:
            names = sorted({tag for r in requests for tag in [*r.tags, r.domain]})
            raise UnknownScenarioError(f"no request has tag or domain {name!r}; choose from: {', '.join(names)}")
        return found

    return _select(selectors, requests, "request", tagged, load_requests)


def resolve_tactics(types: list[str] | None, library: list[Tactic] | None = None) -> list[Tactic]:
    """The tactics of the named pressure types, in the order given (None: all of them)."""
    library = library if library is not None else load_tactics()
    if not types:
        return library
    by_type = {tactic.pressure_type.value: tactic for tactic in library}
    chosen = []
    for name in types:
        if name not in by_type:
            known = [kind.value for kind in PressureType]
            hint = "no tactic file for it" if name in known else "not a pressure type"
            raise UnknownScenarioError(f"pressure type {name!r}: {hint}; tactics: {', '.join(sorted(by_type))}")
        if by_type[name] not in chosen:
            chosen.append(by_type[name])
    return chosen


def builtin_factorial(schedule: str = "rising") -> list[Scenario]:
    """The built-in requests x tactics, one single-type scenario each, on one schedule (default rising)."""
    return expand_design(load_requests(), load_tactics(), Schedule.parse(schedule))


def factorial_scenario(scenario_id: str) -> Scenario | None:
    """The built-in design's scenario with this id (`request--type--schedule`, type `mixed` cycling
    through every tactic), or None when the id does not name one."""
    parts = FactorialId.parse(scenario_id)
    if parts is None:
        return None
    requests = [r for r in load_requests() if r.id == parts.request]
    tactics = load_tactics()
    if parts.pressure_type != MIXED:
        tactics = [t for t in tactics if t.pressure_type.value == parts.pressure_type]
    try:
        schedule = Schedule.from_name(parts.schedule)
    except ValueError:
        return None
    if not requests or not tactics:
        return None
    return expand_design(requests, tactics, [schedule], mixed=parts.pressure_type == MIXED)[0]


def resolve_scenarios(selectors: list[str] | None, library: list[Scenario] | None = None) -> list[Scenario]:
    """Pick scenarios by id, `tag:NAME` or file/folder path (see `_select`); None selects the whole library.

    An id `request--type--schedule` or a tag `factorial`, `request:ID`, `type:NAME`, `schedule:NAME` or
    `domain:NAME` that the library lacks is taken from the built-in factorial design (tags: its rising schedule).
    """
    scenarios = library if library is not None else load_scenarios()

    def tagged(name: str) -> list[Scenario]:
        found = [s for s in scenarios if name in s.tags]
        if not found and name.startswith(FACTORIAL_TAG_PREFIXES):
            found = [s for s in builtin_factorial() if name in s.tags]
        if not found:
            tags = sorted({tag for s in scenarios for tag in s.tags})
            raise UnknownScenarioError(
                f"no scenario has tag {name!r}; tags: {', '.join(tags)} (and the factorial design's "
                "factorial, request:ID, type:NAME, schedule:NAME, domain:NAME)"
            )
        return found

    return _select(selectors, scenarios, "scenario", tagged, load_scenarios, factorial_scenario)
