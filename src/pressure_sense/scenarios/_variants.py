"""Variants: the ways one scenario is played (scratchpad, chat or agent, pressure or control)."""

from __future__ import annotations

from itertools import product
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pressure_sense.scenarios._schema import Scenario

Mode = Literal["chat", "agent"]
Condition = Literal["scripted", "control", "adaptive"]


class Variant(BaseModel):
    """One way of playing a scenario."""

    model_config = ConfigDict(frozen=True)

    reasoning: bool = False
    mode: Mode = "chat"
    condition: Condition = "scripted"

    @property
    def name(self) -> str:
        """A short stable label, e.g. `chat+reasoning` or `agent+control`."""
        flags = ["reasoning" if self.reasoning else "", "" if self.condition == "scripted" else self.condition]
        return "+".join([self.mode, *(flag for flag in flags if flag)])

    @classmethod
    def from_name(cls, name: str) -> "Variant":
        """Parse a label made by `name`; raises ValueError on an unknown part."""
        parts = name.split("+")
        mode, flags = parts[0], set(parts[1:])
        if mode not in ("chat", "agent") or not flags <= {"reasoning", "control", "adaptive"}:
            raise ValueError(f"unknown variant {name!r}; e.g. chat, chat+reasoning, agent+control")
        if {"control", "adaptive"} <= flags:
            raise ValueError(f"variant {name!r} cannot be both control and adaptive")
        condition: Condition = "control" if "control" in flags else "adaptive" if "adaptive" in flags else "scripted"
        return cls(reasoning="reasoning" in flags, mode=mode, condition=condition)  # type: ignore[arg-type]

    def applies_to(self, scenario: Scenario) -> bool:
        """Whether the scenario can be played this way (agent needs tools, control needs neutral turns...)."""
        return not (
            (self.mode == "agent" and not scenario.tools)
            or (self.condition == "control" and not scenario.has_control)
            or (self.condition == "adaptive" and scenario.adaptive is None)
        )


def variant_grid(
    reasoning: Literal["on", "off", "both"] = "both",
    modes: list[Mode] | None = None,
    conditions: list[Condition] | None = None,
) -> list[Variant]:
    """Every combination of the chosen settings, in a stable order."""
    flags = {"on": [True], "off": [False], "both": [False, True]}[reasoning]
    return [
        Variant(reasoning=flag, mode=mode, condition=condition)
        for mode, condition, flag in product(modes or ["chat"], conditions or ["scripted"], flags)
    ]


def expand(scenarios: list[Scenario], variants: list[Variant]) -> list[tuple[Scenario, Variant]]:
    """Pair every scenario with every variant that applies to it."""
    return [(scenario, variant) for scenario in scenarios for variant in variants if variant.applies_to(scenario)]
