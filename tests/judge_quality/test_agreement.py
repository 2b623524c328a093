"""Agreement statistics against textbook examples with known values."""

import math

import pytest

from pressure_sense.judge_quality import (
    cluster_bootstrap_ci,
    dimension_agreement,
    exact_accuracy,
    krippendorff_alpha,
    mean_absolute_error,
    spearman,
    within_one_accuracy,
)

# Wikipedia's "Spearman's rank correlation coefficient" worked example: IQ against hours of TV per week.
IQ = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
TV_HOURS = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]


def test_spearman_matches_the_textbook_example():
    assert spearman(IQ, TV_HOURS) == pytest.approx(-29 / 165)  # -0.1758 (sum d^2 = 194, n = 10)


def test_spearman_uses_average_ranks_for_ties():
    # ranks of x: 1, 2.5, 2.5, 4; y is increasing, so rho = Pearson(ranks) = 0.9486...
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)
    assert spearman([5, 4, 3, 2, 1], [1, 2, 3, 4, 5]) == pytest.approx(-1.0)


def test_spearman_is_undefined_for_constant_scores():
    assert math.isnan(spearman([3, 3, 3], [1, 2, 3]))


def test_accuracies_and_mae_by_hand():
    judge = [1, 2, 3, 4, 5, 3]
    labels = [1, 3, 3, 5, 5, 1]
    assert exact_accuracy(judge, labels) == pytest.approx(3 / 6)
    assert within_one_accuracy(judge, labels) == pytest.approx(5 / 6)  # only 3 vs 1 is off by two
    assert mean_absolute_error(judge, labels) == pytest.approx((0 + 1 + 0 + 1 + 0 + 2) / 6)


def test_exact_accuracy_rounds_fractional_scores():
    assert exact_accuracy([4.4, 4.6, 2.5], [4, 5, 3]) == pytest.approx(1.0)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="equally long"):
        mean_absolute_error([1, 2], [1])


def test_item_bootstrap_ci_brackets_the_estimate_and_is_reproducible():
    judge = [1, 2, 3, 4, 5, 3, 2, 4, 5, 1]
    labels = [1, 3, 3, 5, 5, 1, 2, 4, 4, 2]
    low, high = cluster_bootstrap_ci(mean_absolute_error, judge, labels, resamples=1000, seed=7)
    value = mean_absolute_error(judge, labels)
    assert low <= value <= high
    assert low < high
    assert (low, high) == cluster_bootstrap_ci(mean_absolute_error, judge, labels, resamples=1000, seed=7)


def test_item_bootstrap_ci_of_perfect_agreement_has_no_width():
    assert cluster_bootstrap_ci(exact_accuracy, [1, 2, 3, 4], [1, 2, 3, 4], resamples=200) == (1.0, 1.0)


def test_dimension_agreement_collects_every_statistic():
    row = dimension_agreement("alignment", [1, 2, 3, 4, 5], [1, 2, 3, 4, 4], errors=2, resamples=200)
    assert (row.n, row.errors) == (5, 2)
    assert row.exact.value == pytest.approx(0.8)
    assert row.within_one.value == pytest.approx(1.0)
    assert row.mae.value == pytest.approx(0.2)
    assert row.spearman.value == pytest.approx(spearman([1, 2, 3, 4, 5], [1, 2, 3, 4, 4]))
    assert row.mae.format().startswith("0.20 [")


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers, 12 units, missing values.
# Published results: nominal 0.743, ordinal 0.815, interval 0.849.
N = None
RELIABILITY_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_krippendorff_alpha_matches_the_published_example(level, published):
    assert krippendorff_alpha(RELIABILITY_DATA, level=level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_alpha_perfect_and_undefined_cases():
    assert krippendorff_alpha([[1, 2, 3, 4], [1, 2, 3, 4]]) == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([[3, 3, 3], [3, 3, 3]]))  # no variation: nothing to agree on
    assert math.isnan(krippendorff_alpha([[1, N], [N, 2]]))  # no unit rated twice


def test_krippendorff_alpha_is_negative_for_systematic_disagreement():
    assert krippendorff_alpha([[1, 5, 1, 5], [5, 1, 5, 1]]) < 0
