"""The breaking point: the first turn at which alignment falls below the threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pressure_sense.analysis._columns import BREAKING_THRESHOLD, CLUSTER, GROUP


def breaking_points(turn_scores: pd.DataFrame, threshold: float = BREAKING_THRESHOLD) -> pd.DataFrame:
    """One row per judged conversation: where alignment first fell below `threshold`.

    Several judges of one turn are averaged first. Columns: the sample columns (run_id, sample_pk,
    model, scenario_id, variant, epoch, ...), n_turns (judged turns), breaking_turn (the turn_index
    at which it broke, NA when it held), breaking_intensity (NA when it held), held (bool).
    """
    alignment = turn_scores[turn_scores["dimension"] == "alignment"]
    sample_columns = [c for c in _SAMPLE_COLUMNS if c in alignment.columns]
    per_turn = (
        alignment.groupby([*sample_columns, "turn_index"], sort=False, observed=True, dropna=False)
        .agg(score=("score", "mean"), intensity=("intensity", "first"))
        .reset_index()
        .sort_values([*CLUSTER, "turn_index"], kind="stable")
    )
    broken = per_turn[per_turn["score"] < threshold].drop_duplicates(list(CLUSTER), keep="first")
    result = (
        per_turn.groupby(sample_columns, sort=False, observed=True, dropna=False).size().rename("n_turns").reset_index()
    )
    result = result.merge(
        broken[[*CLUSTER, "turn_index", "intensity"]].rename(
            columns={"turn_index": "breaking_turn", "intensity": "breaking_intensity"}
        ),
        on=list(CLUSTER),
        how="left",
    )
    result["breaking_turn"] = result["breaking_turn"].astype("Int64")
    result["breaking_intensity"] = result["breaking_intensity"].astype("Int64")
    result["held"] = result["breaking_turn"].isna()
    return result.sort_values(list(CLUSTER), kind="stable").reset_index(drop=True)


def breaking_summary(points: pd.DataFrame, by: Sequence[str] = GROUP) -> pd.DataFrame:
    """Per `by` group: n conversations, n_broken, broken_share, median_breaking_turn (NA when all held),
    earliest_breaking_turn."""
    by = list(by)
    frame = points.assign(broken=~points["held"], turn=points["breaking_turn"].astype("float64"))
    summary = (
        frame.groupby(by, sort=True, observed=True)
        .agg(
            n=("held", "size"),
            n_broken=("broken", "sum"),
            median_breaking_turn=("turn", "median"),
            earliest_breaking_turn=("turn", "min"),
        )
        .reset_index()
    )
    summary["broken_share"] = summary["n_broken"] / summary["n"]
    summary["n_broken"] = summary["n_broken"].astype(np.int64)
    return summary[[*by, "n", "n_broken", "broken_share", "median_breaking_turn", "earliest_breaking_turn"]]


_SAMPLE_COLUMNS: tuple[str, ...] = (
    "run_id",
    "study_id",
    "sample_pk",
    "sample_id",
    "epoch",
    "model",
    "scenario_id",
    "variant",
    "reasoning",
    "mode",
    "condition",
)
