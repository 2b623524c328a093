"""Dense integer codes of row combinations, the grouping primitive of the bootstrap."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def codes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Dense integer codes (0..n-1, in first-seen order) of the rows' combinations of `columns`."""
    if not columns:
        return np.zeros(len(frame), dtype=np.int64)
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        combined = pd.factorize(combined * (len(uniques) + 1) + column_codes)[0].astype(np.int64)  # stays dense
    return combined


def first_rows(group_codes: np.ndarray) -> np.ndarray:
    """The position of each code's first row, indexed by code."""
    unique, first = np.unique(group_codes, return_index=True)
    return first[np.argsort(unique)]
