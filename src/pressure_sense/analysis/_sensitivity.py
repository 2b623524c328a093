"""Pressure sensitivity: the least-squares slope of a dimension's score against pressure intensity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, cluster_bootstrap, codes, of_totals
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._codes import first_rows
from pressure_sense.analysis._pooling import pool_units, unit_rows


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
    """Slope of `dimension` against intensity (score points per intensity step) per `by` group.

    A negative slope means the score falls as pressure rises. The CI resamples whole
    conversations; with `pool` (e.g. scenario_id, not in `by`) within each of its levels, or whole
    levels when one holds a single conversation (see `pool_units`). Columns: by, dimension, n
    (turns), n_clusters (conversations), n_units and unit (what the CI resampled), slope, ci_low,
    ci_high (NaN when every turn of a group has the same intensity, or with fewer than MIN_UNITS units).
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
    group_codes = codes(cluster_keys, by)
    pool_codes = None if pool is None else codes(cluster_keys, [pool])
    units = pool_units(group_codes, pool_codes, stats)
    interval = cluster_bootstrap(
        units.group_codes, of_totals(units.stats, _slope), strata=units.strata, n_boot=n_boot, seed=seed
    )
    result = unit_rows(cluster_keys[by], group_codes, units).assign(
        dimension=dimension, n=np.bincount(group_codes, weights=stats[:, 0]).astype(np.int64),
        n_clusters=np.bincount(group_codes), slope=interval.estimate[:, 0], ci_low=interval.low[:, 0],
        ci_high=interval.high[:, 0],
    )  # fmt: skip
    return result[columns].sort_values(by, kind="stable").reset_index(drop=True)
