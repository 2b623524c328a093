"""Expand requests x tactics x an intensity schedule into ordinary scenarios, deterministically."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from pressure_sense.scenarios._design import INTENSITIES, Request, Tactic, render
from pressure_sense.scenarios._schema import PressureType, Scenario, Turn
from pressure_sense.yaml_files import dump_yaml

SEPARATOR = "--"
"""Joins the parts of an expanded scenario id: `{request}--{pressure type or mixed}--{schedule}`."""
MIXED = "mixed"
"""The type part of a scenario whose turns cycle through several pressure types."""
FACTORIAL_TAG = "factorial"
FIXED_REPEATS = 2
"""Pressured turns of a fixed-level conversation (after the control turn)."""


def _stable_int(*parts: object) -> int:
    """A number that depends only on `parts` (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


@dataclass(frozen=True)
class Schedule:
    """The intensities a conversation's turns take, after the control turn (intensity 0, the neutral ask).

    `rising`: 1, 2, 3, 4, 5. `fixed:N`: N twice (FIXED_REPEATS). `shuffled`: 1-5 in an order drawn per
    request and type from a fixed seed, so intensity no longer follows the turn number.
    """

    kind: str
    level: int | None = None

    @classmethod
    def parse(cls, text: str) -> list["Schedule"]:
        """`rising`, `shuffled`, `fixed:N` (N in 1-5) or `fixed` (one schedule per level 1-5)."""
        name, _, level = text.partition(":")
        if name in ("rising", "shuffled") and not level:
            return [cls(name)]
        if name == "fixed" and not level:
            return [cls("fixed", i) for i in INTENSITIES]
        if name == "fixed" and level.isdigit() and int(level) in INTENSITIES:
            return [cls("fixed", int(level))]
        raise ValueError(f"unknown schedule {text!r}; choose rising, shuffled, fixed (every level) or fixed:N (N 1-5)")

    @classmethod
    def from_name(cls, name: str) -> "Schedule":
        """The schedule an id part names (`rising`, `shuffled`, `fixed3`); raises ValueError."""
        if name.startswith("fixed") and name[5:].isdigit():
            return cls.parse(f"fixed:{name[5:]}")[0]
        if name in ("rising", "shuffled"):
            return cls(name)
        raise ValueError(f"unknown schedule {name!r}; e.g. rising, shuffled, fixed3")

    @property
    def name(self) -> str:
        """The schedule as an id part: rising, shuffled, fixed3."""
        return f"fixed{self.level}" if self.kind == "fixed" else self.kind

    def intensities(self, *seed: object) -> list[int]:
        """Every turn's intensity, the control turn (0) first."""
        if self.kind == "rising":
            levels = list(INTENSITIES)
        elif self.kind == "fixed":
            levels = [self.level] * FIXED_REPEATS
        else:
            levels = list(INTENSITIES)
            random.Random(_stable_int("shuffle", *seed)).shuffle(levels)
        return [0, *levels]


@dataclass(frozen=True)
class FactorialId:
    """The parts of an expanded scenario id."""

    request: str
    pressure_type: str
    """A pressure type's value, or `mixed`."""
    schedule: str

    @classmethod
    def parse(cls, scenario_id: str) -> "FactorialId | None":
        """The parts of `request--type--schedule`, or None for a scenario that was not expanded."""
        parts = scenario_id.split(SEPARATOR)
        if len(parts) != 3 or not all(parts):
            return None
        return cls(*parts)


def _wording(tactic: Tactic, request: Request, intensity: int, occurrence: int) -> str:
    """One wording of the tactic at this intensity, chosen per request so wordings spread over requests."""
    wordings = tactic.wordings(intensity)
    pick = (_stable_int(request.id, tactic.pressure_type.value, intensity) + occurrence) % len(wordings)
    return render(wordings[pick], request.slot_values())


def _scenario(request: Request, tactics: list[Tactic], schedule: Schedule, sources: str) -> Scenario:
    mixed = len(tactics) > 1
    kind = MIXED if mixed else tactics[0].pressure_type.value
    intensities = schedule.intensities(request.id, kind)
    offset = _stable_int(request.id, "mix") % len(tactics)
    turns = [Turn(content=request.ask, pressure_types=[PressureType.NONE], intensity=0, control=request.ask)]
    seen: dict[tuple[str, int], int] = {}
    for position, intensity in enumerate(intensities[1:]):
        tactic = tactics[(position + offset) % len(tactics)]
        key = (tactic.pressure_type.value, intensity)
        text = _wording(tactic, request, intensity, seen.get(key, 0))
        seen[key] = seen.get(key, 0) + 1
        turns.append(Turn(content=text, pressure_types=[tactic.pressure_type], intensity=intensity, control=request.ask))
    labels = ", ".join(t.pressure_type.value for t in tactics)
    return Scenario(
        id=SEPARATOR.join([request.id, kind, schedule.name]),
        title=f"{request.title} [{kind}, {schedule.name}]",
        description=(
            f"Factorial design: request {request.id} under {labels} pressure, schedule {schedule.name} "
            f"(intensities {', '.join(map(str, intensities))}); turn 1 is the neutral ask. Expanded from {sources}."
        ),
        persona=request.persona,
        tools=request.tools,
        turns=turns,
        aligned_behaviour=request.aligned_behaviour,
        tags=[
            FACTORIAL_TAG, f"request:{request.id}", f"domain:{request.domain}", f"type:{kind}",
            f"schedule:{schedule.name}", *request.tags,
        ],  # fmt: skip
    )


def expand_design(
    requests: list[Request],
    tactics: list[Tactic],
    schedules: list[Schedule],
    *,
    mixed: bool = False,
    sources: str = "the built-in requests and tactics",
) -> list[Scenario]:
    """Every request x tactic x schedule as a scenario (or, `mixed`, every request x schedule with the turns
    cycling through all the tactics), in input order. Each turn is tagged with its pressure type and
    intensity; the first is the request's neutral ask at intensity 0 (type `none`), and every turn's
    `control` is the neutral ask, so the `control` condition also applies."""
    if not requests or not tactics or not schedules:
        raise ValueError("a factorial design needs at least one request, one pressure type and one schedule")
    groups = [tactics] if mixed else [[tactic] for tactic in tactics]
    return [
        _scenario(request, group, schedule, sources)
        for request in requests
        for group in groups
        for schedule in schedules
    ]


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as a YAML file's text; the same scenario always gives the same bytes."""
    header = "# Generated by `pressure-sense scenarios expand`; edit the request or tactic files instead.\n"
    return header + dump_yaml(scenario)


def write_scenarios(scenarios: list[Scenario], folder: Path | str, *, overwrite: bool = False) -> list[Path]:
    """Write each scenario to `folder/{id}.yaml`; an existing file with other content is an error unless
    `overwrite` (an identical one is left as it is). Returns the paths."""
    folder = Path(folder)
    texts = {folder / f"{scenario.id}.yaml": scenario_yaml(scenario) for scenario in scenarios}
    unchanged = {path for path, text in texts.items() if path.exists() and path.read_text(encoding="utf-8") == text}
    changed = {path: text for path, text in texts.items() if path not in unchanged}
    clashes = [str(path) for path in changed if path.exists() and not overwrite]
    if clashes:
        raise FileExistsError(f"would overwrite {len(clashes)} changed file(s), e.g. {clashes[0]}; pass --overwrite")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in changed.items():
        path.write_text(text, encoding="utf-8")
    return list(texts)
