"""How often the private reasoning and the visible output disagree, per the judge."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import pandas as pd

from pressure_sense.analysis._bootstrap import grouped_mean_ci
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._pooling import Resampling


def disagreement_rates(
    judgements: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Share of judged turns whose reasoning and output disagree, per `by` group.

    Only turn-level judgements with a known flag count (variants without a scratchpad have none).
    Columns: by, n (judged turns), n_clusters (conversations), n_units, unit, rate, ci_low, ci_high
    (with `pool`, conversations resampled within its levels; see `grouped_mean_ci`).
    """
    turns = judgements[judgements["turn_index"].notna() & judgements["disagreement"].notna()]
    turns = turns.assign(flag=turns["disagreement"].astype("float64"))
    return grouped_mean_ci(turns, list(by), "flag", CLUSTER, **resampling).rename(columns={"mean": "rate"})
