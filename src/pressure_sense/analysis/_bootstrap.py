"""The project's one cluster bootstrap, vectorised with numpy: every interval resamples whole clusters (the
caller's units of replication: conversations, pairs, scenarios, items), never single rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as distributions
from threadpoolctl import threadpool_limits

from pressure_sense.analysis._columns import MIN_UNITS
from pressure_sense.analysis._pooling import UNIT_CONVERSATIONS, codes, first_rows, pool_units

DEFAULT_BOOTSTRAP = 1000
"""Resamples per confidence interval."""
DEFAULT_CONFIDENCE = 0.95
_MAX_CELLS = 4_000_000
"""Largest [resample, cluster] count matrix held in memory at once (32 MB)."""

Statistic = Callable[[np.ndarray], np.ndarray]
"""Maps totals [..., stat] to estimates [..., k] (NaN where undefined, e.g. an empty count)."""
WeightedStatistic = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Maps (clusters [cluster], weights [resample, cluster]) to estimates [resample, k]: weights[r, j] is
how often cluster `clusters[j]` (an index into the caller's clusters) was drawn in resample r."""


@dataclass(frozen=True)
class Interval:
    """Point estimates and percentile bootstrap bounds, each [group, k]."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _draw_weights(rng: np.random.Generator, sizes: np.ndarray, rows: int, rescale: bool) -> np.ndarray:
    """[resample, cluster] weights of one group whose clusters come in strata of `sizes` (in order): n draws
    per stratum of n, or with `rescale` n - 1 draws weighted n / (n - 1) (McCarthy & Snowden 1985)."""
    blocks = []
    for size in sizes:
        draws = size - 1 if rescale and size > 1 else size
        if rescale and size == 1:
            blocks.append(np.ones((rows, 1), dtype=np.float32))
            continue
        picks = rng.integers(0, size, (rows, draws)) + (np.arange(rows) * size)[:, None]
        counts = np.bincount(picks.ravel(), minlength=rows * size).reshape(rows, size).astype(np.float32)
        blocks.append(counts * np.float32(size / draws) if draws != size else counts)
    return blocks[0] if len(blocks) == 1 else np.hstack(blocks)


def expanded_alpha(stratum_sizes: np.ndarray, rescale: bool, alpha: float) -> float:
    """The tail of Hesterberg's (2015) expanded percentile interval: Phi(-sqrt(n/(n-1)) * t[n-1, 1-alpha]);
    with rescaled draws the factor is 1 and the degrees of freedom the sum of n_h - 1."""
    sizes = np.asarray(stratum_sizes)
    if rescale:
        df = float(np.sum(sizes[sizes > 1] - 1))
        factor = 1.0
    else:
        n = float(np.sum(sizes))
        df, factor = n - 1.0, float(np.sqrt(n / (n - 1.0)))
    return float(distributions.norm.cdf(-factor * distributions.t.ppf(1.0 - alpha, df)))


def of_totals(cluster_stats: np.ndarray, statistic: Statistic) -> WeightedStatistic:
    """A statistic of additive [cluster, stat] summaries: `statistic(weights @ cluster_stats[clusters])`
    (resamples summed in float32, the point estimate in float64)."""
    stats = np.asarray(cluster_stats, dtype=np.float64)

    def weighted(clusters: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return statistic((weights @ stats[clusters].astype(weights.dtype)).astype(np.float64))

    return weighted


def of_rows(statistic: Callable[..., float], columns: Sequence[np.ndarray], row_clusters: np.ndarray) -> WeightedStatistic:
    """A statistic of rows: `statistic(*columns)` on the rows of the drawn clusters (`row_clusters`: [row] the
    cluster code), each repeated as often as drawn. Needs whole-number weights (no strata)."""
    row_clusters = np.asarray(row_clusters)

    def weighted(clusters: np.ndarray, weights: np.ndarray) -> np.ndarray:
        position = np.full(int(row_clusters.max()) + 1, len(clusters))  # other groups' rows: the zero column
        position[clusters] = np.arange(len(clusters))
        drawn = np.hstack([weights, np.zeros((len(weights), 1))])
        repeats = drawn[:, position[row_clusters]].astype(np.int64)  # [resample, row]
        rows = np.arange(len(row_clusters))
        return np.array([[statistic(*(column[np.repeat(rows, times)] for column in columns))] for times in repeats])

    return weighted


def cluster_bootstrap(
    group_codes: np.ndarray,
    statistic: WeightedStatistic,
    *,
    strata: np.ndarray | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
    expanded: bool = True,
) -> Interval:
    """Bootstrap of `statistic` (`of_totals` or `of_rows`) per group, drawing whole clusters within each group.

    group_codes: [cluster] the group (0..G-1, every code used); groups are resampled in code order from one
    stream (`seed`). strata: [cluster] optional codes that split a group further (rescaled draws within each,
    see `_draw_weights`). Bounds: the expanded percentile interval (`expanded_alpha`), plain with
    `expanded=False`; NaN for a group with fewer than MIN_UNITS clusters; NaN resamples are left out.
    Returns estimates and bounds [group, k].
    """
    group_codes = np.asarray(group_codes)
    rescale = strata is not None
    strata = np.zeros(len(group_codes), dtype=np.int64) if strata is None else np.asarray(strata)
    order = np.lexsort((strata, group_codes))
    sorted_strata = strata[order]
    sizes = np.bincount(group_codes[order])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    estimate = np.stack([statistic(order[start : start + size], np.ones((1, size)))[0] for start, size in zip(starts, sizes, strict=True)])
    low = np.full(estimate.shape, np.nan)
    high = np.full(estimate.shape, np.nan)
    rng = np.random.default_rng(seed)
    alpha = (1.0 - confidence) / 2.0
    with threadpool_limits(limits=1, user_api="blas"):  # the products are small: BLAS threads only contend
        for group, (start, size) in enumerate(zip(starts, sizes, strict=True)):
            if size < MIN_UNITS:
                continue
            clusters = order[start : start + size]
            _, stratum_sizes = np.unique(sorted_strata[start : start + size], return_counts=True)
            chunk = max(1, _MAX_CELLS // size)
            draws = []
            for begin in range(0, n_boot, chunk):
                weights = _draw_weights(rng, stratum_sizes, min(chunk, n_boot - begin), rescale)
                draws.append(statistic(clusters, weights))  # [resample, k]
            boots = np.concatenate(draws)
            defined = np.isfinite(boots).any(axis=0)
            tail = expanded_alpha(stratum_sizes, rescale, alpha) if expanded else alpha
            if defined.any():
                bounds = np.nanquantile(boots[:, defined], [tail, 1.0 - tail], axis=0)
                low[group, defined], high[group, defined] = bounds[0], bounds[1]
    return Interval(estimate, low, high)


def pooled_bootstrap(
    clusters: pd.DataFrame,
    by: Sequence[str],
    stats: np.ndarray,
    statistic: Statistic,
    *,
    pool: str | None = None,
    unit: str = UNIT_CONVERSATIONS,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> tuple[pd.DataFrame, np.ndarray, Interval]:
    """`cluster_bootstrap` of `of_totals(stats, statistic)` per `by` group of the [cluster] rows `clusters`, over
    the units `pool_units` chooses. Returns each group's first row of `clusters[by]` with n_units and unit, the
    [cluster] group codes and the interval."""
    group_codes = codes(clusters, by)
    units = pool_units(group_codes, None if pool is None else codes(clusters, [pool]), stats, clusters=unit)
    interval = cluster_bootstrap(
        units.group_codes, of_totals(units.stats, statistic), strata=units.strata, n_boot=n_boot, seed=seed
    )
    rows = clusters[list(by)].iloc[first_rows(group_codes)].reset_index(drop=True)
    return rows.assign(n_units=units.n_units, unit=units.unit), group_codes, interval


def grouped_mean_ci(
    frame: pd.DataFrame,
    by: Sequence[str],
    value: str,
    cluster: Sequence[str] = ("run_id", "sample_pk"),
    *,
    strata: Sequence[str] | None = None,
    pool: str | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Mean of `value` per combination of `by` (rows without a value ignored), with a CI resampling `cluster`s.

    `strata` (a subset of `by`, default all) are resampled independently; the other `by` columns are cells
    inside a cluster, all taken from the same draw. `pool` (a column not in `by`) pools as `pool_units`.
    Columns: by, n, n_clusters, n_units, unit (what was resampled), mean, ci_low, ci_high (NaN with fewer
    than MIN_UNITS units).
    """
    by = list(by)
    if pool is not None and (pool in by or pool not in frame.columns):
        raise ValueError(f"grouped_mean_ci: pool {pool!r} must be a column of the frame that is not in by {by}")
    strata = by if strata is None else list(strata)
    cells = [column for column in by if column not in strata]
    columns = [*by, "n", "n_clusters", "n_units", "unit", "mean", "ci_low", "ci_high"]
    kept = frame.loc[frame[value].notna()]
    if kept.empty:
        return pd.DataFrame(columns=columns)
    cluster_codes = codes(kept, [*strata, *[c for c in cluster if c not in strata]])
    cell_codes = codes(kept, cells)
    n_cells, n_clusters = int(cell_codes.max()) + 1, int(cluster_codes.max()) + 1
    flat = cluster_codes * n_cells + cell_codes
    values = kept[value].to_numpy(dtype=np.float64)
    sums = np.bincount(flat, weights=values, minlength=n_clusters * n_cells).reshape(n_clusters, n_cells)
    counts = np.bincount(flat, minlength=n_clusters * n_cells).reshape(n_clusters, n_cells).astype(np.float64)
    cluster_rows = first_rows(cluster_codes)
    stratum_keys = kept.iloc[cluster_rows][strata].reset_index(drop=True)
    stratum_codes = codes(stratum_keys, strata)
    n_strata = int(stratum_codes.max()) + 1

    def cell_means(totals: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return totals[..., :n_cells] / totals[..., n_cells:]

    pool_codes = None if pool is None else codes(kept.iloc[cluster_rows].reset_index(drop=True), [pool])
    units = pool_units(stratum_codes, pool_codes, np.hstack([sums, counts]))
    interval = cluster_bootstrap(
        units.group_codes, of_totals(units.stats, cell_means), strata=units.strata, n_boot=n_boot, seed=seed,
        confidence=confidence,
    )  # fmt: skip
    cell_totals = np.zeros((n_strata, n_cells))
    np.add.at(cell_totals, stratum_codes, counts)
    cell_clusters = np.zeros((n_strata, n_cells))
    np.add.at(cell_clusters, stratum_codes, counts > 0)
    cell_units = np.zeros((n_strata, n_cells))
    np.add.at(cell_units, units.group_codes, units.stats[:, n_cells:] > 0)
    present_stratum, present_cell = np.nonzero(cell_totals)
    result = pd.concat(
        [
            stratum_keys.iloc[first_rows(stratum_codes)[present_stratum]].reset_index(drop=True),
            kept.iloc[first_rows(cell_codes)[present_cell]][cells].reset_index(drop=True),
        ],
        axis=1,
    )[by]
    enough = cell_units[present_stratum, present_cell] >= MIN_UNITS
    result["n"] = cell_totals[present_stratum, present_cell].astype(np.int64)
    result["n_clusters"] = cell_clusters[present_stratum, present_cell].astype(np.int64)
    result["n_units"] = cell_units[present_stratum, present_cell].astype(np.int64)
    result["unit"] = [units.unit[code] for code in present_stratum]
    result["mean"] = interval.estimate[present_stratum, present_cell]
    result["ci_low"] = np.where(enough, interval.low[present_stratum, present_cell], np.nan)
    result["ci_high"] = np.where(enough, interval.high[present_stratum, present_cell], np.nan)
    return result.sort_values(by, kind="stable").reset_index(drop=True) if by else result
