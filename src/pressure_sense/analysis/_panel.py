"""A study judged by a panel: the panel mean the other tables use, how far the judges agree (Krippendorff's
alpha), and the turns where they differ widely."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import krippendorff
import numpy as np
import pandas as pd

from pressure_sense.analysis._means import rubric_scores

Level = Literal["nominal", "ordinal", "interval"]

FLAG_SPREAD = 2.0
"""Judges whose scores for one item differ by this much or more are flagged."""
UNIT: tuple[str, ...] = ("run_id", "sample_pk", "turn_index")
"""One judged item: a turn of one conversation."""
ALPHA_COLUMNS: tuple[str, ...] = ("dimension", "judges", "n_turns", "alpha")
FLAG_COLUMNS: tuple[str, ...] = ("model", "scenario_id", "variant", "epoch", "turn_index", "dimension", "scores", "spread")


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


def _judged(turn_scores: pd.DataFrame) -> pd.DataFrame:
    frame = rubric_scores(turn_scores)
    return frame[(frame["method"] != "flags") & frame["score"].notna()]


def panel_mean(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """One score per (turn, dimension): the mean over the judges that scored it (unchanged with one judge).

    The judge-specific columns (judge, method, rationale) are dropped when several judges are averaged.
    """
    if turn_scores["judge"].nunique() < 2:
        return turn_scores
    keys = [column for column in turn_scores.columns if column not in ("score", "rationale", "judge", "method")]
    return turn_scores.groupby(keys, dropna=False, sort=False, observed=True, as_index=False)["score"].mean()


def panel_alpha(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's alpha (interval) between the judges per dimension, over turns scored by two or
    more of them. Empty unless at least two judges scored. Columns: ALPHA_COLUMNS."""
    frame = _judged(turn_scores)
    judges = sorted(frame["judge"].unique())
    if len(judges) < 2:
        return pd.DataFrame(columns=list(ALPHA_COLUMNS))
    rows = []
    for dimension, group in frame.groupby("dimension", sort=True):
        table = group.pivot_table(index=list(UNIT), columns="judge", values="score", aggfunc="mean")
        table = table.reindex(columns=judges)
        pairable = table[table.notna().sum(axis=1) >= 2]
        ratings = pairable.T.to_numpy()  # [judge][turn]
        rows.append((dimension, len(judges), len(pairable), krippendorff_alpha(ratings) if len(pairable) else float("nan")))
    return pd.DataFrame(rows, columns=list(ALPHA_COLUMNS))


def panel_flags(turn_scores: pd.DataFrame, spread: float = FLAG_SPREAD) -> pd.DataFrame:
    """Turns where the judges' scores on a dimension differ by `spread` or more, widest first.

    `scores` reads `judge: score` for each judge. Columns: FLAG_COLUMNS.
    """
    frame = _judged(turn_scores)
    if frame["judge"].nunique() < 2:
        return pd.DataFrame(columns=list(FLAG_COLUMNS))
    keys = [*UNIT, "model", "scenario_id", "variant", "epoch", "dimension"]
    rows = []
    for key, group in frame.groupby(keys, sort=True):
        if group["judge"].nunique() < 2:
            continue
        width = float(group["score"].max() - group["score"].min())
        if width >= spread:
            values = dict(zip(keys, key))
            scores = ", ".join(f"{judge}: {score:.1f}" for judge, score in zip(group["judge"], group["score"]))
            rows.append({**{name: values[name] for name in FLAG_COLUMNS[:6]}, "scores": scores, "spread": width})
    flags = pd.DataFrame(rows, columns=list(FLAG_COLUMNS))
    return flags.sort_values("spread", ascending=False, kind="stable").reset_index(drop=True)
