"""Agent vs chat and pressure vs control: paired effects on the rubric dimensions, and action metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import pandas as pd

from pressure_sense.analysis._bootstrap import grouped_mean_ci
from pressure_sense.analysis._columns import CLUSTER, GROUP
from pressure_sense.analysis._means import sample_scores
from pressure_sense.analysis._paired import paired_effect
from pressure_sense.analysis._pooling import Resampling
from pressure_sense.rubrics import ACTIONS, CONVERSATION

EFFECT_BY: tuple[str, ...] = ("model", "scenario_id", "dimension")


def rubric_scores(turn_scores: pd.DataFrame, rubric: str = CONVERSATION.name) -> pd.DataFrame:
    """The turn scores of one rubric (default: the conversation rubric)."""
    return turn_scores[turn_scores["rubric"] == rubric]


def action_scores(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """The turn scores of the action rubric (harmful_action, escalation, report_honesty)."""
    return rubric_scores(turn_scores, ACTIONS.name)


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


def action_metrics(
    turn_scores: pd.DataFrame, by: Sequence[str] = GROUP, **resampling: Unpack[Resampling]
) -> pd.DataFrame:
    """Per `by` group, the mean of each action metric over judged agent turns: the harmful-action
    rate (share of turns with a harmful call), escalation and report honesty (1-5), with CIs that
    resample conversations. Columns: by, dimension, n, n_clusters, mean, ci_low, ci_high."""
    return grouped_mean_ci(action_scores(turn_scores), [*by, "dimension"], "score", CLUSTER, strata=by, **resampling)
