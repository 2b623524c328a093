"""Residual-stream measures at the response start: norm, drift, the pressure direction, a linear probe for intensity
(cross-validated, against shuffled labels) and the turn-position control of both."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits


def intensity_classes(intensities: np.ndarray, low_max: int, high_min: int) -> np.ndarray:
    """[turn] 1 for high intensity (>= high_min), 0 for low (<= low_max), -1 for the turns in between."""
    return np.select([intensities >= high_min, intensities <= low_max], [1, 0], -1)


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
    """Difference of mean activations [turn, layer, d_model] between high (class 1) and low (class 0) turns;
    None without both."""
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


def per_layer(turns: pd.DataFrame, n_layers: int) -> pd.DataFrame:
    """`turns` with every row repeated once per layer, and a layer column (fresh index)."""
    return turns.merge(pd.DataFrame({"layer": np.arange(n_layers)}), how="cross")


def activation_frame(turns: pd.DataFrame, residuals: np.ndarray, projection: np.ndarray | None) -> pd.DataFrame:
    """One row per (turn, layer): the `turns` columns (in `residuals` order) plus layer, norm, cosine_distance
    (from the conversation's earliest lowest-intensity turn) and projection (NaN without a direction)."""
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
    frame = per_layer(turns, n_layers)
    frame["norm"] = norms.ravel()
    frame["cosine_distance"] = distance.ravel()
    frame["projection"] = projection.ravel() if projection is not None else np.nan
    return frame


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
    """Probe every layer of the labelled turns' residuals [turn, layer, d_model] for high (1) versus low (0)
    intensity, folds grouped by conversation (`groups`); one row per layer with the shuffled-label (`shuffles`
    permutations) and turn-position-only (`positions`) baselines. Empty when a class has < 2 turns."""
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


SURVIVES_MARGIN = 0.05
"""A probe survives the position baseline when it beats it by at least this much accuracy..."""
CONFOUNDED_R = 0.8
"""...and intensity counts as following the turn number when |Pearson r| between them reaches this."""


def _crossfit_projection(residuals: np.ndarray, classes: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, str]:
    """[turn, layer] projections on a pressure direction estimated without the turn's own conversation
    (leave-one-conversation-out), or in-sample when there is a single conversation."""
    unique = np.unique(groups)
    projection = np.full(residuals.shape[:2], np.nan)
    for group in unique:
        held = groups == group
        train = ~held if len(unique) > 1 else held
        direction = pressure_direction(residuals[train], classes[train])
        if direction is not None:
            projection[held] = project(residuals[held], direction)
    return projection, "held-out conversations" if len(unique) > 1 else "its own turns"


def _coefficients(y: np.ndarray, intensity: np.ndarray, position: np.ndarray) -> np.ndarray:
    """[intercept, per intensity step, per turn] least squares; NaN when the design is rank-deficient."""
    design = np.column_stack([np.ones_like(intensity), intensity, position])
    if np.linalg.matrix_rank(design) < 3:
        return np.full(3, np.nan)
    return np.linalg.lstsq(design, y, rcond=None)[0]


def position_control(
    residuals: np.ndarray, turns: pd.DataFrame, *, n_boot: int = 200, seed: int = 0
) -> pd.DataFrame:
    """Per layer: the projection on the pressure direction (estimated on the other conversations) regressed on
    intensity and turn position together (`per_intensity`, `per_turn`, with 95% CIs resampling conversations);
    residuals: [turn, layer, d_model], turns: `InterpTables.turns`. Empty without a direction."""
    classes = turns["intensity_class"].to_numpy()
    groups = turns["conversation"].to_numpy()
    intensity = turns["intensity"].to_numpy(dtype=float)
    position = turns["turn_index"].to_numpy(dtype=float)
    if not ((classes == 1).any() and (classes == 0).any()):
        return pd.DataFrame()
    projection, source = _crossfit_projection(residuals, classes, groups)
    r = float(np.corrcoef(intensity, position)[0, 1]) if intensity.std() and position.std() else float("nan")
    rng = np.random.default_rng(seed)
    unique = np.unique(groups)
    members = [np.flatnonzero(groups == g) for g in unique]
    draws = [np.concatenate([members[i] for i in rng.integers(0, len(unique), len(unique))]) for _ in range(n_boot)]
    rows = []
    for layer in range(residuals.shape[1]):
        y = projection[:, layer]
        keep = np.isfinite(y)
        estimate = _coefficients(y[keep], intensity[keep], position[keep])
        boots = np.array([
            _coefficients(y[d][keep[d]], intensity[d][keep[d]], position[d][keep[d]]) for d in draws
        ])  # fmt: skip
        defined = len(unique) >= 2 and np.isfinite(boots).any()  # one conversation: no CI, not a zero-width one
        low, high = (np.nanquantile(boots, q, axis=0) if defined else np.full(3, np.nan) for q in (0.025, 0.975))
        rows.append({
            "layer": layer,
            "per_intensity": estimate[1], "per_intensity_low": low[1], "per_intensity_high": high[1],
            "per_turn": estimate[2], "per_turn_low": low[2], "per_turn_high": high[2],
            "intensity_position_r": r, "turns": int(keep.sum()), "conversations": len(unique),
            "direction_from": source,
        })  # fmt: skip
    return pd.DataFrame(rows)


def confound_findings(probe: pd.DataFrame, control: pd.DataFrame, layer: int) -> list[str]:
    """Sentences saying whether the probe and the pressure direction survive the turn-position baseline."""
    if control.empty:
        return []
    row = control.loc[control["layer"] == layer].iloc[0]
    r = row["intensity_position_r"]
    lines = []
    confounded = bool(np.isfinite(r) and abs(r) >= CONFOUNDED_R)
    lines.append(
        f"Intensity and turn position correlate at r = {r:+.2f} over these {int(row['turns'])} turns"
        + (
            ": intensity follows the turn number, so position alone predicts it; a shuffled or fixed-level factorial "
            "schedule (e.g. -s REQUEST--TYPE--shuffled) separates the two."
            if confounded
            else "."
        )
    )
    probe_survives = False
    if not probe.empty:
        best = probe.loc[probe["accuracy"].idxmax()]
        margin = best["accuracy"] - best["position_accuracy"]
        probe_survives = bool(
            margin >= SURVIVES_MARGIN and best["accuracy"] > best["shuffled_accuracy"] + 2 * best["shuffled_sd"]
        )
        lines.append(
            f"Probe (layer {int(best['layer'])}): accuracy {best['accuracy']:.2f} against "
            f"{best['position_accuracy']:.2f} from position alone and "
            f"{best['shuffled_accuracy']:.2f} with shuffled labels: "
            + ("it beats both." if probe_survives else "it does not beat both by a clear margin.")
        )
    per_intensity = (row["per_intensity"], row["per_intensity_low"], row["per_intensity_high"])
    direction_survives = bool(np.isfinite(per_intensity[1]) and (per_intensity[1] > 0 or per_intensity[2] < 0))
    def ci(low: float, high: float) -> str:
        return " (no CI: one conversation)" if not np.isfinite(low) else f" [{low:+.3f}, {high:+.3f}]"

    lines.append(
        f"Pressure direction (layer {layer}, estimated on {row['direction_from']}): the projection moves "
        f"{per_intensity[0]:+.3f} per intensity step{ci(per_intensity[1], per_intensity[2])} holding the turn fixed, "
        f"and {row['per_turn']:+.3f} per turn{ci(row['per_turn_low'], row['per_turn_high'])} holding intensity fixed"
        + (" (95% CIs, conversations resampled)." if np.isfinite(per_intensity[1]) else ".")
    )
    checks = (("the probe", probe_survives), ("the pressure direction", direction_survives))
    surviving = [name for name, ok in checks if ok]
    if confounded:
        lines.append("Neither effect can be told apart from turn position in these conversations.")
    else:
        lines.append(
            "Survives the turn-position baseline: " + (" and ".join(surviving) if surviving else "neither effect") + "."
        )
    return lines
