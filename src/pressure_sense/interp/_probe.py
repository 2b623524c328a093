"""A linear probe for high versus low intensity, per layer, cross-validated, against shuffled labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits


def probe_folds(
    labels: np.ndarray, groups: np.ndarray, max_folds: int = 5, seed: int = 0
) -> tuple[list[tuple[np.ndarray, np.ndarray]], str] | None:
    """Stratified (train, test) splits and what they keep apart: "conversations" (grouped, when there are at least
    two) or "turns"; None when a class has < 2 turns."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    smallest = int(np.bincount(labels, minlength=2).min())
    if smallest < 2:
        return None
    n_groups = len(np.unique(groups))
    if n_groups >= 2:
        splitter = StratifiedGroupKFold(n_splits=min(max_folds, n_groups), shuffle=True, random_state=seed)
        return list(splitter.split(labels, labels, groups)), "conversations"
    splitter = StratifiedKFold(n_splits=min(max_folds, smallest), shuffle=True, random_state=seed)
    return list(splitter.split(labels, labels)), "turns"


def cross_validated_accuracy(
    features: np.ndarray, labels: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """[fold] test accuracy of a standardised L2 logistic regression trained on each fold's training turns
    (a single-class training fold predicts that class)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    accuracies = []
    for train, test in splits:
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
    """Probe every layer for high (1) versus low (0) intensity; empty when a class has < 2 turns.

    residuals: [turn, layer, d_model] of the labelled turns; groups: [turn] conversation; positions: [turn]
    turn_index. One row per layer: accuracy and accuracy_sd over folds, shuffled_accuracy and shuffled_sd
    (`shuffles` label permutations), position_accuracy (a probe on the turn position alone), chance (share
    of the larger class), turns, folds, cv.
    """
    folds = probe_folds(labels, groups, seed=seed)
    if folds is None:
        return pd.DataFrame()
    splits, by = folds
    rng = np.random.default_rng(seed)
    permuted = [rng.permutation(labels) for _ in range(shuffles)]
    chance = float(np.bincount(labels, minlength=2).max() / len(labels))
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):  # small fits: extra BLAS threads only contend
        position = cross_validated_accuracy(positions[:, None].astype(float), labels, splits).mean()
        for layer in range(residuals.shape[1]):
            features = residuals[:, layer, :]
            accuracy, *shuffled = [cross_validated_accuracy(features, y, splits) for y in [labels, *permuted]]
            shuffled = np.array([accuracies.mean() for accuracies in shuffled])
            spread = (float(shuffled.mean()), float(shuffled.std())) if shuffles else (float("nan"), float("nan"))
            rows.append((layer, float(accuracy.mean()), float(accuracy.std()), *spread, float(position), chance))
    columns = ["layer", "accuracy", "accuracy_sd", "shuffled_accuracy", "shuffled_sd", "position_accuracy", "chance"]
    return pd.DataFrame(rows, columns=columns).assign(turns=len(labels), folds=len(splits), cv=by)
