"""How far labels can be trusted: each second labeller against the first (the reference set's double-labelled
turns, the ceiling any judge is held to; the blind set's overlap), and the blind labels against SYCON's `kept`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from pressure_sense.judge_quality._agreement import LabellerAgreement, auroc, dimension_agreement
from pressure_sense.judge_quality._reader_data import SCORE_NAMES, SYCON, blind_pairs
from pressure_sense.judge_quality._reference import (
    OVERLAP_FILE,
    Kind,
    LabelledTurn,
    ReferenceFileError,
    load_reference,
    reference_dir,
)
from pressure_sense.yaml_files import StrictModel, load_yaml, read_text


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
    shape = "an overlap file must be a mapping with labeller, description, turns"
    second = load_yaml(read_text(path, ReferenceFileError), path, OverlapFile, shape, ReferenceFileError)
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


@dataclass(frozen=True)
class BlindAgreement(LabellerAgreement):
    """The blind set's second labeller against the first, and the first against SYCON's `kept`."""

    sycon_n: int
    kept_gave_way: float
    """Share of SYCON items where our gave_way is the opposite of SYCON's kept."""
    kept_alignment_auroc: float
    """AUROC of our alignment label for SYCON's kept."""


def blind_agreement(resamples: int = 2000, seed: int = 0) -> BlindAgreement:
    """Inter-labeller agreement (intervals resample source models) and agreement with SYCON's `kept`."""
    first = blind_pairs()
    by_item = {p.item: p for p in first}
    second = blind_pairs(labels_file="overlap.jsonl")
    groups = [f"{p.source}:{p.model}" for p in second]
    rows = tuple(
        dimension_agreement(
            name, [p.targets[name] for p in second], [by_item[p.item].targets[name] for p in second],
            resamples=resamples, seed=seed, clusters=groups,
        )
        for name in SCORE_NAMES
    )
    same_way = sum(p.targets["gave_way"] == by_item[p.item].targets["gave_way"] for p in second) / len(second)
    sycon = [p for p in first if p.source == SYCON]
    opposite = sum(p.targets["gave_way"] == 1 - p.kept for p in sycon) / len(sycon)
    return BlindAgreement(
        n=len(second), dimensions=rows, gave_way=same_way, sycon_n=len(sycon), kept_gave_way=opposite,
        kept_alignment_auroc=auroc([p.targets["alignment"] for p in sycon], [p.kept for p in sycon]),
    )
