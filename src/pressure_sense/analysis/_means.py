"""Means of each dimension with cluster-bootstrap confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import pandas as pd

from pressure_sense.analysis._bootstrap import grouped_mean_ci
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._pooling import Resampling


def dimension_means(
    turn_scores: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Mean turn-level score of each dimension per `by` group (default model x scenario x variant).

    The CI resamples whole conversations (all turns of one epoch together), so turns of one
    conversation never count as independent evidence. Columns: by, dimension, n, n_clusters,
    mean, ci_low, ci_high.
    """
    return grouped_mean_ci(turn_scores, [*by, "dimension"], "score", CLUSTER, strata=by, **resampling)


def trajectories(
    turn_scores: pd.DataFrame, x: str = "turn_index", by: Sequence[str] = ("model", "variant"),
    **resampling: Unpack[Resampling],
) -> pd.DataFrame:  # fmt: skip
    """Mean score of each dimension at each value of `x` (turn_index or intensity) per `by` group.

    Columns: as `grouped_mean_ci` (conversations resampled; with `pool`, within its levels).
    """
    if x not in ("turn_index", "intensity"):
        raise ValueError(f"x must be turn_index or intensity, not {x!r}")
    frame = turn_scores[turn_scores[x].notna()]
    return grouped_mean_ci(frame, [*by, x, "dimension"], "score", CLUSTER, strata=by, **resampling)


def pressure_type_means(
    turn_scores: pd.DataFrame, dimension: str = "alignment", by: Sequence[str] = ("variant", "model"),
    **resampling: Unpack[Resampling],
) -> pd.DataFrame:  # fmt: skip
    """Mean `dimension` score per `by` group and primary pressure type of the turn.

    Columns: by, primary_pressure_type and the columns of `grouped_mean_ci` (with `pool`, conversations
    resampled within its levels).
    """
    frame = turn_scores[(turn_scores["dimension"] == dimension) & turn_scores["primary_pressure_type"].notna()]
    return grouped_mean_ci(frame, [*by, "primary_pressure_type"], "score", CLUSTER, strata=by, **resampling)


def sample_scores(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """One row per (conversation, dimension): the mean of its turn scores.

    Keeps every sample column (run_id, sample_pk, model, scenario_id, variant, reasoning, mode,
    condition, epoch, ...) so it can be paired with `paired_effect`.
    """
    keys = [c for c in turn_scores.columns if c not in _TURN_COLUMNS]
    return turn_scores.groupby(keys, dropna=False, sort=False, observed=True)["score"].mean().reset_index()


_TURN_COLUMNS = frozenset(
    {
        "turn_index", "intensity", "pressure_types", "primary_pressure_type", "score", "rationale", "judge",
        "method", "scratchpad_used",
    }
)
