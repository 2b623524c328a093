"""Agreement between a judge's scores and reference labels: pure functions over paired lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

Statistic = Callable[[np.ndarray, np.ndarray], float]


def _pair(judge: Sequence[float], reference: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(judge, dtype=float)
    y = np.asarray(reference, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two equally long lists of scores, got {x.shape} and {y.shape}")
    return x, y


def spearman(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson correlation of average ranks); NaN when either side is constant."""
    x, y = _pair(judge, reference)
    if len(x) < 2:
        return float("nan")
    rx, ry = rankdata(x), rankdata(y)
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if denominator == 0.0:
        return float("nan")
    return float((dx * dy).sum() / denominator)


def exact_accuracy(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Share of items where the judge's score, rounded to the nearest integer, equals the label."""
    x, y = _pair(judge, reference)
    if len(x) == 0:
        return float("nan")
    return float(np.mean(np.floor(x + 0.5) == y))


def within_one_accuracy(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Share of items where the judge's score is at most one point from the label."""
    x, y = _pair(judge, reference)
    if len(x) == 0:
        return float("nan")
    return float(np.mean(np.abs(x - y) <= 1.0 + 1e-9))


def mean_absolute_error(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Mean absolute difference between judge scores and labels."""
    x, y = _pair(judge, reference)
    if len(x) == 0:
        return float("nan")
    return float(np.mean(np.abs(x - y)))


def bootstrap_ci(
    statistic: Statistic,
    judge: Sequence[float],
    reference: Sequence[float],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a paired statistic, resampling items with replacement.

    Resamples where the statistic is undefined (NaN, e.g. a constant resample for Spearman) are
    dropped; the interval is (NaN, NaN) when fewer than two items or no defined resample remain.
    """
    x, y = _pair(judge, reference)
    if len(x) < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(x), size=(resamples, len(x)))
    values = np.array([statistic(x[rows], y[rows]) for rows in picks])
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    return (float(low), float(high))


@dataclass(frozen=True)
class Estimate:
    """A statistic with its bootstrap confidence interval."""

    value: float
    low: float
    high: float

    def format(self, digits: int = 2) -> str:
        """`0.71 [0.52, 0.85]`, or `n/a` when undefined."""
        if np.isnan(self.value):
            return "n/a"
        if np.isnan(self.low):
            return f"{self.value:.{digits}f}"
        return f"{self.value:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


@dataclass(frozen=True)
class DimensionAgreement:
    """Agreement of one judge with the labels on one dimension."""

    dimension: str
    n: int
    errors: int
    spearman: Estimate
    kappa: Estimate
    """Cohen's kappa with quadratic weights (the judge's scores rounded to whole points)."""
    exact: Estimate
    within_one: Estimate
    mae: Estimate




def _whole_scores(values: np.ndarray, low: int = 1, high: int = 5) -> np.ndarray:
    return np.clip(np.floor(values + 0.5), low, high).astype(int)


def quadratic_weighted_kappa(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Cohen's kappa with quadratic weights, the judge's scores rounded to whole points 1-5.

    1 - sum(w * observed) / sum(w * expected), w_ij = (i - j)^2, expected from the two marginals;
    NaN when the expected disagreement is zero (both sides constant on one score).
    """
    x, y = _pair(judge, reference)
    if len(x) == 0:
        return float("nan")
    a, b = _whole_scores(x), _whole_scores(y)
    levels = np.arange(1, 6)
    observed = np.zeros((5, 5))
    np.add.at(observed, (a - 1, b - 1), 1.0)
    observed /= len(a)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = (levels[:, None] - levels[None, :]) ** 2
    denominator = float((weights * expected).sum())
    if denominator == 0.0:
        return float("nan")
    return float(1.0 - (weights * observed).sum() / denominator)


STATISTICS: dict[str, Statistic] = {
    "spearman": spearman,
    "kappa": quadratic_weighted_kappa,
    "exact": exact_accuracy,
    "within_one": within_one_accuracy,
    "mae": mean_absolute_error,
}


def dimension_agreement(
    dimension: str,
    judge: Sequence[float],
    reference: Sequence[float],
    *,
    errors: int = 0,
    resamples: int = 2000,
    seed: int = 0,
    clusters: Sequence[str] | None = None,
) -> DimensionAgreement:
    """Every agreement statistic with its bootstrap CI for one dimension's paired scores; with `clusters`
    (e.g. the conversation of each judged turn) the bootstrap resamples whole clusters."""

    def interval(statistic: Statistic) -> tuple[float, float]:
        if clusters is not None:
            return cluster_bootstrap_ci(statistic, judge, reference, clusters, resamples=resamples, seed=seed)
        return bootstrap_ci(statistic, judge, reference, resamples=resamples, seed=seed)

    estimates = {
        name: Estimate(statistic(np.asarray(judge, dtype=float), np.asarray(reference, dtype=float)), *interval(statistic))
        for name, statistic in STATISTICS.items()
    }
    return DimensionAgreement(dimension=dimension, n=len(judge), errors=errors, **estimates)


def auroc(scores: Sequence[float], outcomes: Sequence[float]) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties counting half.

    `outcomes` are 1 (positive) or 0; NaN unless both occur.
    """
    s, o = _pair(scores, outcomes)
    positives, negatives = int((o == 1).sum()), int((o == 0).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[o == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def cluster_bootstrap_ci(
    statistic: Statistic,
    judge: Sequence[float],
    reference: Sequence[float],
    clusters: Sequence[str],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval resampling whole clusters (e.g. conversations) with replacement.

    Undefined resamples (NaN) are dropped; (NaN, NaN) with fewer than two clusters or no defined resample.
    """
    x, y = _pair(judge, reference)
    names = sorted(set(clusters))
    if len(clusters) != len(x):
        raise ValueError(f"need one cluster per item, got {len(clusters)} for {len(x)} items")
    if len(names) < 2:
        return (float("nan"), float("nan"))
    index = {name: i for i, name in enumerate(names)}
    members = [[] for _ in names]
    for row, name in enumerate(clusters):
        members[index[name]].append(row)
    groups = [np.array(rows) for rows in members]
    rng = np.random.default_rng(seed)
    values = []
    for picks in rng.integers(0, len(groups), size=(resamples, len(groups))):
        rows = np.concatenate([groups[g] for g in picks])
        values.append(statistic(x[rows], y[rows]))
    kept = np.array(values)[~np.isnan(values)]
    if len(kept) == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(kept, [tail, 1.0 - tail])
    return (float(low), float(high))
