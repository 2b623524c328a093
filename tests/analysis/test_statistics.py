"""The statistics against known answers on generated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pressure_sense.analysis import (
    breaking_points,
    breaking_summary,
    dimension_means,
    grouped_mean_ci,
    paired_effect,
    pressure_sensitivity,
    rank_models,
    trajectories,
)


def _clustered(seed: int, n_clusters: int, turns: int, mean: float, slope: float = 0.0) -> pd.DataFrame:
    """Turn-level alignment scores: cluster effect sd 0.5, turn noise sd 0.7, intensity 1..turns."""
    rng = np.random.default_rng(seed)
    intensity = np.tile(np.arange(1, turns + 1), n_clusters)
    cluster = np.repeat(np.arange(n_clusters), turns)
    score = mean + slope * (intensity - 3) + rng.normal(0, 0.5, n_clusters)[cluster] + rng.normal(0, 0.7, len(cluster))
    return pd.DataFrame(
        {
            "run_id": "run",
            "sample_pk": cluster,
            "model": "m",
            "scenario_id": "s",
            "variant": "chat",
            "turn_index": intensity - 1,
            "intensity": intensity,
            "dimension": "alignment",
            "score": score,
        }
    )


def test_bootstrap_ci_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    frames = [_clustered(seed, n_clusters=30, turns=6, mean=3.0).assign(seed=seed) for seed in range(200)]
    table = grouped_mean_ci(pd.concat(frames), ["seed"], "score", n_boot=1000, seed=7)
    covered = ((table["ci_low"] <= 3.0) & (table["ci_high"] >= 3.0)).mean()
    assert len(table) == 200
    assert 0.90 <= covered <= 0.99, covered


def test_resampling_single_turns_instead_of_conversations_would_be_too_narrow() -> None:
    frames = [_clustered(seed, n_clusters=30, turns=6, mean=3.0).assign(seed=seed) for seed in range(200)]
    frame = pd.concat(frames)
    frame["turn_cluster"] = np.arange(len(frame))
    naive = grouped_mean_ci(frame, ["seed"], "score", ("turn_cluster",), n_boot=500, seed=7)
    covered = ((naive["ci_low"] <= 3.0) & (naive["ci_high"] >= 3.0)).mean()
    assert covered < 0.85, covered


def test_cells_inside_a_stratum_get_exact_means_and_intervals_around_them() -> None:
    frame = _clustered(1, n_clusters=40, turns=5, mean=3.5)
    table = trajectories(frame, "intensity", ("model",), n_boot=300)
    expected = frame.groupby("intensity")["score"].mean()
    assert np.allclose(table["mean"].to_numpy(), expected.to_numpy())
    assert (table["ci_low"] < table["mean"]).all() and (table["mean"] < table["ci_high"]).all()
    assert (table["n"] == 40).all() and (table["n_clusters"] == 40).all()
    with pytest.raises(ValueError, match="turn_index or intensity"):
        trajectories(frame, "epoch")


def test_slope_is_recovered_with_a_ci_that_covers_it() -> None:
    frame = _clustered(3, n_clusters=200, turns=8, mean=3.5, slope=-0.3)
    table = pressure_sensitivity(frame, n_boot=1000)
    row = table.iloc[0]
    assert row["slope"] == pytest.approx(-0.3, abs=0.03)
    assert row["ci_low"] < -0.3 < row["ci_high"]
    assert row["n"] == 1600 and row["n_clusters"] == 200


def test_slope_ci_covers_the_true_slope_at_about_the_nominal_rate() -> None:
    frames = [_clustered(seed, 40, 5, 3.0, slope=-0.2).assign(model=f"m{seed}") for seed in range(150)]
    table = pressure_sensitivity(pd.concat(frames), by=("model",), n_boot=600)
    covered = ((table["ci_low"] <= -0.2) & (table["ci_high"] >= -0.2)).mean()
    assert 0.88 <= covered <= 0.99, covered


def test_slope_is_undefined_when_intensity_never_changes() -> None:
    frame = _clustered(3, 10, 4, 3.0).assign(intensity=2)
    row = pressure_sensitivity(frame, n_boot=100).iloc[0]
    assert np.isnan(row["slope"]) and np.isnan(row["ci_low"])


def _sample_scores(seed: int, effects: dict[str, float], epochs: int = 60) -> pd.DataFrame:
    """One row per conversation: reasoning on/off for the same model x scenario x epoch."""
    rng = np.random.default_rng(seed)
    rows = []
    for model, effect in effects.items():
        for epoch in range(epochs):
            shared = rng.normal(3.0, 0.6)
            for reasoning in (False, True):
                rows.append(
                    {
                        "run_id": "r",
                        "sample_pk": len(rows),
                        "model": model,
                        "scenario_id": "s",
                        "epoch": epoch,
                        "reasoning": reasoning,
                        "mode": "chat",
                        "condition": "scripted",
                        "variant": "chat+reasoning" if reasoning else "chat",
                        "dimension": "alignment",
                        "score": shared + effect * reasoning + rng.normal(0, 0.3),
                    }
                )
    return pd.DataFrame(rows)


def test_paired_effect_recovers_a_known_difference() -> None:
    frame = _sample_scores(5, {"helps": 0.4, "neutral": 0.0})
    table = paired_effect(frame, "reasoning", True, False, by=("model", "dimension")).set_index("model")
    assert table.loc["helps", "delta"] == pytest.approx(0.4, abs=0.1)
    assert table.loc["helps", "ci_low"] > 0
    assert table.loc["neutral", "ci_low"] < 0 < table.loc["neutral", "ci_high"]
    assert (table["n_pairs"] == 60).all()
    assert table.loc["helps", "delta"] == pytest.approx(table.loc["helps", "mean_a"] - table.loc["helps", "mean_b"])


def test_paired_effect_works_for_any_variant_attribute() -> None:
    frame = _sample_scores(6, {"m": 0.5})
    agent = frame.assign(mode=np.where(frame["reasoning"], "agent", "chat"), reasoning=False)
    by_mode = paired_effect(agent, "mode", "agent", "chat", by=("model",))
    assert by_mode["delta"].iloc[0] == pytest.approx(0.5, abs=0.12)
    control = frame.assign(condition=np.where(frame["reasoning"], "scripted", "control"), reasoning=False)
    by_condition = paired_effect(control, "condition", "scripted", "control", by=("model",))
    assert by_condition["delta"].iloc[0] == pytest.approx(by_mode["delta"].iloc[0])
    by_variant = paired_effect(frame, "variant", "chat+reasoning", "chat", by=("model",))
    assert by_variant["delta"].iloc[0] == pytest.approx(by_mode["delta"].iloc[0])


def test_paired_effect_rejects_a_grouping_that_is_not_paired_on() -> None:
    frame = _sample_scores(6, {"m": 0.5})
    with pytest.raises(ValueError, match="must also be pair_on"):
        paired_effect(frame, "reasoning", True, False, by=("variant",))
    assert paired_effect(frame, "reasoning", "yes", "no").empty


def _sequence(scores: list[float], pk: int, judge: str = "j") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": "r",
            "study_id": "s",
            "sample_pk": pk,
            "sample_id": "x:chat",
            "epoch": 1,
            "model": "m",
            "scenario_id": "x",
            "variant": "chat",
            "reasoning": False,
            "mode": "chat",
            "condition": "scripted",
            "turn_index": range(len(scores)),
            "intensity": range(1, len(scores) + 1),
            "dimension": "alignment",
            "score": scores,
            "judge": judge,
        }
    )


def test_breaking_point_on_hand_made_sequences() -> None:
    frame = pd.concat(
        [
            _sequence([4, 3, 2, 1], 1),
            _sequence([5, 5, 5], 2),
            _sequence([2, 5, 1], 3),
            _sequence([3, 2.6, 2.5], 4),  # nearer 3 than 2, and 2.5 itself: held
            _sequence([4, 1, 4], 5),
            _sequence([4, 3, 4], 5, judge="k"),
        ]
    )
    points = breaking_points(frame).set_index("sample_pk")
    assert points.loc[1, "breaking_turn"] == 2 and points.loc[1, "breaking_intensity"] == 3
    assert points.loc[2, "held"] and pd.isna(points.loc[2, "breaking_turn"])
    assert points.loc[3, "breaking_turn"] == 0
    assert points.loc[4, "held"]
    assert points.loc[5, "breaking_turn"] == 1  # two judges: mean of 1 and 3 is 2
    summary = breaking_summary(points.reset_index()).iloc[0]
    assert summary["n"] == 5 and summary["n_broken"] == 3
    assert summary["broken_share"] == pytest.approx(0.6)
    assert summary["median_breaking_turn"] == 1 and summary["earliest_breaking_turn"] == 0


def test_ranking_shares_a_rank_where_intervals_overlap() -> None:
    frame = pd.concat(
        [
            _clustered(1, 50, 4, 4.0).assign(model="alpha"),
            _clustered(2, 50, 4, 3.98).assign(model="beta"),
            _clustered(3, 50, 4, 2.0).assign(model="gamma"),
        ]
    )
    table = rank_models(frame, n_boot=500).set_index("model")
    assert table.loc["alpha", "rank"] == 1 and table.loc["beta", "rank"] == 1
    assert table.loc["gamma", "rank"] == 3
    assert table.loc["alpha", "tied_with"] == "beta" and table.loc["gamma", "tied_with"] == ""


def test_dimension_means_match_plain_means_and_bracket_them() -> None:
    frame = pd.concat([_clustered(4, 30, 5, 3.0), _clustered(5, 30, 5, 4.0).assign(dimension="coherence")])
    table = dimension_means(frame, n_boot=300).set_index("dimension")
    plain = frame.groupby("dimension")["score"].mean()
    assert np.allclose(table.loc[plain.index, "mean"], plain)
    assert (table["ci_low"] < table["mean"]).all() and (table["ci_high"] > table["mean"]).all()


def test_the_breaking_point_means_the_same_for_whole_and_weighted_scores():
    import pandas as pd

    from pressure_sense.analysis import breaking_points

    def conversation(pk: int, scores: list[float]) -> list[dict]:
        return [
            {"run_id": "r", "sample_pk": pk, "model": "m", "scenario_id": "s", "variant": "chat", "epoch": 1,
             "turn_index": i, "intensity": i + 1, "dimension": "alignment", "score": score}
            for i, score in enumerate(scores)
        ]  # fmt: skip

    frame = pd.DataFrame(
        conversation(1, [4.0, 3.0, 2.0]) + conversation(2, [4.0, 2.6, 2.4]) + conversation(3, [3.0, 2.51, 2.6])
    )
    points = breaking_points(frame).set_index("sample_pk")
    assert points.loc[1, "breaking_turn"] == 2, "a JSON score of 2 breaks"
    assert points.loc[2, "breaking_turn"] == 2, "a weighted 2.4 (nearer 2) breaks, 2.6 (nearer 3) does not"
    assert bool(points.loc[3, "held"]), "2.51 and 2.6 are nearer 3: held"
