"""Paired differences between two levels of one factor (reasoning on/off, agent/chat, pressure/control, run A/B)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, cluster_bootstrap, codes, of_totals
from pressure_sense.analysis._columns import PAIR_KEYS, VARIANT_ATTRIBUTES
from pressure_sense.analysis._means import sample_scores
from pressure_sense.analysis._pooling import UNIT_PAIRS, Resampling, pool_units, unit_rows
from pressure_sense.analysis._scratchpad import scratchpad_turns


def default_pair_keys(factor_column: str) -> list[str]:
    """The columns two conversations must share to be a pair when `factor_column` is compared.

    Comparing `variant` (or one of its parts) drops the other variant columns that it implies.
    """
    dropped = {factor_column}
    if factor_column == "variant":
        dropped |= set(VARIANT_ATTRIBUTES)
    return [key for key in PAIR_KEYS if key not in dropped]


def _mean_a_b_delta(totals: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals[..., :3] / totals[..., 3:4]


def paired_effect(
    frame: pd.DataFrame,
    factor_column: str,
    a: object,
    b: object,
    by: Sequence[str] = ("model", "scenario_id", "dimension"),
    pair_on: Sequence[str] | None = None,
    *,
    pool: str | None = None,
    value: str = "score",
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean difference `a - b` of `value` between paired rows, per `by` group, with a bootstrap CI.

    `frame` has one row per conversation and dimension (see `sample_scores`). Rows pair when they
    agree on every `pair_on` column (default: `default_pair_keys(factor_column)`, e.g. model x
    scenario x epoch x the other variant parts x dimension); several rows for one side of a pair
    are averaged. The CI resamples pairs; with `pool` (a pair_on column not in `by`, e.g.
    scenario_id) pairs within each of its levels, or whole levels when one holds a single pair (see
    `pool_units`). Columns: by, n_pairs, n_units and unit (what the CI resampled), mean_a, mean_b,
    delta, ci_low, ci_high (NaN with fewer than MIN_UNITS units: one pair is no evidence of an effect).
    """
    keys = list(pair_on) if pair_on is not None else default_pair_keys(factor_column)
    by = list(by)
    missing = [column for column in by if column not in keys]
    if missing:
        raise ValueError(f"paired_effect: by columns {missing} must also be pair_on columns {keys}")
    absent = [column for column in [factor_column, value, *keys] if column not in frame.columns]
    if absent:
        raise ValueError(f"paired_effect: the frame lacks the columns {absent}")
    if pool is not None and (pool in by or pool not in keys):
        raise ValueError(f"paired_effect: pool {pool!r} must be a pair_on column {keys} and not a by column")
    columns = [*by, "n_pairs", "n_units", "unit", "mean_a", "mean_b", "delta", "ci_low", "ci_high"]
    sides = []
    for level, name in ((a, "value_a"), (b, "value_b")):
        side = frame.loc[(frame[factor_column] == level) & frame[value].notna(), [*keys, value]]
        sides.append(side.groupby(keys, sort=False, observed=True, dropna=False)[value].mean().rename(name))
    pairs = pd.concat(sides, axis=1, join="inner").reset_index()
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    value_a = pairs["value_a"].to_numpy(dtype=np.float64)
    value_b = pairs["value_b"].to_numpy(dtype=np.float64)
    group_codes = codes(pairs, by)
    stats = np.column_stack([value_a, value_b, value_a - value_b, np.ones_like(value_a)])
    pool_codes = None if pool is None else codes(pairs, [pool])
    units = pool_units(group_codes, pool_codes, stats, clusters=UNIT_PAIRS)
    interval = cluster_bootstrap(
        units.group_codes, of_totals(units.stats, _mean_a_b_delta), strata=units.strata, n_boot=n_boot, seed=seed
    )
    estimate = interval.estimate
    result = unit_rows(pairs[by], group_codes, units).assign(
        n_pairs=np.bincount(group_codes), mean_a=estimate[:, 0], mean_b=estimate[:, 1], delta=estimate[:, 2],
        ci_low=interval.low[:, 2], ci_high=interval.high[:, 2],
    )  # fmt: skip
    return result[columns].sort_values(by, kind="stable").reset_index(drop=True)


def reasoning_effect(
    turn_scores: pd.DataFrame,
    by: Sequence[str] = ("model", "scenario_id", "mode", "condition", "dimension"),
    **resampling: Unpack[Resampling],
) -> pd.DataFrame:
    """With minus without the reasoning scratchpad, paired by model x scenario x epoch (and mode,
    condition), on each conversation's mean score over the turns where the scratchpad was used and
    the same turns of its twin (`scratchpad_turns`); empty where it was never used. `pool` as
    `paired_effect`. Columns as `paired_effect`."""
    return paired_effect(sample_scores(scratchpad_turns(turn_scores)), "reasoning", True, False, by, **resampling)
