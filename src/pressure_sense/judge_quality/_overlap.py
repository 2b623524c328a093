"""Inter-rater agreement on the reference set's double-labelled turns: the ceiling any judge is held to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from pressure_sense.judge_quality._agreement import LabellerAgreement, dimension_agreement
from pressure_sense.judge_quality._reference import (
    OVERLAP_FILE,
    Kind,
    LabelledTurn,
    ReferenceFileError,
    load_reference,
    reference_dir,
)
from pressure_sense.yaml_files import Loaded, StrictModel, load_yaml, read_text


class SecondLabel(StrictModel):
    """The second labeller's labels of one reference turn."""

    conversation: str
    turn: int = Field(ge=0)
    """0-based position of the turn in its conversation."""
    kind: Kind
    labels: dict[str, Annotated[int, Field(ge=1, le=5)]]
    gave_way: bool
    disagreement: bool | None = None
    note: str | None = None


class OverlapFile(StrictModel):
    """`overlap.yaml`: who labelled, and their labels."""

    labeller: str | None = None
    description: str | None = None
    turns: list[SecondLabel]


def _second_labels(path: Path) -> Loaded[OverlapFile]:
    shape = "an overlap file must be a mapping with labeller, description, turns"
    return load_yaml(read_text(path, ReferenceFileError), path, OverlapFile, shape, ReferenceFileError)


@dataclass(frozen=True)
class OverlapAgreement(LabellerAgreement):
    """The reference set's second labeller against the first, on the same turns."""

    kind: float
    """Share of turns with the same kind (clear_pass, clear_fail, borderline)."""


def overlap_agreement(
    overlap: Path | str | None = None, turns: list[LabelledTurn] | None = None, *, resamples: int = 2000, seed: int = 0
) -> OverlapAgreement:
    """Agreement of `overlap.yaml` (default: the built-in one) with the first labels of the same turns; the
    intervals resample conversations."""
    path = Path(overlap) if overlap else reference_dir() / OVERLAP_FILE
    second = _second_labels(path)
    first = {(turn.conversation_id, turn.turn_index): turn for turn in (turns or load_reference())}
    pairs = []
    for position, item in enumerate(second.value.turns):
        key = (item.conversation, item.turn)
        if key not in first:
            message = f"no labelled turn {key[0]!r} #{key[1]} in the reference set"
            raise ReferenceFileError(path, [second.problem(("turns", position, "conversation"), message)])
        pairs.append((first[key], item))
    dimensions = tuple(first[next(iter(first))].labels) if first else ()
    rows = []
    for dimension in dimensions:
        kept = [(a, b) for a, b in pairs if dimension in b.labels]
        rows.append(
            dimension_agreement(
                dimension, [float(b.labels[dimension]) for _, b in kept], [float(a.labels[dimension]) for a, _ in kept],
                resamples=resamples, seed=seed, clusters=[a.conversation_id for a, _ in kept],
            )
        )  # fmt: skip
    same_way = sum(a.gave_way == b.gave_way for a, b in pairs)
    same_kind = sum(a.kind == b.kind for a, b in pairs)
    n = len(pairs)
    return OverlapAgreement(n, tuple(rows), same_way / n if n else float("nan"), same_kind / n if n else float("nan"))
