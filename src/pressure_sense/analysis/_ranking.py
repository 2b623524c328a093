"""A model ranking that shows ties where confidence intervals overlap."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, grouped_mean_ci
from pressure_sense.analysis._columns import CLUSTER
from pressure_sense.analysis._pooling import POOL_COLUMN


def rank_models(
    turn_scores: pd.DataFrame,
    dimension: str = "alignment",
    by: Sequence[str] = ("variant",),
    *,
    pool: str | None = POOL_COLUMN,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Rank models on their mean `dimension` score within each `by` group (higher is better).

    A model's rank is 1 + the number of models whose CI lies wholly above its own, so models with
    overlapping CIs share a rank; a model without an interval (fewer than MIN_UNITS units) is
    tied with every other. The CI pools over `pool` (scenarios; see `pool_units`). Columns: by,
    model, mean, ci_low, ci_high, n_clusters, n_units, unit, rank, tied_with (the models whose CI
    overlaps, comma separated).
    """
    by = list(by)
    frame = turn_scores[turn_scores["dimension"] == dimension]
    pool = pool if pool in frame.columns else None  # a frame without scenarios has nothing to pool over
    means = grouped_mean_ci(frame, [*by, "model"], "score", CLUSTER, pool=pool, n_boot=n_boot, seed=seed)
    parts = []
    for _, group in means.groupby(by, sort=True) if by else [((), means)]:
        low = group["ci_low"].fillna(-np.inf).to_numpy(dtype=np.float64)  # no interval: overlaps everything
        high = group["ci_high"].fillna(np.inf).to_numpy(dtype=np.float64)
        better = low[None, :] > high[:, None]  # [model, other]: other is clearly better
        overlap = ~better & ~(low[:, None] > high[None, :])
        np.fill_diagonal(overlap, False)
        names = group["model"].to_numpy()
        group = group.assign(
            rank=1 + better.sum(axis=1),
            tied_with=[", ".join(str(name) for name in names[row]) for row in overlap],
        )
        parts.append(group.sort_values(["rank", "mean"], ascending=[True, False], kind="stable"))
    columns = [*by, "model", "mean", "ci_low", "ci_high", "n_clusters", "n_units", "unit", "rank", "tied_with"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
