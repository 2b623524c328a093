"""Pick scenarios by id, tag or path, including those of the built-in factorial design, built on demand."""

from __future__ import annotations

from pathlib import Path

from pressure_sense.scenarios._design_files import load_requests, load_tactics
from pressure_sense.scenarios._expand import MIXED, FactorialId, Schedule, expand_design
from pressure_sense.scenarios._loader import UnknownScenarioError, load_scenarios
from pressure_sense.scenarios._schema import Scenario

FACTORIAL_TAG_PREFIXES: tuple[str, ...] = ("factorial", "request:", "type:", "schedule:", "domain:")
"""Tags that select from the built-in factorial design when no hand-written scenario has them."""


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


def _looks_like_path(selector: str) -> bool:
    return "/" in selector or "\\" in selector or selector.endswith((".yaml", ".yml"))


def resolve_scenarios(selectors: list[str] | None, library: list[Scenario] | None = None) -> list[Scenario]:
    """Pick scenarios by id, tag (`tag:NAME`) or file/folder path; None selects the whole library.

    Ids and tags are matched before paths, so a folder that happens to share an id's name never shadows it.
    An id `request--type--schedule` or a tag `factorial`, `request:ID`, `type:NAME`, `schedule:NAME` or
    `domain:NAME` that the library lacks is taken from the built-in factorial design (tags: its rising
    schedule). Raises KeyError (UnknownScenarioError) naming the unknown selector and the valid choices.
    """
    library = library if library is not None else load_scenarios()
    if not selectors:
        return library
    by_id = {scenario.id: scenario for scenario in library}
    chosen: dict[str, Scenario] = {}
    for selector in selectors:
        if selector.startswith("tag:"):
            name = selector[4:]
            tagged = [s for s in library if name in s.tags]
            if not tagged and name.startswith(FACTORIAL_TAG_PREFIXES):
                tagged = [s for s in builtin_factorial() if name in s.tags]
            if not tagged:
                tags = sorted({tag for s in library for tag in s.tags})
                raise UnknownScenarioError(
                    f"no scenario has tag {name!r}; tags: {', '.join(tags)} (and the factorial design's "
                    "factorial, request:ID, type:NAME, schedule:NAME, domain:NAME)"
                )
            chosen.update({s.id: s for s in tagged})
        elif selector in by_id:
            chosen[selector] = by_id[selector]
        elif (built := factorial_scenario(selector)) is not None:
            chosen[selector] = built
        elif Path(selector).exists():
            found = load_scenarios([selector])
            if not found:
                raise UnknownScenarioError(f"no scenario files (*.yaml, *.yml) in {selector}")
            chosen.update({s.id: s for s in found})
        elif _looks_like_path(selector):
            raise UnknownScenarioError(f"no such scenario file or folder: {selector}")
        else:
            raise UnknownScenarioError(
                f"unknown scenario {selector!r}; give an id, tag:NAME or a path; ids: {', '.join(sorted(by_id))}"
            )
    return list(chosen.values())
