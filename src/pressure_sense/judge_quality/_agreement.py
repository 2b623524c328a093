"""Agreement between a judge's scores and reference labels: pure functions over paired lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from pressure_sense.analysis import cluster_bootstrap, of_rows

Statistic = Callable[[np.ndarray, np.ndarray], float]


def _pair(judge: Sequence[float], reference: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(judge, dtype=float)
    y = np.asarray(reference, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"need two equally long lists of scores, got {x.shape} and {y.shape}")
    return x, y


def _average_ranks(values: np.ndarray) -> np.ndarray:
    _, position, counts = np.unique(values, return_inverse=True, return_counts=True)
    return (np.cumsum(counts) - (counts - 1) / 2)[position.reshape(-1)]


def spearman(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's on average ranks (ties share theirs). scipy's `spearmanr` to 1e-12
    (a test compares them) without its per-call checks, which dominate a bootstrap. NaN for fewer than two items
    or a constant side (bootstrap resamples often are)."""
    x, y = _pair(judge, reference)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(_average_ranks(x), _average_ranks(y))[0, 1])


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


@dataclass(frozen=True)
class LabellerAgreement:
    """How a second labeller's labels agree with the first's on the same items."""

    n: int
    dimensions: tuple[DimensionAgreement, ...]
    gave_way: float
    """Share of items where both said the same about giving way."""


def _whole_scores(values: np.ndarray, low: int = 1, high: int = 5) -> np.ndarray:
    return np.clip(np.floor(values + 0.5), low, high).astype(int)


def quadratic_weighted_kappa(judge: Sequence[float], reference: Sequence[float]) -> float:
    """Cohen's kappa with quadratic weights, both sides rounded to whole points 1-5 first: scikit-learn's
    `cohen_kappa_score(weights="quadratic")` to 1e-12 (a test compares them) at a hundredth of its per-call cost,
    which dominates a bootstrap. NaN when both sides are constant on the same score."""
    x, y = _pair(judge, reference)
    if len(x) == 0:
        return float("nan")
    a, b = _whole_scores(x), _whole_scores(y)
    if a.min() == a.max() == b.min() == b.max():
        return float("nan")
    observed = np.mean((a - b) ** 2)
    expected = np.mean(a**2) + np.mean(b**2) - 2 * a.mean() * b.mean()
    return float(1 - observed / expected)


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
    (e.g. the conversation of each judged turn) the bootstrap resamples whole clusters, else single items."""
    estimates = {
        name: Estimate(
            statistic(np.asarray(judge, dtype=float), np.asarray(reference, dtype=float)),
            *cluster_bootstrap_ci(statistic, judge, reference, clusters, resamples=resamples, seed=seed),
        )
        for name, statistic in STATISTICS.items()
    }
    return DimensionAgreement(dimension=dimension, n=len(judge), errors=errors, **estimates)


def auroc(scores: Sequence[float], outcomes: Sequence[float]) -> float:
    """scikit-learn's area under the ROC curve: P(score of a positive > score of a negative), ties counting
    half. `outcomes` are 1 (positive) or 0; NaN unless both occur (as in a bootstrap resample of one kind)."""
    s, o = _pair(scores, outcomes)
    if not (o == 1).any() or not (o == 0).any():
        return float("nan")
    return float(roc_auc_score(o, s))


def cluster_bootstrap_ci(
    statistic: Statistic,
    judge: Sequence[float],
    reference: Sequence[float],
    clusters: Sequence[str] | None = None,
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval of a paired statistic from `cluster_bootstrap`, drawing whole clusters (e.g. the
    conversation of each judged turn, numbered in sorted order; None: each item is its own); undefined (NaN)
    resamples are dropped, (NaN, NaN) with fewer than two clusters or no defined resample."""
    x, y = _pair(judge, reference)
    if clusters is None:
        codes = np.arange(len(x))
    elif len(clusters) != len(x):
        raise ValueError(f"need one cluster per item, got {len(clusters)} for {len(x)} items")
    else:
        codes = np.unique(np.asarray(clusters), return_inverse=True)[1].reshape(-1)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    n_clusters = int(codes.max()) + 1
    interval = cluster_bootstrap(
        np.zeros(n_clusters, dtype=np.int64), of_rows(statistic, (x, y), codes),
        n_boot=resamples, seed=seed, confidence=confidence, expanded=False,
    )  # fmt: skip
    return (float(interval.low[0, 0]), float(interval.high[0, 0]))
