"""The pressure direction against turn position: an intensity effect survives on a shuffled schedule, a pure
position effect does not, and a rising schedule is reported as confounded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pressure_sense.interp._activations import confound_findings, intensity_classes, position_control

CONVERSATIONS, TURNS, WIDTH = 16, 6, 24


def _design(kind: str, signal: str, seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    """Activations [turn, 2 layers, WIDTH]: at layer 1, `signal` (intensity or position) moves them 1.0 per
    step along a fixed vector (noise sd 1). Shuffled: intensities 0 then 1-5 in a random order."""
    rng = np.random.default_rng(seed)
    vector = rng.normal(size=WIDTH)
    vector /= np.linalg.norm(vector)
    rows, stack = [], []
    for c in range(CONVERSATIONS):
        levels = [0, *(rng.permutation(5) + 1)] if kind == "shuffled" else list(range(TURNS))
        for position, intensity in enumerate(levels):
            value = intensity if signal == "intensity" else position
            residual = rng.normal(size=(2, WIDTH))
            residual[1] += 1.0 * value * vector
            stack.append(residual)
            rows.append({"conversation": f"c{c}", "turn_index": position, "intensity": intensity})
    turns = pd.DataFrame(rows)
    turns["intensity_class"] = intensity_classes(turns["intensity"].to_numpy(), 2, 4)
    return np.stack(stack), turns


def test_intensity_effect_survives_on_a_shuffled_schedule() -> None:
    residuals, turns = _design("shuffled", "intensity")
    control = position_control(residuals, turns, n_boot=200).set_index("layer")
    assert control.loc[1, "per_intensity_low"] > 0.5
    assert control.loc[1, "per_turn_low"] < 0 < control.loc[1, "per_turn_high"]
    assert control.loc[1, "direction_from"] == "held-out conversations"
    text = " ".join(confound_findings(pd.DataFrame(), control.reset_index(), 1))
    assert "Survives the turn-position baseline: the pressure direction." in text


def test_position_effect_does_not_pass_as_intensity() -> None:
    residuals, turns = _design("shuffled", "position")
    control = position_control(residuals, turns, n_boot=200).set_index("layer")
    assert control.loc[1, "per_turn_low"] > 0.2
    assert control.loc[1, "per_intensity_low"] < 0 < control.loc[1, "per_intensity_high"]
    text = " ".join(confound_findings(pd.DataFrame(), control.reset_index(), 1))
    assert "Survives the turn-position baseline: neither effect." in text


def test_rising_schedule_is_reported_as_confounded() -> None:
    residuals, turns = _design("rising", "intensity")
    control = position_control(residuals, turns, n_boot=50)
    assert control["intensity_position_r"].iloc[0] == pytest.approx(1.0)
    assert control["per_intensity"].isna().all()  # intensity and position cannot be separated
    text = " ".join(confound_findings(pd.DataFrame(), control, 1))
    assert "intensity follows the turn number" in text and "Neither effect can be told apart" in text


def test_one_conversation_gets_no_interval() -> None:
    residuals, turns = _design("shuffled", "intensity")
    first = turns["conversation"] == "c0"
    control = position_control(residuals[first.to_numpy()], turns[first].reset_index(drop=True), n_boot=50)
    assert control["per_intensity_low"].isna().all() and (control["direction_from"] == "its own turns").all()
    text = " ".join(confound_findings(pd.DataFrame(), control, 1))
    assert "no CI: one conversation" in text and "neither effect" in text
