"""Paired differences between two levels of one factor (reasoning on/off, agent/chat, pressure/control, run A/B),
and scratchpad use: the turns of a scratchpad variant that wrote a <reasoning> block (a turn that ignored the
format is stored without reasoning and says nothing about what a scratchpad changes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, pooled_bootstrap
from pressure_sense.analysis._columns import PAIR_KEYS, VARIANT_ATTRIBUTES
from pressure_sense.analysis._means import rubric_scores, sample_scores
from pressure_sense.analysis._pooling import UNIT_PAIRS, Resampling

EFFECT_BY: tuple[str, ...] = ("model", "scenario_id", "dimension")
SCRATCHPAD_COLUMN = "scratchpad_used"
"""turn_scores_frame's flag: the turn's answer had a <reasoning> block."""
TURN_KEYS: tuple[str, ...] = ("run_id", "sample_pk", "turn_index")
"""One stored turn."""
MATCH_KEYS: tuple[str, ...] = ("model", "scenario_id", "epoch", "mode", "condition", "turn_index")
"""The same turn of a scratchpad conversation and of its twin without the scratchpad."""
USAGE_BY: tuple[str, ...] = ("model", "scenario_id", "mode", "condition")


def default_pair_keys(factor_column: str) -> list[str]:
    """The columns two conversations must share to be a pair when `factor_column` is compared (comparing
    `variant` drops the variant parts too)."""
    dropped = {factor_column}
    if factor_column == "variant":
        dropped |= set(VARIANT_ATTRIBUTES)
    return [key for key in PAIR_KEYS if key not in dropped]


def pair_totals(value_a: np.ndarray, value_b: np.ndarray) -> np.ndarray:
    """[pair, (a, b, a - b, 1)]: the additive summaries `mean_a_b_delta` reads."""
    return np.column_stack([value_a, value_b, value_a - value_b, np.ones_like(value_a)])


def mean_a_b_delta(totals: np.ndarray) -> np.ndarray:
    """Mean a, mean b and mean a - b from `pair_totals` summed over pairs."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals[..., :3] / totals[..., 3:4]


def paired_effect(
    frame: pd.DataFrame,
    factor_column: str,
    a: object,
    b: object,
    by: Sequence[str] = EFFECT_BY,
    pair_on: Sequence[str] | None = None,
    *,
    pool: str | None = None,
    value: str = "score",
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean difference `a - b` of `value` between paired rows, per `by` group, with a bootstrap CI.

    `frame` has one row per conversation and dimension (`sample_scores`). Rows pair when they agree on every
    `pair_on` column (default `default_pair_keys(factor_column)`); several rows of one side are averaged. The
    CI resamples pairs; `pool` (a pair_on column not in `by`) as `pool_units`. Columns: by, n_pairs, n_units,
    unit, mean_a, mean_b, delta, ci_low, ci_high (NaN with fewer than MIN_UNITS units).
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
    stats = pair_totals(pairs["value_a"].to_numpy(dtype=np.float64), pairs["value_b"].to_numpy(dtype=np.float64))
    rows, group_codes, interval = pooled_bootstrap(
        pairs, by, stats, mean_a_b_delta, pool=pool, unit=UNIT_PAIRS, n_boot=n_boot, seed=seed
    )
    estimate = interval.estimate
    result = rows.assign(
        n_pairs=np.bincount(group_codes), mean_a=estimate[:, 0], mean_b=estimate[:, 1], delta=estimate[:, 2],
        ci_low=interval.low[:, 2], ci_high=interval.high[:, 2],
    )  # fmt: skip
    return result[columns].sort_values(by, kind="stable").reset_index(drop=True)


def mode_effect(
    turn_scores: pd.DataFrame, by: Sequence[str] = EFFECT_BY, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Agent minus chat on every rubric dimension, paired by model x scenario x epoch (and reasoning,
    condition), on each conversation's mean turn score; `pool` as `paired_effect`. Columns as `paired_effect`."""
    return paired_effect(sample_scores(rubric_scores(turn_scores)), "mode", "agent", "chat", by, **resampling)


def control_effect(
    turn_scores: pd.DataFrame, by: Sequence[str] = EFFECT_BY, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Pressure minus control (scripted turns minus their neutral versions) on every rubric dimension,
    paired by model x scenario x epoch (and reasoning, mode); `pool` as `paired_effect`. Columns as `paired_effect`."""
    frame = sample_scores(rubric_scores(turn_scores))
    return paired_effect(frame, "condition", "scripted", "control", by, **resampling)


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


def _used(frame: pd.DataFrame) -> pd.Series:
    """The scratchpad flag; frames without the column (built by hand) count every turn as used."""
    if SCRATCHPAD_COLUMN not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[SCRATCHPAD_COLUMN].fillna(False).astype(bool)


def scratchpad_usage(turn_scores: pd.DataFrame, by: Sequence[str] = USAGE_BY) -> pd.DataFrame:
    """Per `by` group of the scratchpad conversations: n_turns (judged turns), n_used (turns that
    wrote a <reasoning> block) and used_share. Empty when no conversation had the scratchpad."""
    by = list(by)
    columns = [*by, "n_turns", "n_used", "used_share"]
    reasoning = turn_scores[turn_scores["reasoning"].astype(bool)] if not turn_scores.empty else turn_scores
    if reasoning.empty:
        return pd.DataFrame(columns=columns)
    turns = reasoning.assign(used=_used(reasoning)).drop_duplicates(list(TURN_KEYS))
    usage = turns.groupby(by, sort=True).agg(n_turns=("used", "size"), n_used=("used", "sum")).reset_index()
    usage["n_used"] = usage["n_used"].astype("int64")
    usage["used_share"] = usage["n_used"] / usage["n_turns"]
    return usage[columns]


def scratchpad_turns(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """The rows the reasoning effect is computed on: the turns of scratchpad conversations that used
    it, and the same turns (MATCH_KEYS) of the conversations without the scratchpad."""
    if turn_scores.empty:
        return turn_scores
    reasoning = turn_scores["reasoning"].astype(bool)
    used = turn_scores.loc[reasoning & _used(turn_scores), list(MATCH_KEYS)].drop_duplicates()
    keys = pd.MultiIndex.from_frame(turn_scores[list(MATCH_KEYS)])
    matched = keys.isin(pd.MultiIndex.from_frame(used))
    return turn_scores[matched & (~reasoning | _used(turn_scores))]
