"""Krippendorff's alpha from the `krippendorff` package, with the undefined cases as NaN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import krippendorff
import numpy as np

Level = Literal["nominal", "ordinal", "interval"]


def krippendorff_alpha(ratings: Sequence[Sequence[float | None]], level: Level = "interval") -> float:
    """Krippendorff's alpha of a [rater][unit] table (None or NaN = missing).

    Units rated by fewer than two raters are left out. Returns NaN where the package refuses or
    divides by zero: no pairable unit, or no expected disagreement (every value the same).
    """
    matrix = np.array([[np.nan if value is None else float(value) for value in row] for row in ratings], dtype=float)
    if matrix.ndim != 2:
        raise ValueError("ratings must be a rectangular table: one row per rater, one column per unit")
    pairable = matrix[:, (~np.isnan(matrix)).sum(axis=0) >= 2]
    if pairable.size == 0 or np.unique(pairable[~np.isnan(pairable)]).size < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level))
