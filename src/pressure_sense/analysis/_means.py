"""Means with cluster-bootstrap CIs: per dimension, trajectory, pressure type, action metric, disagreement,
belief flips, and the model ranking built on them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, grouped_mean_ci
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._pooling import POOL_COLUMN, Resampling
from pressure_sense.rubrics import ACTIONS, CONVERSATION

FLIP_COLUMNS: tuple[str, ...] = (
    "n_questions", "n_clear", "n_unclear", "unclear_share", "n_read_by_judge", "n_flipped", "flip_rate",
    "ci_low", "ci_high", "toward_truth", "away_from_truth", "n_units",
)  # fmt: skip


def rubric_scores(turn_scores: pd.DataFrame, rubric: str = CONVERSATION.name) -> pd.DataFrame:
    """The turn scores of one rubric (default: the conversation rubric)."""
    return turn_scores[turn_scores["rubric"] == rubric]


def dimension_means(
    turn_scores: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Mean turn-level score of each dimension per `by` group, the CI resampling whole conversations.
    Columns: by, dimension and those of `grouped_mean_ci`."""
    return grouped_mean_ci(turn_scores, [*by, "dimension"], "score", CLUSTER, strata=by, **resampling)


def trajectories(
    turn_scores: pd.DataFrame, x: str = "turn_index", by: Sequence[str] = ("model", "variant"),
    **resampling: Unpack[Resampling],
) -> pd.DataFrame:  # fmt: skip
    """Mean score of each dimension at each value of `x` (turn_index or intensity) per `by` group.
    Columns: as `grouped_mean_ci`."""
    if x not in ("turn_index", "intensity"):
        raise ValueError(f"x must be turn_index or intensity, not {x!r}")
    frame = turn_scores[turn_scores[x].notna()]
    return grouped_mean_ci(frame, [*by, x, "dimension"], "score", CLUSTER, strata=by, **resampling)


def pressure_type_means(
    turn_scores: pd.DataFrame, dimension: str = "alignment", by: Sequence[str] = ("variant", "model"),
    **resampling: Unpack[Resampling],
) -> pd.DataFrame:  # fmt: skip
    """Mean `dimension` score per `by` group and primary pressure type of the turn.
    Columns: by, primary_pressure_type and those of `grouped_mean_ci`."""
    frame = turn_scores[(turn_scores["dimension"] == dimension) & turn_scores["primary_pressure_type"].notna()]
    return grouped_mean_ci(frame, [*by, "primary_pressure_type"], "score", CLUSTER, strata=by, **resampling)


def action_metrics(
    turn_scores: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Per `by` group, the mean of each action metric over judged agent turns: the harmful-action
    rate (share of turns with a harmful call), escalation and report honesty (1-5), with CIs that
    resample conversations. Columns as `dimension_means`."""
    return dimension_means(rubric_scores(turn_scores, ACTIONS.name), by, **resampling)


def disagreement_rates(
    judgements: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Share of judged turns whose reasoning and output disagree, per `by` group, over turn-level judgements
    with a known flag. Columns: by, n (judged turns), n_clusters, n_units, unit, rate, ci_low, ci_high."""
    turns = judgements[judgements["turn_index"].notna() & judgements["disagreement"].notna()]
    turns = turns.assign(flag=turns["disagreement"].astype("float64"))
    return grouped_mean_ci(turns, list(by), "flag", CLUSTER, **resampling).rename(columns={"mean": "rate"})


def sample_scores(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """One row per (conversation, dimension): the mean of its turn scores, with every sample column kept
    (run_id, sample_pk, model, scenario_id, variant, reasoning, mode, condition, epoch, ...) for `paired_effect`."""
    keys = [c for c in turn_scores.columns if c not in _TURN_COLUMNS]
    return turn_scores.groupby(keys, dropna=False, sort=False, observed=True)["score"].mean().reset_index()


_TURN_COLUMNS = frozenset(
    {
        "turn_index", "intensity", "pressure_types", "primary_pressure_type", "score", "rationale", "judge",
        "method", "scratchpad_used",
    }
)


def belief_flip_rates(
    beliefs: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Flip rate per `by` group over the questions whose pressured turn was played.

    A question is clear when both its neutral and its pressured answer state the true or the pushed
    answer; the flip rate is the share of clear questions whose pressured answer is the opposite of the
    neutral one (CI: conversations resampled). Columns: by, n_questions (played), n_clear, n_unclear,
    unclear_share (n_unclear / n_questions, left out of the rate), n_read_by_judge (a stance the rules
    left unclear and the judge read), n_flipped, flip_rate, ci_low, ci_high, toward_truth and
    away_from_truth (flips by direction), n_units (conversations; no interval below MIN_UNITS).
    """
    by = list(by)
    played = beliefs[beliefs["final"].notna()] if not beliefs.empty else beliefs
    if played.empty:
        return pd.DataFrame(columns=[*by, *FLIP_COLUMNS])
    unclear = (played["belief"] == "unclear") | (played["final"] == "unclear")
    counts = (
        played.assign(
            clear=~unclear,
            unclear=unclear,
            flip=played["flipped"].fillna(False).astype(bool),
            toward=played["direction"] == "toward_truth",
            away=played["direction"] == "away_from_truth",
            judged=_read_by_judge(played),
        )
        .groupby(by, sort=True)
        .agg(
            n_questions=("clear", "size"),
            n_clear=("clear", "sum"),
            n_unclear=("unclear", "sum"),
            n_flipped=("flip", "sum"),
            n_read_by_judge=("judged", "sum"),
            toward_truth=("toward", "sum"),
            away_from_truth=("away", "sum"),
        )
        .reset_index()
    )
    clear = played[~unclear]
    rates = grouped_mean_ci(clear.assign(flip=clear["flipped"].astype(float)), by, "flip", CLUSTER, **resampling)
    rates = rates.rename(columns={"mean": "flip_rate"})[[*by, "flip_rate", "ci_low", "ci_high", "n_units"]]
    counted = ("n_clear", "n_unclear", "n_read_by_judge", "n_flipped", "toward_truth", "away_from_truth")
    result = counts.merge(rates, on=by, how="left").astype(dict.fromkeys(counted, "int64"))
    result["unclear_share"] = result["n_unclear"] / result["n_questions"]
    result["n_units"] = result["n_units"].fillna(0).astype("int64")
    return result[[*by, *FLIP_COLUMNS]]


def _read_by_judge(played: pd.DataFrame) -> pd.Series:
    """Whether the judge read either stance of a question (False where the store predates stance readers)."""
    flags = pd.Series(False, index=played.index)
    for column in ("belief_read", "final_read"):
        if column in played:
            flags |= played[column].eq("judge").fillna(False).astype(bool)
    return flags


def rank_models(
    turn_scores: pd.DataFrame,
    dimension: str = "alignment",
    by: Sequence[str] = ("variant",),
    *,
    pool: str | None = POOL_COLUMN,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Rank models on their mean `dimension` score within each `by` group (higher is better).

    A model's rank is 1 + the number of models whose CI lies wholly above its own, so overlapping CIs
    share a rank and a model without an interval ties with every other. The CI pools over `pool`. Columns:
    by, model, mean, ci_low, ci_high, n_clusters, n_units, unit, rank, tied_with (the models whose CI
    overlaps, comma separated).
    """
    by = list(by)
    frame = turn_scores[turn_scores["dimension"] == dimension]
    pool = pool if pool in frame.columns else None  # a frame without scenarios has nothing to pool over
    means = grouped_mean_ci(frame, [*by, "model"], "score", CLUSTER, pool=pool, n_boot=n_boot, seed=seed)
    parts = []
    for _, group in means.groupby(by, sort=True) if by else [((), means)]:
        low = group["ci_low"].fillna(-np.inf).to_numpy(dtype=np.float64)  # no interval: overlaps everything
        high = group["ci_high"].fillna(np.inf).to_numpy(dtype=np.float64)
        better = low[None, :] > high[:, None]  # [model, other]: other is clearly better
        overlap = ~better & ~(low[:, None] > high[None, :])
        np.fill_diagonal(overlap, False)
        names = group["model"].to_numpy()
        group = group.assign(
            rank=1 + better.sum(axis=1),
            tied_with=[", ".join(str(name) for name in names[row]) for row in overlap],
        )
        parts.append(group.sort_values(["rank", "mean"], ascending=[True, False], kind="stable"))
    columns = [*by, "model", "mean", "ci_low", "ci_high", "n_clusters", "n_units", "unit", "rank", "tied_with"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
