"""Pick scenarios by id, tag or path, including those of the built-in factorial design, built on demand."""

from __future__ import annotations

from pressure_sense.scenarios._design_files import load_requests, load_tactics
from pressure_sense.scenarios._expand import MIXED, FactorialId, Schedule, expand_design
from pressure_sense.scenarios._loader import load_scenarios
from pressure_sense.scenarios._schema import Scenario
from pressure_sense.scenarios._select import UnknownScenarioError, select

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


def resolve_scenarios(selectors: list[str] | None, library: list[Scenario] | None = None) -> list[Scenario]:
    """Pick scenarios by id, `tag:NAME` or file/folder path (see `select`); None selects the whole library.

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

    return select(selectors, scenarios, "scenario", tagged, load_scenarios, factorial_scenario)
