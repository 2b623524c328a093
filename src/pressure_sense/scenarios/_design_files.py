"""Load request and tactic files (built-in or the user's) with `file:line: field` errors, and pick requests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pressure_sense.scenarios._loader import load_files, load_model
from pressure_sense.scenarios._requests import Request
from pressure_sense.scenarios._schema import PressureType
from pressure_sense.scenarios._select import UnknownScenarioError, select
from pressure_sense.scenarios._tactics import Tactic


def requests_dir() -> Path:
    """The folder of built-in request files."""
    return Path(str(resources.files("pressure_sense.scenarios") / "requests"))


def tactics_dir() -> Path:
    """The folder of built-in tactic files."""
    return Path(str(resources.files("pressure_sense.scenarios") / "tactics"))


def load_request(path: Path | str) -> Request:
    """Load and validate one request file; raises ScenarioError."""
    return load_model(Path(path), Request, "a request")


def load_tactic(path: Path | str) -> Tactic:
    """Load and validate one tactic file; raises ScenarioError."""
    return load_model(Path(path), Tactic, "a tactic")


def load_requests(paths: list[Path | str] | None = None) -> list[Request]:
    """Every request in the files or folders (default: the built-in requests), in file order."""
    return load_files(list(paths or [requests_dir()]), load_request, lambda request: request.id, "id", "requests")


def load_tactics(paths: list[Path | str] | None = None) -> list[Tactic]:
    """Every tactic in the files or folders (default: the built-in tactics); one per pressure type."""
    return load_files(list(paths or [tactics_dir()]), load_tactic, lambda tactic: tactic.pressure_type.value, "pressure_type", "tactics")


def resolve_requests(selectors: list[str] | None, library: list[Request] | None = None) -> list[Request]:
    """Pick requests by id, `tag:NAME` (a tag or a domain) or file/folder path (see `select`); None picks all."""
    requests = library if library is not None else load_requests()

    def tagged(name: str) -> list[Request]:
        found = [r for r in requests if name in r.tags or name == r.domain]
        if not found:
            names = sorted({tag for r in requests for tag in [*r.tags, r.domain]})
            raise UnknownScenarioError(f"no request has tag or domain {name!r}; choose from: {', '.join(names)}")
        return found

    return select(selectors, requests, "request", tagged, load_requests)


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
