"""Pressure sensitivity: the least-squares slope of a dimension's score against pressure intensity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, cluster_bootstrap, codes, of_totals
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._pooling import UNIT_CONVERSATIONS, pool_units


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
    first_row = pd.Series(np.arange(len(frame))).groupby(cluster_codes).first().to_numpy()
    cluster_keys = frame.iloc[first_row][by].reset_index(drop=True)
    group_codes = codes(cluster_keys, by)
    if pool is None:
        interval = cluster_bootstrap(group_codes, of_totals(stats, _slope), n_boot=n_boot, seed=seed)
        unit_names, n_units = [UNIT_CONVERSATIONS] * (int(group_codes.max()) + 1), np.bincount(group_codes)
    else:
        pool_codes = codes(frame.iloc[first_row].reset_index(drop=True), [pool])
        units = pool_units(group_codes, pool_codes, stats)
        interval = cluster_bootstrap(
            units.group_codes, of_totals(units.stats, _slope), strata=units.strata, n_boot=n_boot, seed=seed
        )
        unit_names, n_units = units.unit, units.n_units
    first_cluster = pd.Series(np.arange(len(cluster_keys))).groupby(group_codes).first().to_numpy()
    result = cluster_keys.iloc[first_cluster].reset_index(drop=True)
    result["dimension"] = dimension
    result["n"] = np.bincount(group_codes, weights=stats[:, 0]).astype(np.int64)
    result["n_clusters"] = np.bincount(group_codes)
    result["n_units"] = n_units
    result["unit"] = unit_names
    result["slope"] = interval.estimate[:, 0]
    result["ci_low"] = interval.low[:, 0]
    result["ci_high"] = interval.high[:, 0]
    return result[columns].sort_values(by, kind="stable").reset_index(drop=True)
