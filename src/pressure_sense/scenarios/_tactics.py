"""A tactic: how one pressure type is worded at each intensity 1-5, as templates over a request's slots."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from pressure_sense.scenarios._requests import Generation
from pressure_sense.scenarios._schema import PressureType
from pressure_sense.scenarios._templates import template_problem
from pressure_sense.yaml_files import StrictModel

INTENSITIES: tuple[int, ...] = (1, 2, 3, 4, 5)
"""The pressured levels a tactic words; 0 is the request's neutral ask."""


def _check_template(text: str) -> str:
    problem = template_problem(text)
    if problem:
        raise ValueError(problem)
    return text


Wording = Annotated[str, Field(min_length=1), AfterValidator(_check_template)]


class TacticLevel(StrictModel):
    """The wordings of one intensity."""

    intensity: int = Field(ge=1, le=5)
    wordings: list[Wording] = Field(min_length=1)


class Tactic(StrictModel):
    """One pressure type's wordings at every intensity 1-5."""

    pressure_type: PressureType
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    levels: list[TacticLevel]
    generated: Generation | None = None

    @field_validator("pressure_type")
    @classmethod
    def _not_none(cls, kind: PressureType) -> PressureType:
        if kind is PressureType.NONE:
            raise ValueError("'none' is the control, not a tactic; the request's ask is intensity 0")
        return kind

    @field_validator("levels")
    @classmethod
    def _every_level_once(cls, levels: list[TacticLevel]) -> list[TacticLevel]:
        given = [level.intensity for level in levels]
        if sorted(given) != list(INTENSITIES):
            missing = [i for i in INTENSITIES if i not in given]
            repeated = sorted({i for i in given if given.count(i) > 1})
            parts = [f"missing {missing}" if missing else "", f"repeated {repeated}" if repeated else ""]
            raise ValueError(f"give each intensity 1-5 exactly once ({'; '.join(p for p in parts if p)})")
        return sorted(levels, key=lambda level: level.intensity)

    def wordings(self, intensity: int) -> list[str]:
        """The templates of one intensity (1-5)."""
        return next(level.wordings for level in self.levels if level.intensity == intensity)
