"""Small regression heads over standardised features: ordinal (proportional odds) and binary logistic.

Both are fitted by L-BFGS with an L2 penalty on the weights, so a fit is a deterministic function
of its data. Per head, the feature set (from the fixed candidates the caller passes) and the
penalty (from the fixed grid PENALTIES) are chosen by grouped inner cross-validation on the
training rows only (held-out log-loss), never on a test fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit

LEVELS = 5
"""Scores run 1..LEVELS."""
PENALTIES: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
"""The L2 strengths tried (per mean log-loss unit); chosen by inner grouped cross-validation."""
INNER_FOLDS = 4
"""At most this many inner folds, each holding out whole groups."""
THRESHOLD_PENALTY = 1e-3
"""Keeps the cut-points finite when a score level never occurs in the training rows."""
_MAX_ITER = 500


@dataclass(frozen=True)
class Standardiser:
    """Column means and scales of the training features (scale 1 for constant columns)."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardiser:
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        return cls(mean=mean, scale=np.where(scale < 1e-8, 1.0, scale))

    def apply(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.scale


@dataclass(frozen=True)
class OrdinalHead:
    """P(score <= k) = sigmoid(thresholds[k-1] - x @ weights) for k = 1..LEVELS-1."""

    weights: np.ndarray
    thresholds: np.ndarray
    penalty: float

    def distribution(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities `[row, LEVELS]` for scores 1..LEVELS."""
        cumulative = expit(self.thresholds[None, :] - (x @ self.weights)[:, None])
        padded = np.hstack([np.zeros((len(x), 1)), cumulative, np.ones((len(x), 1))])
        return np.clip(np.diff(padded, axis=1), 0.0, 1.0)


@dataclass(frozen=True)
class BinaryHead:
    """P(true) = sigmoid(x @ weights + bias)."""

    weights: np.ndarray
    bias: float
    penalty: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        return expit(x @ self.weights + self.bias)


def _thresholds(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut-points from (first, log-gaps) and the Jacobian d threshold_k / d param_j."""
    first, log_gaps = params[0], params[1:]
    gaps = np.exp(log_gaps)
    thresholds = first + np.concatenate([[0.0], np.cumsum(gaps)])
    jacobian = np.zeros((LEVELS - 1, LEVELS - 1))
    jacobian[:, 0] = 1.0
    for j in range(1, LEVELS - 1):
        jacobian[j:, j] = gaps[j - 1]
    return thresholds, jacobian


def _ordinal_loss(params: np.ndarray, x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[float, np.ndarray]:
    n, d = x.shape
    w, cut = params[:d], params[d:]
    thresholds, jacobian = _thresholds(cut)
    eta = x @ w
    upper = np.where(y < LEVELS, thresholds[np.minimum(y, LEVELS - 1) - 1] - eta, np.inf)
    lower = np.where(y > 1, thresholds[np.maximum(y - 1, 1) - 1] - eta, -np.inf)
    f_up, f_low = expit(upper), expit(lower)
    prob = np.maximum(f_up - f_low, 1e-12)
    density_up = np.where(np.isfinite(upper), f_up * (1 - f_up), 0.0)
    density_low = np.where(np.isfinite(lower), f_low * (1 - f_low), 0.0)
    loss = -np.log(prob).mean() + 0.5 * penalty * (w @ w) + 0.5 * THRESHOLD_PENALTY * (cut @ cut)
    d_eta = (density_up - density_low) / prob / n
    grad_w = x.T @ d_eta + penalty * w
    d_thresholds = np.zeros(LEVELS - 1)
    np.add.at(d_thresholds, np.minimum(y, LEVELS - 1)[y < LEVELS] - 1, -(density_up / prob)[y < LEVELS] / n)
    np.add.at(d_thresholds, np.maximum(y - 1, 1)[y > 1] - 1, (density_low / prob)[y > 1] / n)
    grad_cut = jacobian.T @ d_thresholds + THRESHOLD_PENALTY * cut
    return float(loss), np.concatenate([grad_w, grad_cut])


def fit_ordinal(x: np.ndarray, y: np.ndarray, penalty: float, start: OrdinalHead | None = None) -> OrdinalHead:
    """Proportional-odds regression of integer scores 1..LEVELS on standardised features.

    `start` (a head fitted with another penalty on the same rows) only speeds up the search.
    """
    y = np.asarray(y, dtype=int)
    if start is None:
        start = np.concatenate([np.zeros(x.shape[1]), [-1.5], np.zeros(LEVELS - 2)])
    else:
        start = np.concatenate([start.weights, [start.thresholds[0]], np.log(np.maximum(np.diff(start.thresholds), 1e-6))])
    result = minimize(_ordinal_loss, start, args=(x, y, penalty), jac=True, method="L-BFGS-B",
                      options={"maxiter": _MAX_ITER})
    d = x.shape[1]
    thresholds, _ = _thresholds(result.x[d:])
    return OrdinalHead(weights=result.x[:d], thresholds=thresholds, penalty=penalty)


def _binary_loss(params: np.ndarray, x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[float, np.ndarray]:
    w, b = params[:-1], params[-1]
    z = x @ w + b
    loss = -(y * log_expit(z) + (1 - y) * log_expit(-z)).mean() + 0.5 * penalty * (w @ w)
    residual = (expit(z) - y) / len(y)
    return float(loss), np.concatenate([x.T @ residual + penalty * w, [residual.sum()]])


def fit_binary(x: np.ndarray, y: np.ndarray, penalty: float, start: BinaryHead | None = None) -> BinaryHead:
    """L2 logistic regression of a 0/1 outcome on standardised features (bias not penalised)."""
    y = np.asarray(y, dtype=float)
    initial = np.zeros(x.shape[1] + 1) if start is None else np.concatenate([start.weights, [start.bias]])
    result = minimize(_binary_loss, initial, args=(x, y, penalty), jac=True,
                      method="L-BFGS-B", options={"maxiter": _MAX_ITER})
    return BinaryHead(weights=result.x[:-1], bias=float(result.x[-1]), penalty=penalty)


def inner_folds(groups: Sequence[str], seed: int = 0) -> list[np.ndarray]:
    """Held-out row indices of at most INNER_FOLDS folds, each made of whole groups.

    The sorted group names are shuffled with `seed`, then dealt round robin to
    min(INNER_FOLDS, number of groups) folds; no group is split between folds.
    """
    names = sorted(set(groups))
    if len(names) < 2:
        return []
    rng = np.random.default_rng(seed)
    order = [names[i] for i in rng.permutation(len(names))]
    count = min(INNER_FOLDS, len(names))
    members = {name: i % count for i, name in enumerate(order)}
    labels = np.array([members[g] for g in groups])
    return [np.flatnonzero(labels == fold) for fold in range(count)]


def _ordinal_log_loss(head: OrdinalHead, x: np.ndarray, y: np.ndarray) -> float:
    probabilities = head.distribution(x)[np.arange(len(y)), np.asarray(y, dtype=int) - 1]
    return float(-np.log(np.maximum(probabilities, 1e-12)).mean())


def _binary_log_loss(head: BinaryHead, x: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(head.probability(x), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=float)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


def _basis(x: np.ndarray) -> np.ndarray | None:
    """Right singular vectors `[column, rank]` when there are more columns than rows, else None.

    An L2-penalised fit depends on the features only through `x @ w`, so its optimum lies in the
    row space of `x`: fitting on `x @ basis` and mapping back gives the same head, much faster.
    """
    if x.shape[1] <= x.shape[0]:
        return None
    _, singular, vt = np.linalg.svd(x, full_matrices=False)
    keep = singular > singular[0] * 1e-10 if len(singular) else singular > 0
    return vt[keep].T


def _reduced(x: np.ndarray, basis: np.ndarray | None) -> np.ndarray:
    return x if basis is None else x @ basis


def fit_head(kind: str, x: np.ndarray, y: np.ndarray, columns: np.ndarray, penalty: float) -> OrdinalHead | BinaryHead:
    """A head on the given feature columns; its weights span every column (zero outside `columns`)."""
    basis = _basis(x[:, columns])
    z = _reduced(x[:, columns], basis)
    head = fit_ordinal(z, y, penalty) if kind == "ordinal" else fit_binary(z, y, penalty)
    weights = np.zeros(x.shape[1])
    weights[columns] = head.weights if basis is None else basis @ head.weights
    if isinstance(head, OrdinalHead):
        return OrdinalHead(weights=weights, thresholds=head.thresholds, penalty=penalty)
    return BinaryHead(weights=weights, bias=head.bias, penalty=penalty)


def choose_settings(
    kind: str,
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[str],
    column_sets: dict[str, np.ndarray],
    seed: int = 0,
) -> tuple[str, float]:
    """The (feature set, penalty) pair with the lowest mean held-out log-loss over grouped inner folds.

    `x` is already standardised on these rows; `kind` is "ordinal" or "binary". Every pair of
    `column_sets` x PENALTIES is tried; ties go to the first set and the first penalty listed. With
    fewer than two groups the last set and the middle penalty are used.
    """
    folds = inner_folds(groups, seed)
    names = list(column_sets)
    if not folds:
        return names[-1], PENALTIES[len(PENALTIES) // 2]
    fit, score = (fit_ordinal, _ordinal_log_loss) if kind == "ordinal" else (fit_binary, _binary_log_loss)
    y = np.asarray(y)
    losses: dict[tuple[str, float], list[float]] = {(n, p): [] for n in names for p in PENALTIES}
    for held in folds:
        keep = np.setdiff1d(np.arange(len(y)), held)
        if kind == "binary" and len(set(y[keep].tolist())) < 2:
            continue
        for name in names:
            columns = column_sets[name]
            basis = _basis(x[keep][:, columns])
            z_keep, z_held = _reduced(x[keep][:, columns], basis), _reduced(x[held][:, columns], basis)
            previous = None
            for penalty in sorted(PENALTIES, reverse=True):
                previous = fit(z_keep, y[keep], penalty, previous)
                losses[(name, penalty)].append(score(previous, z_held, y[held]))
    pairs = [(n, p) for n in names for p in PENALTIES]
    means = [np.mean(losses[pair]) if losses[pair] else np.inf for pair in pairs]
    return pairs[int(np.argmin(means))]
