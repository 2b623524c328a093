"""Adaptive runs: why they stopped and at which turn the target gave in."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pressure_sense.analysis._breaking import breaking_summary
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
    stopped = adaptive["stopped"]
    gave_in = breaking_summary(adaptive.assign(held=stopped != "gave_in"), by)  # giving in is where a run broke
    gave_in = gave_in.rename(columns={"n_broken": "gave_in", "broken_share": "gave_in_share"})
    stops = adaptive.assign(
        held=stopped == "held", max_turns=stopped == "max_turns", played=adaptive["turns"].astype("float64")
    )
    ends = stops.groupby(by, sort=True).agg(
        held=("held", "sum"), max_turns=("max_turns", "sum"), mean_turns=("played", "mean")
    )
    summary = gave_in.merge(ends.astype({"held": "int64", "max_turns": "int64"}).reset_index(), on=by)
    return summary[[*by, *ADAPTIVE_COLUMNS]]
