"""Quadratic-weighted kappa, AUROC and the cluster bootstrap against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pressure_sense.judge_quality._agreement import auroc, cluster_bootstrap_ci, quadratic_weighted_kappa, spearman


def test_kappa_textbook_values():
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    # Independent ratings: observed cells 1/4 each equal the expected ones, so kappa is 0.
    assert quadratic_weighted_kappa([1, 1, 2, 2], [1, 2, 1, 2]) == pytest.approx(0.0)
    assert quadratic_weighted_kappa([1, 2], [2, 1]) == pytest.approx(-1.0)
    # Worked by hand: weighted observed 1/4 (one pair one point apart), weighted expected 5/4 -> 1 - 0.2.
    assert quadratic_weighted_kappa([1, 2, 3, 3], [1, 2, 2, 3]) == pytest.approx(0.8)


def test_kappa_rounds_the_judge_scores_and_is_nan_without_spread():
    assert quadratic_weighted_kappa([1.2, 2.4, 2.6, 3.4], [1, 2, 3, 3]) == pytest.approx(quadratic_weighted_kappa([1, 2, 3, 3], [1, 2, 3, 3]))
    assert math.isnan(quadratic_weighted_kappa([3, 3], [3, 3]))


def test_auroc_textbook_values():
    assert auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)
    assert auroc([1, 2, 3], [0, 1, 1]) == pytest.approx(1.0)
    assert auroc([3, 2, 1], [0, 1, 1]) == pytest.approx(0.0)
    assert auroc([1, 1, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.5)
    assert math.isnan(auroc([0.2, 0.3], [1, 1]))


def test_cluster_bootstrap_resamples_whole_clusters():
    # Within each cluster the judge is perfect; between clusters it is reversed. Resampling clusters keeps
    # the within-cluster pairs together, so every resample mixes at most the listed cluster values.
    judge = [1, 2, 5, 4]
    reference = [1, 2, 4, 5]
    low, high = cluster_bootstrap_ci(spearman, judge, reference, ["a", "a", "b", "b"], resamples=500, seed=1)
    values = set()
    for pick in ([0, 0], [1, 1], [0, 1]):
        rows = [r for c in pick for r in ((0, 1) if c == 0 else (2, 3))]
        values.add(round(spearman(np.array(judge)[rows], np.array(reference)[rows]), 6))
    assert round(low, 6) in values and round(high, 6) in values
    assert cluster_bootstrap_ci(spearman, judge, reference, ["a"] * 4) == pytest.approx((math.nan, math.nan), nan_ok=True)
    with pytest.raises(ValueError, match="one cluster per item"):
        cluster_bootstrap_ci(spearman, judge, reference, ["a", "b"])
