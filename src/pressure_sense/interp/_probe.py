"""A linear probe for high versus low intensity, per layer, cross-validated, against shuffled labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits


@dataclass(frozen=True)
class Folds:
    """Train/test splits shared by every layer, the shuffled labels and the position baseline."""

    splits: list[tuple[np.ndarray, np.ndarray]]
    by: str
    """"conversations" (no conversation in both train and test) or "turns" (one conversation only)."""


def probe_folds(labels: np.ndarray, groups: np.ndarray, max_folds: int = 5, seed: int = 0) -> Folds | None:
    """Stratified folds, grouped by conversation when there are at least two; None when a class has < 2 turns."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    smallest = int(np.bincount(labels, minlength=2).min())
    if smallest < 2:
        return None
    n_groups = len(np.unique(groups))
    if n_groups >= 2:
        splitter = StratifiedGroupKFold(n_splits=min(max_folds, n_groups), shuffle=True, random_state=seed)
        return Folds(list(splitter.split(labels, labels, groups)), "conversations")
    splitter = StratifiedKFold(n_splits=min(max_folds, smallest), shuffle=True, random_state=seed)
    return Folds(list(splitter.split(labels, labels)), "turns")


def cross_validated_accuracy(features: np.ndarray, labels: np.ndarray, folds: Folds) -> np.ndarray:
    """[fold] test accuracy of a standardised L2 logistic regression trained on each fold's training turns.

    A training fold holding a single class predicts that class.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    accuracies = []
    for train, test in folds.splits:
        if len(np.unique(labels[train])) < 2:
            predicted = np.full(len(test), labels[train][0])
        else:
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
            predicted = model.fit(features[train], labels[train]).predict(features[test])
        accuracies.append(float(np.mean(predicted == labels[test])))
    return np.array(accuracies)


def probe_layers(
    residuals: np.ndarray, labels: np.ndarray, groups: np.ndarray, positions: np.ndarray,
    shuffles: int = 5, seed: int = 0,
) -> pd.DataFrame:  # fmt: skip
    """Probe every layer for high (1) versus low (0) intensity.

    residuals: [turn, layer, d_model] of the labelled turns; groups: [turn] conversation of each turn;
    positions: [turn] turn_index (for the position-only baseline). One row per layer: accuracy and
    accuracy_sd over folds, shuffled_accuracy and shuffled_sd (the same probe on `shuffles` random
    permutations of the labels), position_accuracy (a probe that sees only the turn's position in the
    conversation), chance (share of the larger class), turns, folds, cv. Empty when a class has < 2 turns.
    """
    folds = probe_folds(labels, groups, seed=seed)
    if folds is None:
        return pd.DataFrame()
    with threadpool_limits(limits=1, user_api="blas"):  # small fits: extra BLAS threads only contend
        return _probe_layers(residuals, labels, folds, positions, shuffles, seed)


def _probe_layers(
    residuals: np.ndarray, labels: np.ndarray, folds: Folds, positions: np.ndarray, shuffles: int, seed: int
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    permutations = [rng.permutation(labels) for _ in range(shuffles)]
    position = cross_validated_accuracy(positions[:, None].astype(float), labels, folds).mean()
    chance = float(np.bincount(labels, minlength=2).max() / len(labels))
    rows = []
    for layer in range(residuals.shape[1]):
        features = residuals[:, layer, :]
        accuracy = cross_validated_accuracy(features, labels, folds)
        shuffled = np.array([cross_validated_accuracy(features, permuted, folds).mean() for permuted in permutations])
        rows.append(
            {
                "layer": layer,
                "accuracy": float(accuracy.mean()),
                "accuracy_sd": float(accuracy.std()),
                "shuffled_accuracy": float(shuffled.mean()) if shuffles else float("nan"),
                "shuffled_sd": float(shuffled.std()) if shuffles else float("nan"),
                "position_accuracy": float(position),
                "chance": chance,
                "turns": len(labels),
                "folds": len(folds.splits),
                "cv": folds.by,
            }
        )
    return pd.DataFrame(rows)
