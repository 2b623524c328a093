"""Cluster bootstrap over many groups at once, vectorised with numpy.

A study's observations are not independent: the turns of one conversation share its history, so
confidence intervals resample whole clusters (by default whole conversations, i.e. samples) and
never single turns. Each cluster is summarised by additive statistics (sums and counts); a
statistic of the group totals (a mean, a slope) is then computed for every resample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

DEFAULT_BOOTSTRAP = 1000
"""Resamples per confidence interval."""
DEFAULT_CONFIDENCE = 0.95
_MAX_CELLS = 4_000_000
"""Largest [resample, cluster] count matrix held in memory at once (32 MB)."""

Statistic = Callable[[np.ndarray], np.ndarray]
"""Maps totals [..., stat] to estimates [..., k] (NaN where undefined, e.g. an empty count)."""


@dataclass(frozen=True)
class Interval:
    """Point estimates and percentile bootstrap bounds, each [group, k]."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray


def codes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Dense integer codes (0..n-1, in first-seen order) of the rows' combinations of `columns`."""
    if not columns:
        return np.zeros(len(frame), dtype=np.int64)
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = pd.factorize(combined * (len(uniques) + 1) + column_codes)[0].astype(np.int64)  # stays dense
    return combined


def grouped_bootstrap(
    group_codes: np.ndarray,
    cluster_stats: np.ndarray,
    statistic: Statistic,
    *,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Interval:
    """Percentile bootstrap of `statistic` for every group, resampling clusters within each group.

    group_codes: [cluster] the group (0..G-1, every code used) each cluster belongs to; groups
    are resampled independently (strata). cluster_stats: [cluster, stat] additive statistics of
    each cluster (sums, counts...). A resample's group totals are `counts @ stats` where counts
    [resample, cluster] says how often each cluster was drawn. Returns estimates and bounds
    [group, k]. Resamples where the statistic is undefined (a cell no drawn cluster reached) are
    left out of that bound; bounds are NaN only when it is undefined in every resample.
    """
    order = np.argsort(group_codes, kind="stable")
    stats = np.asarray(cluster_stats, dtype=np.float64)[order]
    sizes = np.bincount(group_codes[order])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    estimate = statistic(np.add.reduceat(stats, starts, axis=0))  # [group, k]
    low = np.full(estimate.shape, np.nan)
    high = np.full(estimate.shape, np.nan)
    rng = np.random.default_rng(seed)
    alpha = (1.0 - confidence) / 2.0
    with threadpool_limits(limits=1, user_api="blas"):  # the products are small: BLAS threads only contend
        for group, (start, size) in enumerate(zip(starts, sizes, strict=True)):
            block = stats[start : start + size].astype(np.float32)  # [cluster, stat]; float32 halves the matmul
            chunk = max(1, _MAX_CELLS // size)
            draws = []
            for begin in range(0, n_boot, chunk):
                rows = min(chunk, n_boot - begin)
                picks = rng.integers(0, size, (rows, size)) + (np.arange(rows) * size)[:, None]
                counts = np.bincount(picks.ravel(), minlength=rows * size).reshape(rows, size)
                totals = counts.astype(np.float32) @ block  # [resample, stat]
                draws.append(statistic(totals.astype(np.float64)))  # [resample, k]
            boots = np.concatenate(draws)
            defined = np.isfinite(boots).any(axis=0)
            if defined.any():
                bounds = np.nanquantile(boots[:, defined], [alpha, 1.0 - alpha], axis=0)
                low[group, defined], high[group, defined] = bounds[0], bounds[1]
    return Interval(estimate, low, high)


def _first_rows(group_codes: np.ndarray) -> np.ndarray:
    """The position of each code's first occurrence, indexed by code."""
    unique, first = np.unique(group_codes, return_index=True)
    return first[np.argsort(unique)]


def grouped_mean_ci(
    frame: pd.DataFrame,
    by: Sequence[str],
    value: str,
    cluster: Sequence[str] = ("run_id", "sample_pk"),
    *,
    strata: Sequence[str] | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Mean of `value` per combination of `by`, with a bootstrap CI resampling `cluster`s.

    `strata` (a subset of `by`, default all of it) are resampled independently; the other `by`
    columns are cells inside a cluster (e.g. the turns and dimensions of one conversation), so one
    resample draws whole conversations and every cell's mean is taken from the same draw. Returns
    the `by` columns plus n (observations), n_clusters, mean, ci_low, ci_high. Rows with a
    missing value are ignored.
    """
    by = list(by)
    strata = by if strata is None else list(strata)
    cells = [column for column in by if column not in strata]
    columns = [*by, "n", "n_clusters", "mean", "ci_low", "ci_high"]
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
    cluster_rows = _first_rows(cluster_codes)
    stratum_keys = kept.iloc[cluster_rows][strata].reset_index(drop=True)
    stratum_codes = codes(stratum_keys, strata)

    def cell_means(totals: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return totals[..., :n_cells] / totals[..., n_cells:]

    interval = grouped_bootstrap(
        stratum_codes, np.hstack([sums, counts]), cell_means, n_boot=n_boot, seed=seed, confidence=confidence
    )
    n_strata = int(stratum_codes.max()) + 1
    cell_totals = np.zeros((n_strata, n_cells))
    np.add.at(cell_totals, stratum_codes, counts)
    cell_clusters = np.zeros((n_strata, n_cells))
    np.add.at(cell_clusters, stratum_codes, counts > 0)
    present_stratum, present_cell = np.nonzero(cell_totals)
    result = pd.concat(
        [
            stratum_keys.iloc[_first_rows(stratum_codes)[present_stratum]].reset_index(drop=True),
            kept.iloc[_first_rows(cell_codes)[present_cell]][cells].reset_index(drop=True),
        ],
        axis=1,
    )[by]
    result["n"] = cell_totals[present_stratum, present_cell].astype(np.int64)
    result["n_clusters"] = cell_clusters[present_stratum, present_cell].astype(np.int64)
    result["mean"] = interval.estimate[present_stratum, present_cell]
    result["ci_low"] = interval.low[present_stratum, present_cell]
    result["ci_high"] = interval.high[present_stratum, present_cell]
    return result.sort_values(by, kind="stable").reset_index(drop=True) if by else result
