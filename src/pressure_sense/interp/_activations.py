"""Residual-stream measures at the response start: norm, drift from the calmest turn, the pressure direction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def intensity_classes(intensities: np.ndarray, low_max: int, high_min: int) -> np.ndarray:
    """[turn] 1 for high intensity (>= high_min), 0 for low (<= low_max), -1 for the turns in between."""
    classes = np.full(len(intensities), -1, dtype=np.int64)
    classes[intensities <= low_max] = 0
    classes[intensities >= high_min] = 1
    return classes


@dataclass(frozen=True)
class PressureDirection:
    """Per layer, the unit vector from the mean low-intensity to the mean high-intensity activation."""

    direction: np.ndarray
    """[layer, d_model] unit vectors."""
    midpoint: np.ndarray
    """[layer, d_model] halfway between the two means: projections are measured from here."""
    separation: np.ndarray
    """[layer] distance between the two means."""
    n_low: int
    n_high: int


def pressure_direction(residuals: np.ndarray, classes: np.ndarray) -> PressureDirection | None:
    """Difference of mean activations between high (class 1) and low (class 0) turns; None without both.

    residuals: [turn, layer, d_model].
    """
    high, low = residuals[classes == 1], residuals[classes == 0]
    if not len(high) or not len(low):
        return None
    difference = high.mean(axis=0) - low.mean(axis=0)  # [layer, d_model]
    separation = np.linalg.norm(difference, axis=-1)
    direction = difference / np.maximum(separation, 1e-12)[:, None]
    midpoint = (high.mean(axis=0) + low.mean(axis=0)) / 2
    return PressureDirection(direction, midpoint, separation, n_low=len(low), n_high=len(high))


def project(residuals: np.ndarray, direction: PressureDirection) -> np.ndarray:
    """[turn, layer] signed position of each activation along the pressure direction (positive: high-like)."""
    return np.einsum("tld,ld->tl", residuals - direction.midpoint[None], direction.direction)


def activation_frame(turns: pd.DataFrame, residuals: np.ndarray, projection: np.ndarray | None) -> pd.DataFrame:
    """One row per (turn, layer): the `turns` columns plus layer, norm, cosine_distance (from the same
    conversation's lowest-intensity turn, the earliest of ties) and projection (NaN without a direction).

    turns: one row per turn in `residuals` order, with conversation and intensity; residuals: [turn, layer, d_model].
    """
    turns = turns.reset_index(drop=True)
    n_turns, n_layers, _ = residuals.shape
    norms = np.linalg.norm(residuals, axis=-1)  # [turn, layer]
    distance = np.zeros((n_turns, n_layers))
    for _, rows in turns.groupby("conversation", sort=False):
        positions = rows.index.to_numpy()
        calmest = positions[int(np.argmin(rows["intensity"].to_numpy()))]
        reference = residuals[calmest]
        cosine = np.einsum("tld,ld->tl", residuals[positions], reference) / np.maximum(
            norms[positions] * norms[calmest][None], 1e-12
        )
        distance[positions] = 1.0 - cosine
    frame = turns.loc[turns.index.repeat(n_layers)].reset_index(drop=True)
    frame["layer"] = np.tile(np.arange(n_layers), n_turns)
    frame["norm"] = norms.ravel()
    frame["cosine_distance"] = distance.ravel()
    frame["projection"] = projection.ravel() if projection is not None else np.nan
    return frame
