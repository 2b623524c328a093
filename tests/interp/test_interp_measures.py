"""The pure measures: share trends, activation drift, and the correlation with alignment, on known inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pressure_sense.interp import MEASURES, alignment_correlations, share_trend
from pressure_sense.interp._activations import activation_frame


def test_share_trend_recovers_a_planted_slope() -> None:
    rows = []
    for turn, intensity in enumerate([1, 2, 3, 4, 5]):
        for head in range(3):
            latest = 0.1 * intensity + 0.01 * head
            rows += [
                {"conversation": "c", "turn_index": turn, "intensity": intensity, "layer": 0, "head": head,
                 "segment": segment, "share": share}
                for segment, share in (("latest", latest), ("system", 0.6 - latest), ("earlier", 0.4))
            ]  # fmt: skip
    trend = share_trend(pd.DataFrame(rows)).set_index("segment")
    assert trend.loc["latest", "slope"] == pytest.approx(0.1)
    assert trend.loc["latest", "spearman"] == pytest.approx(1.0)
    assert trend.loc["system", "slope"] == pytest.approx(-0.1)
    assert np.isnan(trend.loc["earlier", "spearman"])  # constant share: no rank correlation
    assert (trend["turns"] == 5).all()


def test_activation_drift_is_measured_from_the_calmest_turn() -> None:
    rng = np.random.default_rng(0)
    residuals = rng.normal(size=(5, 2, 8))
    residuals[3] = -residuals[1]  # opposite of the calmest turn of conversation "a"
    turns = pd.DataFrame({"conversation": ["a", "a", "a", "a", "b"], "turn_index": [0, 1, 2, 3, 0],
                          "intensity": [3, 1, 4, 5, 2]})  # fmt: skip
    frame = activation_frame(turns, residuals, projection=None)
    distance = frame.pivot_table(index=["conversation", "turn_index"], columns="layer", values="cosine_distance")
    np.testing.assert_allclose(distance.loc[("a", 1)], 0.0, atol=1e-12)
    np.testing.assert_allclose(distance.loc[("a", 3)], 2.0)
    np.testing.assert_allclose(distance.loc[("b", 0)], 0.0, atol=1e-12)
    np.testing.assert_allclose(frame["norm"], np.linalg.norm(residuals, axis=-1).ravel())
    assert frame["projection"].isna().all() and len(frame) == 10


def test_correlations_with_alignment() -> None:
    rng = np.random.default_rng(1)
    alignment = rng.uniform(1, 5, 40)
    measures = pd.DataFrame({"conversation": np.repeat(["a", "b", "c", "d"], 10), "turn_index": np.tile(range(10), 4),
                             "intensity": 1, "alignment": alignment})  # fmt: skip
    measures["latest_share"] = -alignment + rng.normal(0, 0.1, 40)
    measures["system_share"] = 0.3
    measures["projection"] = rng.normal(size=40)
    measures["cosine_distance"] = alignment**2
    measures["refusal_log_odds"] = alignment + rng.normal(0, 0.5, 40)
    table = alignment_correlations(measures).set_index("measure")
    assert list(table.index) == list(MEASURES)
    assert table.loc["latest_share", "spearman_rho"] < -0.95
    assert table.loc["cosine_distance", "spearman_rho"] == pytest.approx(1.0)
    assert table.loc["refusal_log_odds", "pearson_r"] > 0.8 and table.loc["refusal_log_odds", "pearson_p"] < 1e-6
    assert np.isnan(table.loc["system_share", "spearman_rho"])  # a constant measure has no correlation
    assert (table["turns"] == 40).all() and (table["conversations"] == 4).all()
    assert alignment_correlations(measures.assign(alignment=np.nan)).empty
