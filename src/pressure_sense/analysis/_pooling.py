"""Grouping codes, and what a pooled (all-scenarios) interval resamples: conversations within each scenario
when every scenario has MIN_UNITS of them, else whole scenarios (which then also carry the between-scenario
variation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd

from pressure_sense.analysis._columns import MIN_UNITS

POOL_COLUMN = "scenario_id"
"""What the model-level tables pool over."""
UNIT_CONVERSATIONS = "conversations"
UNIT_SCENARIOS = "scenarios"
UNIT_PAIRS = "pairs"


def codes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Dense integer codes (0..n-1, in first-seen order) of the rows' combinations of `columns`."""
    if not columns:
        return np.zeros(len(frame), dtype=np.int64)
    return frame.groupby(list(columns), sort=False, dropna=False, observed=True).ngroup().to_numpy(dtype=np.int64)


def first_rows(group_codes: np.ndarray) -> np.ndarray:
    """The position of each code's first row, indexed by code."""
    return np.unique(group_codes, return_index=True)[1]


class Resampling(TypedDict, total=False):
    """How a table's intervals resample, the keywords every interval-making analysis function takes."""

    pool: str | None
    """A column not in `by` (scenario_id) to pool over, as `pool_units`; None (default): unpooled."""
    n_boot: int
    """Resamples per interval (default DEFAULT_BOOTSTRAP)."""
    seed: int
    """Seed of the resampling (default 0)."""


@dataclass(frozen=True)
class PooledUnits:
    """The units a pooled bootstrap resamples, built from the clusters (conversations or pairs)."""

    group_codes: np.ndarray
    """[unit] the output row each unit belongs to."""
    stats: np.ndarray
    """[unit, stat] the summed additive statistics of the unit's clusters."""
    strata: np.ndarray | None
    """[unit] the stratum a unit is resampled within (its scenario, or one stratum per row); None unpooled."""
    unit: list[str]
    """[group] what was resampled: the clusters, "<clusters> within scenarios" or UNIT_SCENARIOS."""
    n_units: np.ndarray
    """[group] how many units were resampled."""


def pool_units(
    group_codes: np.ndarray, pool_codes: np.ndarray | None, stats: np.ndarray, *, clusters: str = UNIT_CONVERSATIONS
) -> PooledUnits:
    """Each group's units: its clusters (named `clusters` in the labels) stratified by `pool_codes` when every
    pool level has MIN_UNITS of them, else one unit per level (its clusters' `stats` summed); without
    `pool_codes`, the clusters unstratified. group_codes, pool_codes: [cluster]; stats: [cluster, stat]."""
    group_codes = np.asarray(group_codes, dtype=np.int64)
    n_groups = int(group_codes.max()) + 1 if len(group_codes) else 0
    if pool_codes is None:
        return PooledUnits(group_codes, np.asarray(stats), None, [clusters] * n_groups, np.bincount(group_codes))
    pool_codes = np.asarray(pool_codes, dtype=np.int64)
    frame = pd.DataFrame({"group": group_codes, "pool": pool_codes})
    per_level = frame.groupby(["group", "pool"]).size()
    smallest = per_level.groupby(level=0).min().reindex(range(n_groups)).to_numpy()
    levels = per_level.groupby(level=0).size().reindex(range(n_groups)).to_numpy()
    within = smallest >= MIN_UNITS  # [group]
    by_level = ~within[group_codes]  # [cluster]
    cluster_ids = np.arange(len(group_codes))
    keys = pd.DataFrame(
        {"a": np.where(by_level, group_codes, -1 - cluster_ids), "b": np.where(by_level, pool_codes, 0)}
    )
    members = codes(keys, ["a", "b"])  # [cluster] -> unit
    n_units_total = int(members.max()) + 1 if len(members) else 0
    unit_stats = np.zeros((n_units_total, np.asarray(stats).shape[1]))
    np.add.at(unit_stats, members, np.asarray(stats, dtype=np.float64))
    unit_group = np.zeros(n_units_total, dtype=np.int64)
    unit_group[members] = group_codes
    unit_strata = np.zeros(n_units_total, dtype=np.int64)
    unit_strata[members] = np.where(by_level, -1, pool_codes)
    within_label = f"{clusters} within scenarios"
    labels = [
        (within_label if levels[g] > 1 else clusters) if within[g] else UNIT_SCENARIOS for g in range(n_groups)
    ]
    return PooledUnits(unit_group, unit_stats, unit_strata, labels, np.bincount(unit_group, minlength=n_groups))
