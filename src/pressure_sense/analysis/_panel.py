"""A study judged by a panel: how far the judges agree, and the turns where they differ widely.

With several judges every turn has one score per judge; the other tables average them (the
panel mean). These two tables show whether that mean hides disagreement.
"""

from __future__ import annotations

import pandas as pd

from pressure_sense.analysis._conditions import rubric_scores
from pressure_sense.analysis._krippendorff import krippendorff_alpha

FLAG_SPREAD = 2.0
"""Judges whose scores for one item differ by this much or more are flagged."""
UNIT: tuple[str, ...] = ("run_id", "sample_pk", "turn_index")
"""One judged item: a turn of one conversation."""
ALPHA_COLUMNS: tuple[str, ...] = ("dimension", "judges", "n_turns", "alpha")
FLAG_COLUMNS: tuple[str, ...] = ("model", "scenario_id", "variant", "epoch", "turn_index", "dimension", "scores", "spread")


def _judged(turn_scores: pd.DataFrame) -> pd.DataFrame:
    frame = rubric_scores(turn_scores)
    return frame[(frame["method"] != "flags") & frame["score"].notna()]


def panel_judges(turn_scores: pd.DataFrame) -> list[str]:
    """The judges that scored the rubric dimensions, in name order."""
    return sorted(_judged(turn_scores)["judge"].unique())


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
    judges = panel_judges(frame)
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
    if len(panel_judges(frame)) < 2:
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
