"""The probe and the pressure direction on synthetic activations with a planted direction."""

from __future__ import annotations

import numpy as np
import pytest

from pressure_sense.interp import intensity_classes, pressure_direction, probe_layers, project

pytest.importorskip("sklearn")


def _planted(seed: int = 0, conversations: int = 24, turns: int = 8, layers: int = 3, width: int = 32):
    """Activations [turn, layer, width]: noise everywhere; at layer 1, high-intensity turns are moved 4 (noise sd 1)
    along a planted unit vector. Turn positions are shuffled within each conversation, so position
    alone carries no signal."""
    rng = np.random.default_rng(seed)
    planted = rng.normal(size=width)
    planted /= np.linalg.norm(planted)
    intensities = np.concatenate([rng.permutation([0, 1, 1, 2, 4, 4, 5, 5][:turns]) for _ in range(conversations)])
    classes = intensity_classes(intensities, low_max=2, high_min=4)
    residuals = rng.normal(size=(len(intensities), layers, width))
    residuals[:, 1, :] += 4.0 * (classes == 1)[:, None] * planted
    groups = np.repeat(np.arange(conversations), turns)
    positions = np.tile(np.arange(turns), conversations)
    return residuals, classes, groups, positions, planted


def test_probe_recovers_a_planted_direction_and_falls_to_chance_on_shuffled_labels() -> None:
    residuals, classes, groups, positions, _ = _planted()
    frame = probe_layers(residuals, classes, groups, positions, shuffles=8, seed=1).set_index("layer")
    assert frame.loc[1, "accuracy"] >= 0.9
    assert frame.loc[1, "shuffled_accuracy"] == pytest.approx(0.5, abs=0.12)
    for layer in (0, 2):  # nothing planted there
        assert frame.loc[layer, "accuracy"] == pytest.approx(0.5, abs=0.15)
    assert frame["chance"].iloc[0] == 0.5
    assert frame["position_accuracy"].iloc[0] == pytest.approx(0.5, abs=0.2)
    assert set(frame["cv"]) == {"conversations"} and frame["folds"].iloc[0] == 5


def test_position_baseline_sees_a_label_that_follows_position() -> None:
    residuals, _, groups, positions, _ = _planted()
    follows_position = (positions >= 4).astype(np.int64)
    frame = probe_layers(residuals, follows_position, groups, positions, shuffles=0)
    assert frame["position_accuracy"].iloc[0] == 1.0
    assert frame["shuffled_accuracy"].isna().all()


def test_one_conversation_folds_over_turns_and_too_few_turns_give_no_probe() -> None:
    residuals, classes, _, positions, _ = _planted(conversations=1)
    labelled = classes >= 0
    frame = probe_layers(residuals[labelled], classes[labelled], np.zeros(labelled.sum()), positions[labelled])
    assert set(frame["cv"]) == {"turns"} and len(frame) == 3
    assert probe_layers(residuals[:3], np.array([0, 0, 1]), np.zeros(3), positions[:3]).empty


def test_pressure_direction_points_along_the_planted_vector() -> None:
    residuals, classes, _, _, planted = _planted()
    direction = pressure_direction(residuals, classes)
    assert direction is not None and (direction.n_low, direction.n_high) == (96, 96)
    assert abs(direction.direction[1] @ planted) > 0.9
    assert abs(direction.direction[0] @ planted) < 0.5
    np.testing.assert_allclose(np.linalg.norm(direction.direction, axis=-1), 1.0)
    projection = project(residuals, direction)  # [turn, layer]
    assert projection[classes == 1, 1].mean() > 0.5 > -0.5 > projection[classes == 0, 1].mean()
    assert pressure_direction(residuals, np.zeros(len(classes), dtype=np.int64)) is None
