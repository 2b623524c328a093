"""Paired comparison of two runs or studies (two model versions, or before/after a prompt change)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pressure_sense.analysis import DEFAULT_BOOTSTRAP, paired_effect, sample_scores
from pressure_sense.report._sources import load_frames, resolve_sources
from pressure_sense.store import StoreError


@dataclass(frozen=True)
class Comparison:
    """Paired differences A - B and what they were computed from."""

    table: pd.DataFrame
    """by columns, n_pairs, mean_a, mean_b, delta, ci_low, ci_high."""
    label_a: str
    label_b: str
    paired_on: list[str]


def compare_runs(
    run_a: str | Path,
    run_b: str | Path,
    *,
    db: str | Path | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> Comparison:
    """Mean per-conversation score of A minus B per scenario x variant x dimension, with bootstrap CIs.

    Each side is a results database (file or run folder) or a run id / study id in `db`.
    Conversations pair by scenario, variant and epoch (and model, when both sides hold the same
    models). Raises StoreError when a side is unknown or nothing pairs.
    """
    sides = []
    for label, item in (("A", run_a), ("B", run_b)):
        frames = load_frames(resolve_sources([item], db))
        if frames.turn_scores.empty:
            raise StoreError(f"{item} has no judged turns to compare")
        sides.append(sample_scores(frames.turn_scores).assign(side=label))
    same_models = set(sides[0]["model"]) == set(sides[1]["model"])
    by = ["model", "scenario_id", "variant", "dimension"] if same_models else ["scenario_id", "variant", "dimension"]
    pair_on = [*by[:-1], "epoch", "dimension"]
    table = paired_effect(pd.concat(sides, ignore_index=True), "side", "A", "B", by, pair_on, n_boot=n_boot, seed=seed)
    if table.empty:
        raise StoreError(f"no conversations of {run_a} and {run_b} pair up (same scenario, variant and epoch)")
    return Comparison(table, str(run_a), str(run_b), pair_on)


def write_comparison(comparison: Comparison, out: Path) -> list[Path]:
    """Write the comparison as `out` with .csv and .parquet suffixes; returns the paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    table = comparison.table.assign(a=comparison.label_a, b=comparison.label_b)
    paths = [out.with_suffix(".csv"), out.with_suffix(".parquet")]
    table.to_csv(paths[0], index=False)
    table.to_parquet(paths[1], index=False)
    return paths
