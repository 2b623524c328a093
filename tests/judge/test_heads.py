"""The trained judge's heads: exact gradients, the row-space reduction, and grouped inner folds."""

from __future__ import annotations

import numpy as np
from scipy.optimize import approx_fprime

from pressure_sense.judge._heads import (
    PENALTIES,
    _binary_loss,
    _ordinal_loss,
    choose_settings,
    fit_binary,
    fit_head,
    fit_ordinal,
    inner_folds,
)

rng = np.random.default_rng(7)


def test_loss_gradients_match_finite_differences():
    x = rng.normal(size=(40, 6))
    y = rng.integers(1, 6, size=40)
    params = rng.normal(size=6 + 4) * 0.3
    numeric = approx_fprime(params, lambda p: _ordinal_loss(p, x, y, 0.1)[0], 1e-6)
    assert np.abs(numeric - _ordinal_loss(params, x, y, 0.1)[1]).max() < 1e-5
    outcome = (rng.random(40) > 0.5).astype(float)
    params = rng.normal(size=7) * 0.3
    numeric = approx_fprime(params, lambda p: _binary_loss(p, x, outcome, 0.1)[0], 1e-6)
    assert np.abs(numeric - _binary_loss(params, x, outcome, 0.1)[1]).max() < 1e-5


def test_ordinal_head_recovers_a_planted_ordering():
    x = rng.normal(size=(300, 4))
    latent = 2.0 * x[:, 0] - 1.0 * x[:, 1] + rng.logistic(size=300)
    y = np.digitize(latent, [-3, -1, 1, 3]) + 1
    head = fit_ordinal(x, y, 0.001)
    assert head.weights[0] > 1.5 and head.weights[1] < -0.6 and abs(head.weights[2]) < 0.3
    assert np.all(np.diff(head.thresholds) > 0)
    distribution = head.distribution(x)
    assert np.allclose(distribution.sum(axis=1), 1.0)
    expected = distribution @ np.arange(1, 6)
    assert np.corrcoef(expected, y)[0, 1] > 0.6


def test_fitting_in_the_row_space_gives_the_same_head():
    x = rng.normal(size=(30, 200))
    y = rng.integers(1, 6, size=30)
    columns = np.arange(0, 200, 2)
    reduced = fit_head("ordinal", x, y, columns, 0.3)
    direct = fit_ordinal(x[:, columns], y, 0.3)
    assert np.abs(x @ reduced.weights - x[:, columns] @ direct.weights).max() < 1e-6
    assert np.all(reduced.weights[1::2] == 0.0)
    outcome = (rng.random(30) > 0.5).astype(float)
    reduced = fit_head("binary", x, outcome, columns, 0.3)
    direct = fit_binary(x[:, columns], outcome, 0.3)
    assert abs(reduced.bias - direct.bias) < 1e-6


def test_inner_folds_hold_out_whole_groups():
    groups = [f"family-{i % 7}" for i in range(70)]
    folds = inner_folds(groups, seed=3)
    assert len(folds) == 4
    assert sorted(np.concatenate(folds).tolist()) == list(range(70))
    for held in folds:
        inside = {groups[i] for i in held}
        outside = {groups[i] for i in range(70) if i not in set(held.tolist())}
        assert not inside & outside
    assert inner_folds(["one"] * 5) == []


def test_settings_prefer_the_informative_columns():
    groups = [f"g{i % 6}" for i in range(120)]
    x = rng.normal(size=(120, 50))
    y = np.digitize(3.0 * x[:, 0] + rng.logistic(size=120), [-3, -1, 1, 3]) + 1
    sets = {"noise": np.arange(10, 50), "signal": np.arange(0, 10)}
    name, penalty = choose_settings("ordinal", x, y, groups, sets)
    assert name == "signal" and penalty in PENALTIES
