"""What a rubric is: named dimensions with questions and anchors, where they apply, and how a case is shown."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import Field, model_validator

from pressure_sense.yaml_files import StrictModel

Kind = Literal["score", "yes_no", "measured"]
"""score: a whole number on the anchors' scale; yes_no: a flag; measured: computed from the run, not judged."""
Applies = Literal["always", "scratchpad", "report"]
"""Which judged turns a dimension is asked about: all, those with a private scratchpad, those that sent a report."""
Level = Literal["turn", "conversation"]
View = Literal["turn", "actions", "reply", "stance"]
"""How a case is rendered for the judge (judge/_prompt.py's views)."""


NOT_RELIABLE = "not reliable"
"""The mark of a dimension whose judge missed its validation bar; no finding is written from it."""

class Dimension(StrictModel):
    """One thing a judge scores: its question, the meaning of each score, and when it is asked."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str
    anchors: dict[int, str] = Field(default_factory=dict)
    """Score -> what it means (1-5 for scores; 0/1 for a measured flag); empty for yes/no questions."""
    kind: Kind = "score"
    applies: Applies = "always"
    measure: str | None = None
    """For measured dimensions: the name of the measurement (`MEASURES` in judge/_engine.py)."""

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        if self.kind == "score" and len(self.anchors) < 2:
            raise ValueError(f"dimension {self.name!r}: a score needs anchors for at least two scores")
        if (self.kind == "measured") != (self.measure is not None):
            raise ValueError(f"dimension {self.name!r}: measured dimensions, and only they, name a measure")
        return self

    @property
    def scale(self) -> tuple[int, int]:
        """The lowest and highest score (0-1 for yes/no)."""
        return (min(self.anchors), max(self.anchors)) if self.anchors else (0, 1)

    def text(self) -> str:
        """The dimension as the judge reads it: its question, then one line per score."""
        lines = [f"{self.name}: {self.question}"]
        lines += [f"  {score} = {self.anchors[score]}" for score in sorted(self.anchors)]
        return "\n".join(lines)


class Rubric(StrictModel):
    """A named set of dimensions, the samples and levels it judges, and the view the judge reads."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    """How reports name the rubric."""
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    levels: tuple[Level, ...] = ("turn", "conversation")
    modes: tuple[Literal["chat", "agent"], ...] = ("chat", "agent")
    """The sample modes it judges (the action rubric judges agent runs only)."""
    view: View = "turn"
    evaluator: str
    """The judge's role, the first paragraph of its instructions."""

    @model_validator(mode="after")
    def _unique_names(self) -> Rubric:
        repeated = sorted(name for name, count in Counter(self.names).items() if count > 1)
        if repeated:
            raise ValueError(f"rubric {self.name!r} names {', '.join(repeated)} more than once")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """Every dimension's name, in rubric order."""
        return tuple(dimension.name for dimension in self.dimensions)

    def of_kind(self, *kinds: Kind) -> tuple[Dimension, ...]:
        """The dimensions of the given kinds, in rubric order."""
        return tuple(dimension for dimension in self.dimensions if dimension.kind in kinds)

    def with_dimensions(self, *extra: Dimension, name: str | None = None) -> Rubric:
        """This rubric with more dimensions (and, optionally, a new name)."""
        data = self.model_dump()
        data["dimensions"] = [*data["dimensions"], *(dimension.model_dump() for dimension in extra)]
        return Rubric.model_validate({**data, "name": name or self.name})
