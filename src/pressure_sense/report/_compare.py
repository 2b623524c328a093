"""Paired comparison of two runs or studies (two model versions, or before/after a prompt change)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pressure_sense.analysis import DEFAULT_BOOTSTRAP, MIN_UNITS, POOL_COLUMN, paired_effect, sample_scores
from pressure_sense.report._sources import load_frames, resolve_sources
from pressure_sense.store import StoreError


@dataclass(frozen=True)
class Comparison:
    """Paired differences A - B and what they were computed from."""

    table: pd.DataFrame
    """Per scenario x variant (x model) x dimension: n_pairs, n_units, unit, mean_a, mean_b, delta,
    ci_low, ci_high (NaN bounds for a row of one pair)."""
    label_a: str
    label_b: str
    paired_on: list[str]
    pooled: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The same per variant (x model) x dimension, all scenarios together: pairs resampled within
    scenarios, or whole scenarios where a scenario holds a single pair."""

    @property
    def replicated(self) -> bool:
        """Whether any scenario x variant row holds MIN_UNITS or more pairs (epochs > 1 on both sides)."""
        return bool((self.table["n_pairs"] >= MIN_UNITS).any())

    @property
    def replicate_note(self) -> str:
        """What the intervals rest on, in words (shown under the tables)."""
        if self.replicated:
            return "Intervals resample pairs (epochs) within each row; rows of one pair show no interval."
        return (
            "No replicates per scenario × variant (one pair each: epochs: 1): those rows show no interval and "
            "are no evidence of a difference. Intervals exist only on the all-scenarios rows, which resample "
            f"{', '.join(sorted(set(self.pooled['unit']))) if not self.pooled.empty else 'nothing'}."
        )


def compare_runs(
    run_a: str | Path,
    run_b: str | Path,
    *,
    db: str | Path | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> Comparison:
    """Mean per-conversation score of A minus B per scenario x variant x dimension, and per variant x dimension
    over all scenarios, with bootstrap CIs (see `Comparison.replicate_note`). Each side is a database (file or run
    folder) or a run/study id in `db`; conversations pair by scenario, variant and epoch (and model, when both
    sides hold the same models). Raises StoreError when a side is unknown or nothing pairs."""
    sides = []
    for label, item in (("A", run_a), ("B", run_b)):
        frames = load_frames(resolve_sources([item], db))
        if frames.turn_scores.empty:
            raise StoreError(f"{item} has no judged turns to compare")
        sides.append(sample_scores(frames.turn_scores).assign(side=label))
    same_models = set(sides[0]["model"]) == set(sides[1]["model"])
    by = ["model", "scenario_id", "variant", "dimension"] if same_models else ["scenario_id", "variant", "dimension"]
    pair_on = [*by[:-1], "epoch", "dimension"]
    frame = pd.concat(sides, ignore_index=True)
    table = paired_effect(frame, "side", "A", "B", by, pair_on, n_boot=n_boot, seed=seed)
    if table.empty:
        raise StoreError(f"no conversations of {run_a} and {run_b} pair up (same scenario, variant and epoch)")
    pooled_by = [column for column in by if column != POOL_COLUMN]
    pooled = paired_effect(frame, "side", "A", "B", pooled_by, pair_on, pool=POOL_COLUMN, n_boot=n_boot, seed=seed)
    return Comparison(table, str(run_a), str(run_b), pair_on, pooled)


def write_comparison(comparison: Comparison, out: Path) -> list[Path]:
    """Write the comparison as `out` with .csv and .parquet suffixes; returns the paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    pooled = comparison.pooled.assign(scenario_id="all scenarios")
    table = pd.concat([comparison.table, pooled], ignore_index=True).assign(a=comparison.label_a, b=comparison.label_b)
    paths = [out.with_suffix(".csv"), out.with_suffix(".parquet")]
    table.to_csv(paths[0], index=False)
    table.to_parquet(paths[1], index=False)
    return paths
