"""Krippendorff's alpha: chance-corrected agreement among any number of raters, missing values allowed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Level = Literal["nominal", "ordinal", "interval"]


def _coincidences(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and the coincidence matrix o[c, k] of pairable units.

    matrix: [rater, unit], NaN where a rater gave no value.
    """
    values = np.unique(matrix[~np.isnan(matrix)])
    index = {value: position for position, value in enumerate(values)}
    coincidence = np.zeros((len(values), len(values)))
    for unit in matrix.T:
        present = unit[~np.isnan(unit)]
        if len(present) < 2:
            continue
        counts = np.zeros(len(values))
        for value in present:
            counts[index[value]] += 1
        pairs = np.outer(counts, counts) - np.diag(counts)
        coincidence += pairs / (len(present) - 1)
    return values, coincidence


def _squared_differences(values: np.ndarray, totals: np.ndarray, level: Level) -> np.ndarray:
    """delta^2[c, k] for the chosen level of measurement."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    cumulative = np.cumsum(totals)
    delta = np.zeros((len(values), len(values)))
    for c in range(len(values)):
        for k in range(len(values)):
            low, high = min(c, k), max(c, k)
            between = cumulative[high] - (cumulative[low - 1] if low > 0 else 0.0)
            delta[c, k] = (between - (totals[c] + totals[k]) / 2.0) ** 2
    return delta


def krippendorff_alpha(ratings: Sequence[Sequence[float | None]], level: Level = "interval") -> float:
    """Krippendorff's alpha of a [rater][unit] table (None or NaN = missing).

    Units rated by fewer than two raters are left out. Returns NaN when no pairable unit exists
    or every value is the same (no expected disagreement).
    """
    matrix = np.array([[np.nan if value is None else float(value) for value in row] for row in ratings], dtype=float)
    if matrix.ndim != 2:
        raise ValueError("ratings must be a rectangular table: one row per rater, one column per unit")
    values, coincidence = _coincidences(matrix)
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    if n < 2:
        return float("nan")
    delta = _squared_differences(values, totals, level)
    observed = float((coincidence * delta).sum() / n)
    expected = float((np.outer(totals, totals) * delta).sum() / (n * (n - 1)))
    if expected == 0.0:
        return float("nan")
    return 1.0 - observed / expected
