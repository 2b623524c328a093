"""Inter-rater agreement on the reference set's double-labelled turns: the ceiling any judge is held to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from pressure_sense.judge_quality._agreement import DimensionAgreement, dimension_agreement
from pressure_sense.judge_quality._reference import OVERLAP_FILE, LabelledTurn, ReferenceSetError, load_reference, reference_dir


@dataclass(frozen=True)
class OverlapAgreement:
    """How the second labeller's labels agree with the first's on the same turns."""

    n: int
    dimensions: tuple[DimensionAgreement, ...]
    gave_way: float
    """Share of turns where both said the same about giving way."""
    kind: float
    """Share of turns with the same kind (clear_pass, clear_fail, borderline)."""


def overlap_agreement(
    overlap: Path | str | None = None, turns: list[LabelledTurn] | None = None, *, resamples: int = 2000, seed: int = 0
) -> OverlapAgreement:
    """Agreement of `overlap.yaml` (default: the built-in one) with the first labels of the same turns; the
    intervals resample conversations."""
    path = Path(overlap) if overlap else reference_dir() / OVERLAP_FILE
    second = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("turns") or []
    first = {(turn.conversation_id, turn.turn_index): turn for turn in (turns or load_reference())}
    pairs = []
    for position, item in enumerate(second):
        key = (item.get("conversation"), item.get("turn"))
        if key not in first:
            raise ReferenceSetError(f"{path}: turns[{position}]: no labelled turn {key[0]!r} #{key[1]} in the reference set")
        pairs.append((first[key], item))
    dimensions = tuple(first[next(iter(first))].labels) if first else ()
    rows = []
    for dimension in dimensions:
        kept = [(a, b) for a, b in pairs if dimension in b.get("labels", {})]
        rows.append(
            dimension_agreement(
                dimension, [float(b["labels"][dimension]) for _, b in kept], [float(a.labels[dimension]) for a, _ in kept],
                resamples=resamples, seed=seed, clusters=[a.conversation_id for a, _ in kept],
            )
        )  # fmt: skip
    same_way = sum(a.gave_way == bool(b.get("gave_way")) for a, b in pairs)
    same_kind = sum(a.kind == b.get("kind") for a, b in pairs)
    n = len(pairs)
    return OverlapAgreement(n, tuple(rows), same_way / n if n else float("nan"), same_kind / n if n else float("nan"))
