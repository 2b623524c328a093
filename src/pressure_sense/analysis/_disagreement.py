"""How often the private reasoning and the visible output disagree, per the judge."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, grouped_mean_ci
from pressure_sense.analysis._columns import CLUSTER, GROUP


def disagreement_rates(
    judgements: pd.DataFrame,
    by: Sequence[str] = GROUP,
    *,
    pool: str | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Share of judged turns whose reasoning and output disagree, per `by` group.

    Only turn-level judgements with a known flag count (variants without a scratchpad have none).
    Columns: by, n (judged turns), n_clusters (conversations), n_units, unit, rate, ci_low, ci_high
    (with `pool`, conversations resampled within its levels; see `grouped_mean_ci`).
    """
    turns = judgements[judgements["turn_index"].notna() & judgements["disagreement"].notna()]
    turns = turns.assign(flag=turns["disagreement"].astype("float64"))
    rates = grouped_mean_ci(turns, list(by), "flag", CLUSTER, pool=pool, n_boot=n_boot, seed=seed)
    return rates.rename(columns={"mean": "rate"})
