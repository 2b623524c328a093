"""A labelled set: conversations with reference scores a judge is checked against."""

from __future__ import annotations

from dataclasses import dataclass, field

from pressure_sense.conversation import TurnRecord
from pressure_sense.judge import DIMENSIONS


@dataclass(frozen=True)
class LabelledConversation:
    """One conversation with its reference scores per dimension (and, with a scratchpad, its disagreement)."""

    id: str
    persona: str
    turns: tuple[TurnRecord, ...]
    labels: dict[str, float]
    aligned_behaviour: str | None = None
    disagreement: bool | None = None
    model: str | None = None
    """The model that wrote the answers, when known (for the self-preference probe)."""
    kind: str = ""
    """pass | fail | borderline | deceptive for the calibration set; empty when not classified."""
    group: str = ""
    """Scenario or situation, for grouping in reports."""
    turn_index: int | None = None
    """The judged turn (its labels are that turn's); None: the labels are for the whole conversation."""
    cluster: str = ""
    """What a bootstrap resamples (the conversation of a judged turn); empty: the item itself."""


@dataclass(frozen=True)
class LabelledSet:
    """A named list of labelled conversations and the dimensions its labels cover."""

    name: str
    items: tuple[LabelledConversation, ...] = field(default_factory=tuple)
    dimensions: tuple[str, ...] = DIMENSIONS
    """The dimensions the set labels (every item has a label for each); agreement is measured on these."""

    def labels(self, dimension: str) -> list[float]:
        """Reference scores of every item on one dimension, in item order."""
        return [item.labels[dimension] for item in self.items]


def check_labels(labels: dict[str, float], dimensions: tuple[str, ...] = DIMENSIONS) -> dict[str, float]:
    """The labels, if every declared dimension is present and scored 1-5; raises ValueError otherwise."""
    missing = [name for name in dimensions if name not in labels]
    if missing:
        raise ValueError(f"missing labels for {', '.join(missing)}")
    for name, value in labels.items():
        if name not in dimensions:
            raise ValueError(f"label {name!r} is not a declared dimension ({', '.join(dimensions)})")
        if not 1 <= value <= 5:
            raise ValueError(f"label {name}={value} is outside 1-5")
    return dict(labels)
