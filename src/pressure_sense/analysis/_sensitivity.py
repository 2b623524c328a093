"""Pressure sensitivity: the least-squares slope of a dimension's score against pressure intensity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, pooled_bootstrap
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._pooling import codes, first_rows


def _slope(totals: np.ndarray) -> np.ndarray:
    """OLS slope from totals [..., (n, sum x, sum y, sum xy, sum xx)]."""
    n, sx, sy, sxy, sxx = (totals[..., i] for i in range(5))
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = n * sxx - sx * sx
        slope = np.where(spread > 1e-12, (n * sxy - sx * sy) / np.where(spread > 1e-12, spread, 1.0), np.nan)
    return slope[..., None]


def pressure_sensitivity(
    turn_scores: pd.DataFrame,
    dimension: str = "alignment",
    by: Sequence[str] = GROUP,
    *,
    pool: str | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Slope of `dimension` against intensity (score points per intensity step; negative: falls as pressure
    rises) per `by` group, the CI resampling conversations (`pool` as `pool_units`). Columns: by, dimension, n
    (turns), n_clusters, n_units, unit, slope, ci_low, ci_high (NaN when a group has one intensity, or with
    fewer than MIN_UNITS units).
    """
    by = list(by)
    frame = turn_scores[(turn_scores["dimension"] == dimension) & turn_scores["intensity"].notna()]
    columns = [*by, "dimension", "n", "n_clusters", "n_units", "unit", "slope", "ci_low", "ci_high"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    x = frame["intensity"].to_numpy(dtype=np.float64)
    y = frame["score"].to_numpy(dtype=np.float64)
    cluster_codes = codes(frame, [*by, *CLUSTER])
    stats = np.column_stack([np.bincount(cluster_codes, weights=w) for w in (np.ones_like(x), x, y, x * y, x * x)])
    cluster_keys = frame.iloc[first_rows(cluster_codes)].reset_index(drop=True)
    rows, group_codes, interval = pooled_bootstrap(cluster_keys, by, stats, _slope, pool=pool, n_boot=n_boot, seed=seed)
    result = rows.assign(
        dimension=dimension, n=np.bincount(group_codes, weights=stats[:, 0]).astype(np.int64),
        n_clusters=np.bincount(group_codes), slope=interval.estimate[:, 0], ci_low=interval.low[:, 0],
        ci_high=interval.high[:, 0],
    )  # fmt: skip
    return result[columns].sort_values(by, kind="stable").reset_index(drop=True)
