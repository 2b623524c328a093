"""Factorial designs: per pressure type dose-response curves, where each type first crosses the breaking
threshold, a type x intensity heatmap, and type comparisons paired by request."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from pressure_sense.analysis._bootstrap import DEFAULT_BOOTSTRAP, cluster_bootstrap, codes, grouped_mean_ci, of_totals
from pressure_sense.analysis._columns import BREAKING_THRESHOLD, CLUSTER
from pressure_sense.analysis._paired import mean_a_b_delta, pair_totals
from pressure_sense.scenarios import MIXED, FactorialId

DOSE_DIMENSIONS: tuple[str, ...] = ("alignment", "truthfulness")
"""The dimensions whose curves against intensity the design reports."""
PAIR_ON: tuple[str, ...] = ("model", "request", "schedule", "variant", "epoch", "dimension")
"""Two conversations compare two pressure types when they share all of these (the same request)."""
DEFAULT_PERMUTATIONS = 2000
"""Sign-flip permutations per type comparison."""

CURVE_COLUMNS = ["model", "pressure_type", "intensity", "dimension", "n", "n_clusters", "mean", "ci_low", "ci_high"]
CROSSING_COLUMNS = ["model", "pressure_type", "control_mean", "crossing_intensity", "clear_crossing_intensity", "lowest_mean"]
COMPARISON_COLUMNS = [
    "model", "dimension", "type_a", "type_b", "n_pairs", "mean_a", "mean_b", "delta", "ci_low", "ci_high",
    "p_value", "p_holm",
]  # fmt: skip


def factorial_turns(turn_scores: pd.DataFrame) -> pd.DataFrame:
    """The turn scores of expanded scenarios (`request--type--schedule` ids), with columns request,
    design_type (the scenario's type or `mixed`), schedule and pressure_type (the turn's own type; the
    control turn of a single-type scenario takes the scenario's type, so every curve starts at 0, and the
    control turn of a mixed one is dropped). Several judges of one turn are averaged. Empty when the
    study has no expanded scenario."""
    ids = turn_scores["scenario_id"].unique()
    parsed = {i: p for i in ids if (p := FactorialId.parse(str(i))) is not None}
    frame = turn_scores[turn_scores["scenario_id"].isin(list(parsed)) & turn_scores["score"].notna()]
    if frame.empty:
        return frame.assign(request=[], design_type=[], schedule=[], pressure_type=[])
    keys = [c for c in frame.columns if c not in ("score", "rationale", "judge", "method")]
    frame = frame.groupby(keys, sort=False, dropna=False, observed=True)["score"].mean().reset_index()
    frame["request"] = frame["scenario_id"].map(lambda i: parsed[i].request)
    frame["design_type"] = frame["scenario_id"].map(lambda i: parsed[i].pressure_type)
    frame["schedule"] = frame["scenario_id"].map(lambda i: parsed[i].schedule)
    own = frame["primary_pressure_type"].where(frame["primary_pressure_type"] != "none")
    frame["pressure_type"] = own.fillna(frame["design_type"].where(frame["design_type"] != MIXED))
    return frame[frame["pressure_type"].notna()].reset_index(drop=True)


def dose_response(
    frame: pd.DataFrame,
    dimensions: Sequence[str] = DOSE_DIMENSIONS,
    *,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean score per model x pressure type x intensity x dimension, pooled over requests, with a 95% CI
    that resamples whole conversations within each model x type. `frame` is `factorial_turns` output."""
    chosen = frame[frame["dimension"].isin(list(dimensions))]
    if chosen.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    by = ["model", "pressure_type", "intensity", "dimension"]
    curve = grouped_mean_ci(chosen, by, "score", CLUSTER, strata=["model", "pressure_type"], n_boot=n_boot, seed=seed)
    return curve[CURVE_COLUMNS]


def first_crossing(
    curve: pd.DataFrame, threshold: float = BREAKING_THRESHOLD, dimension: str = "alignment"
) -> pd.DataFrame:
    """Per model x pressure type: the control (intensity 0) mean, the lowest intensity 1-5 whose mean
    `dimension` score is below `threshold` (crossing_intensity, NA when none is), the lowest whose
    whole CI is below it (clear_crossing_intensity), and the lowest mean over intensities 1-5."""
    part = curve[(curve["dimension"] == dimension)]
    rows = []
    for (model, kind), group in part.groupby(["model", "pressure_type"], sort=True):
        group = group.sort_values("intensity")
        pressured = group[group["intensity"] > 0]
        control = group.loc[group["intensity"] == 0, "mean"]
        crossed = pressured.loc[pressured["mean"] < threshold, "intensity"]
        clear = pressured.loc[pressured["ci_high"] < threshold, "intensity"]
        rows.append({
            "model": model,
            "pressure_type": kind,
            "control_mean": float(control.iloc[0]) if len(control) else np.nan,
            "crossing_intensity": int(crossed.iloc[0]) if len(crossed) else pd.NA,
            "clear_crossing_intensity": int(clear.iloc[0]) if len(clear) else pd.NA,
            "lowest_mean": float(pressured["mean"].min()) if len(pressured) else np.nan,
        })  # fmt: skip
    result = pd.DataFrame(rows, columns=CROSSING_COLUMNS)
    return result.astype({"crossing_intensity": "Int64", "clear_crossing_intensity": "Int64"})


def type_heatmap(curve: pd.DataFrame, model: str, dimension: str = "alignment") -> pd.DataFrame:
    """Mean `dimension` score of one model: pressure types as rows, intensities 0-5 as columns."""
    part = curve[(curve["model"] == model) & (curve["dimension"] == dimension)]
    return part.pivot(index="pressure_type", columns="intensity", values="mean").sort_index()


def _conversation_type_means(frame: pd.DataFrame) -> pd.DataFrame:
    """Each conversation's mean over its pressured turns (intensity 1-5) of each type and dimension."""
    pressured = frame[frame["intensity"] > 0]
    keys = [*PAIR_ON, "pressure_type"]
    return pressured.groupby(keys, sort=False, dropna=False, observed=True)["score"].mean().reset_index()


def _sign_flip_p(deltas: np.ndarray, n_permutations: int, rng: np.random.Generator) -> float:
    """Two-sided p-value of the mean paired difference under random sign flips (no effect: symmetric)."""
    observed = abs(deltas.mean())
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n_permutations, len(deltas)))
    flipped = np.abs((signs * deltas).mean(axis=1))
    return float((1 + np.sum(flipped >= observed - 1e-12)) / (1 + n_permutations))


def _holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values."""
    order = np.argsort(p_values)
    m = len(p_values)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p_values[order]).clip(max=1.0)
    result = np.empty(m)
    result[order] = adjusted
    return result


def type_comparison(
    frame: pd.DataFrame,
    dimensions: Sequence[str] = DOSE_DIMENSIONS,
    *,
    n_boot: int = DEFAULT_BOOTSTRAP,
    n_permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Every pair of pressure types compared on the same requests: per model x dimension, the mean over
    pairs of (type A's conversation mean over its pressured turns minus type B's), pairing conversations
    that share model, request, schedule, variant and epoch. The CI resamples pairs; p_value is a two-sided
    sign-flip permutation test; p_holm adjusts it over all type pairs of the model x dimension."""
    means = _conversation_type_means(frame[frame["dimension"].isin(list(dimensions))])
    if means.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    wide = means.pivot_table(index=list(PAIR_ON), columns="pressure_type", values="score", observed=True).reset_index()
    kinds = sorted(means["pressure_type"].unique())
    rng = np.random.default_rng(seed)
    parts = []
    for type_a, type_b in combinations(kinds, 2):
        pairs = wide[["model", "dimension", type_a, type_b]].dropna()
        if pairs.empty:
            continue
        a, b = pairs[type_a].to_numpy(np.float64), pairs[type_b].to_numpy(np.float64)
        group_codes = codes(pairs, ["model", "dimension"])
        statistic = of_totals(pair_totals(a, b), mean_a_b_delta)
        interval = cluster_bootstrap(group_codes, statistic, n_boot=n_boot, seed=seed)
        for code in range(int(group_codes.max()) + 1):
            mine = group_codes == code
            first = pairs[mine].iloc[0]
            parts.append({
                "model": first["model"], "dimension": first["dimension"], "type_a": type_a, "type_b": type_b,
                "n_pairs": int(mine.sum()), "mean_a": interval.estimate[code, 0], "mean_b": interval.estimate[code, 1],
                "delta": interval.estimate[code, 2], "ci_low": interval.low[code, 2], "ci_high": interval.high[code, 2],
                "p_value": _sign_flip_p((a - b)[mine], n_permutations, rng),
            })  # fmt: skip
    result = pd.DataFrame(parts, columns=[c for c in COMPARISON_COLUMNS if c != "p_holm"])
    if result.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    result["p_holm"] = result.groupby(["model", "dimension"])["p_value"].transform(lambda p: _holm(p.to_numpy()))
    return result.sort_values(["model", "dimension", "type_a", "type_b"], kind="stable").reset_index(drop=True)
