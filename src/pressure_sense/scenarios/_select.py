"""Pick scenarios or requests by id, `tag:NAME` or file/folder path: one rule for both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pressure_sense.scenarios._requests import Request
from pressure_sense.scenarios._schema import Scenario

T = TypeVar("T", Scenario, Request)


class UnknownScenarioError(KeyError):
    """A selector matched nothing; `str()` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0])


def select(
    selectors: list[str] | None,
    library: list[T],
    noun: str,
    tagged: Callable[[str], list[T]],
    load: Callable[[list[Path | str]], list[T]],
    built: Callable[[str], T | None] = lambda selector: None,
) -> list[T]:
    """What `selectors` pick from `library`, each once, in first-picked order (none: the whole library).

    `tagged(NAME)` gives the items of `tag:NAME` (raising when there are none), `built(id)` an item the library
    lacks (or None), `load([path])` a file's or folder's items. Ids and tags are matched before paths, so a
    folder named like an id never shadows it. UnknownScenarioError (a KeyError) names an unknown selector.
    """
    if not selectors:
        return library
    by_id = {item.id: item for item in library}
    chosen: dict[str, T] = {}
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
