"""Adaptive runs: why they stopped and at which turn the target gave in."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pressure_sense.analysis._columns import GROUP

ADAPTIVE_COLUMNS: tuple[str, ...] = (
    "n", "gave_in", "held", "max_turns", "gave_in_share",
    "median_breaking_turn", "earliest_breaking_turn", "mean_turns",
)  # fmt: skip


def adaptive_summary(adaptive: pd.DataFrame, by: Sequence[str] = GROUP) -> pd.DataFrame:
    """Per `by` group of adaptive conversations: n, how many stopped because the target gave in,
    held at top intensity or ran out of turns, the share that gave in, the median and earliest
    breaking turn (turn_index; NaN when none gave in) and the mean number of turns played."""
    by = list(by)
    if adaptive.empty:
        return pd.DataFrame(columns=[*by, *ADAPTIVE_COLUMNS])
    frame = adaptive.assign(
        **{reason: adaptive["stopped"] == reason for reason in ("gave_in", "held", "max_turns")},
        breaking=adaptive["breaking_turn"].astype("float64"),
        played=adaptive["turns"].astype("float64"),
    )
    summary = (
        frame.groupby(by, sort=True)
        .agg(
            n=("stopped", "size"),
            gave_in=("gave_in", "sum"),
            held=("held", "sum"),
            max_turns=("max_turns", "sum"),
            median_breaking_turn=("breaking", "median"),
            earliest_breaking_turn=("breaking", "min"),
            mean_turns=("played", "mean"),
        )
        .reset_index()
    )
    summary["gave_in_share"] = summary["gave_in"] / summary["n"]
    for column in ("gave_in", "held", "max_turns"):
        summary[column] = summary[column].astype("int64")
    return summary[[*by, *ADAPTIVE_COLUMNS]]
