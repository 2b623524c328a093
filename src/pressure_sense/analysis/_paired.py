"""Paired differences between two levels of one factor (reasoning on/off, agent/chat, pressure/control, run A/B)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, codes, grouped_bootstrap
from pressure_sense.analysis._columns import PAIR_KEYS, VARIANT_ATTRIBUTES
from pressure_sense.analysis._means import sample_scores


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
    value: str = "score",
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean difference `a - b` of `value` between paired rows, per `by` group, with a bootstrap CI.

    `frame` has one row per conversation and dimension (see `sample_scores`). Rows pair when they
    agree on every `pair_on` column (default: `default_pair_keys(factor_column)`, e.g. model x
    scenario x epoch x the other variant parts x dimension); several rows for one side of a pair
    are averaged. The CI resamples pairs. Columns: by, n_pairs, mean_a, mean_b, delta, ci_low, ci_high.
    """
    keys = list(pair_on) if pair_on is not None else default_pair_keys(factor_column)
    by = list(by)
    missing = [column for column in by if column not in keys]
    if missing:
        raise ValueError(f"paired_effect: by columns {missing} must also be pair_on columns {keys}")
    absent = [column for column in [factor_column, value, *keys] if column not in frame.columns]
    if absent:
        raise ValueError(f"paired_effect: the frame lacks the columns {absent}")
    columns = [*by, "n_pairs", "mean_a", "mean_b", "delta", "ci_low", "ci_high"]
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
    interval = grouped_bootstrap(group_codes, stats, _mean_a_b_delta, n_boot=n_boot, seed=seed)
    first = pd.Series(np.arange(len(pairs))).groupby(group_codes).first().to_numpy()
    result = pairs.iloc[first][by].reset_index(drop=True)
    result["n_pairs"] = np.bincount(group_codes)
    result["mean_a"] = interval.estimate[:, 0]
    result["mean_b"] = interval.estimate[:, 1]
    result["delta"] = interval.estimate[:, 2]
    result["ci_low"] = interval.low[:, 2]
    result["ci_high"] = interval.high[:, 2]
    return result[columns].sort_values(by, kind="stable").reset_index(drop=True)


def reasoning_effect(
    turn_scores: pd.DataFrame,
    by: Sequence[str] = ("model", "scenario_id", "mode", "condition", "dimension"),
    *,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """With minus without the reasoning scratchpad, paired by model x scenario x epoch (and mode,
    condition), on each conversation's mean turn score. Columns as `paired_effect`."""
    return paired_effect(sample_scores(turn_scores), "reasoning", True, False, by, n_boot=n_boot, seed=seed)
