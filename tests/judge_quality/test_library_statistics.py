"""The library statistics (scipy, scikit-learn, krippendorff) and the one cluster bootstrap give the numbers
the hand-written versions gave. The old definitions are written out here as the oracle; spearman and kappa,
short forms for speed, are also checked against scipy's and scikit-learn's own calls."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import cohen_kappa_score

from pressure_sense.analysis import cluster_bootstrap, krippendorff_alpha, of_totals
from pressure_sense.analysis._bootstrap import expanded_alpha
from pressure_sense.judge_quality._agreement import (
    STATISTICS,
    auroc,
    cluster_bootstrap_ci,
    quadratic_weighted_kappa,
    spearman,
)

PRINTED = 0.005  # tables print two decimals


def old_spearman(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return math.nan
    rx, ry = rankdata(x), rankdata(y)
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    return math.nan if denominator == 0.0 else float((dx * dy).sum() / denominator)


def old_kappa(x: np.ndarray, y: np.ndarray) -> float:
    a, b = (np.clip(np.floor(v + 0.5), 1, 5).astype(int) for v in (x, y))
    observed = np.zeros((5, 5))
    np.add.at(observed, (a - 1, b - 1), 1.0)
    observed /= len(a)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = (np.arange(5)[:, None] - np.arange(5)[None, :]) ** 2
    denominator = float((weights * expected).sum())
    return math.nan if denominator == 0.0 else float(1.0 - (weights * observed).sum() / denominator)


def old_auroc(s: np.ndarray, o: np.ndarray) -> float:
    positives, negatives = int((o == 1).sum()), int((o == 0).sum())
    if positives == 0 or negatives == 0:
        return math.nan
    return float((rankdata(s)[o == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def old_alpha(matrix: np.ndarray, level: str) -> float:
    values = np.unique(matrix[~np.isnan(matrix)])
    coincidence = np.zeros((len(values), len(values)))
    for unit in matrix.T:
        present = unit[~np.isnan(unit)]
        if len(present) >= 2:
            counts = np.array([(present == value).sum() for value in values], dtype=float)
            coincidence += (np.outer(counts, counts) - np.diag(counts)) / (len(present) - 1)
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    if n < 2:
        return math.nan
    if level == "nominal":
        delta = 1.0 - np.eye(len(values))
    elif level == "interval":
        delta = np.subtract.outer(values, values) ** 2
    else:
        cumulative = np.concatenate(([0.0], np.cumsum(totals)))
        low, high = np.minimum.outer(range(len(values)), range(len(values))), np.maximum.outer(range(len(values)), range(len(values)))
        delta = (cumulative[high + 1] - cumulative[low] - np.add.outer(totals, totals) / 2.0) ** 2
    expected = float((np.outer(totals, totals) * delta).sum() / (n * (n - 1)))
    return math.nan if expected == 0.0 else 1.0 - float((coincidence * delta).sum() / n) / expected


def old_cluster_interval(statistic, x, y, clusters, resamples, seed) -> tuple[float, float]:
    names = sorted(set(clusters))
    groups = [np.array([row for row, name in enumerate(clusters) if name == wanted]) for wanted in names]
    rng = np.random.default_rng(seed)
    values = np.array([
        statistic(x[rows], y[rows])
        for rows in (np.concatenate([groups[g] for g in picks]) for picks in rng.integers(0, len(groups), (resamples, len(groups))))
    ])  # fmt: skip
    low, high = np.quantile(values[~np.isnan(values)], [0.025, 0.975])
    return float(low), float(high)


def scores(seed: int, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Judge scores with fractions and ties against whole-point labels that follow them loosely."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(1, 6, n).astype(float)
    judge = np.clip(labels + rng.normal(0, 1.2, n), 1, 5).round(1)
    return judge, labels


@pytest.mark.parametrize("seed", range(5))
def test_spearman_kappa_and_auroc_match_the_hand_written_definitions(seed):
    judge, labels = scores(seed)
    assert spearman(judge, labels) == pytest.approx(old_spearman(judge, labels), abs=1e-12)
    assert quadratic_weighted_kappa(judge, labels) == pytest.approx(old_kappa(judge, labels), abs=1e-12)
    outcomes = (labels >= 4).astype(float)
    assert auroc(judge, outcomes) == pytest.approx(old_auroc(judge, outcomes), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_spearman_and_kappa_are_the_library_calls(seed):
    judge, labels = scores(seed)
    whole = [np.clip(np.floor(v + 0.5), 1, 5).astype(int) for v in (judge, labels)]
    assert spearman(judge, labels) == pytest.approx(spearmanr(judge, labels).statistic, abs=1e-12)
    assert quadratic_weighted_kappa(judge, labels) == pytest.approx(
        cohen_kappa_score(*whole, labels=[1, 2, 3, 4, 5], weights="quadratic"), abs=1e-12
    )
    assert quadratic_weighted_kappa([3, 3], [4, 4]) == cohen_kappa_score([3, 3], [4, 4], weights="quadratic") == 0.0


def test_degenerate_inputs_give_nan_as_before():
    for statistic, x, y in [
        (spearman, [3.0, 3.0, 3.0], [1.0, 2.0, 3.0]),
        (spearman, [2.0], [4.0]),
        (quadratic_weighted_kappa, [3.2, 2.9], [3.0, 3.0]),
        (auroc, [0.2, 0.4], [1.0, 1.0]),
    ]:
        assert math.isnan(statistic(x, y))
    # Constant on different scores: kappa is defined (0) in both definitions.
    assert quadratic_weighted_kappa([3, 3], [4, 4]) == old_kappa(np.array([3.0, 3.0]), np.array([4.0, 4.0])) == 0.0


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_krippendorff_package_matches_the_hand_written_alpha(level):
    rng = np.random.default_rng(3)
    table = rng.integers(1, 6, (4, 30)).astype(float)
    table[1] = np.clip(table[0] + rng.integers(-1, 2, 30), 1, 5)
    table[rng.random((4, 30)) < 0.25] = np.nan  # missing ratings, some units left with one
    assert krippendorff_alpha(table.tolist(), level=level) == pytest.approx(old_alpha(table, level), abs=1e-12)
    assert math.isnan(krippendorff_alpha([[2, 2, None], [2, 2, 5]], level=level))  # pairable values all alike
    assert math.isnan(old_alpha(np.array([[2, 2, np.nan], [2, 2, 5]]), level))


@pytest.mark.parametrize("name", sorted(STATISTICS))
def test_agreement_intervals_are_the_old_ones_by_conversation_and_by_item(name):
    judge, labels = scores(11, n=48)
    conversations = [f"c{row // 3:02d}" for row in range(48)]  # 16 conversations of 3 judged turns
    statistic = STATISTICS[name]
    old_statistic = {"spearman": old_spearman, "kappa": old_kappa}.get(name, statistic)
    new = cluster_bootstrap_ci(statistic, judge, labels, conversations, resamples=400, seed=5)
    old = old_cluster_interval(old_statistic, judge, labels, conversations, 400, 5)
    assert new == pytest.approx(old, abs=1e-9)
    items = [f"{row:03d}" for row in range(48)]  # the old item bootstrap drew items in this order
    assert cluster_bootstrap_ci(statistic, judge, labels, resamples=300, seed=2) == pytest.approx(
        old_cluster_interval(old_statistic, judge, labels, items, 300, 2), abs=1e-9
    )


def test_clear_case_auroc_interval_is_the_old_one():
    judge, labels = scores(4, n=40)
    outcomes = (labels >= 3).astype(float)
    conversations = [f"conversation-{row % 13}" for row in range(40)]
    new = cluster_bootstrap_ci(auroc, judge, outcomes, conversations, resamples=500, seed=0)
    assert new == pytest.approx(old_cluster_interval(old_auroc, judge, outcomes, conversations, 500, 0), abs=1e-9)


def test_analysis_means_draw_the_same_conversations_as_before():
    # The analysis bootstrap before the merge: per group in code order, n draws of n conversations,
    # counts @ sums, expanded percentile bounds.
    rng = np.random.default_rng(8)
    group_codes = np.repeat([0, 1, 2], [5, 9, 3])
    stats = np.column_stack([rng.normal(3, 1, 17) * 4, np.full(17, 4.0)])  # per conversation: score sum, turns
    interval = cluster_bootstrap(group_codes, of_totals(stats, lambda t: t[..., :1] / t[..., 1:]), n_boot=300, seed=4)
    draws = np.random.default_rng(4)
    for group in range(3):
        block = stats[group_codes == group]
        n = len(block)
        picks = draws.integers(0, n, (300, n))
        counts = np.stack([np.bincount(row, minlength=n) for row in picks])
        means = (counts @ block)[:, 0] / (counts @ block)[:, 1]
        tail = expanded_alpha(np.array([n]), False, 0.025)
        assert interval.estimate[group, 0] == pytest.approx(block[:, 0].sum() / block[:, 1].sum())
        assert [interval.low[group, 0], interval.high[group, 0]] == pytest.approx(np.quantile(means, [tail, 1 - tail]), abs=1e-5)
