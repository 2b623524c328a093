"""Factorial analysis on synthetic judged data: dose-response, crossings, and the paired type comparison
recovering a planted effect and finding none on shuffled labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pressure_sense.analysis import (
    dose_response,
    factorial_turns,
    first_crossing,
    type_comparison,
    type_heatmap,
)

TYPES = ("authority", "flattery", "time_pressure")


def synthetic_turns(planted: dict[str, float], requests: int = 16, seed: int = 1) -> pd.DataFrame:
    """Rising-schedule conversations (one per request x type): alignment falls 0.3 per intensity, each
    request has its own level, and `planted[type]` more per pressured turn; noise sd 0.5."""
    rng = np.random.default_rng(seed)
    rows, pk = [], 0
    for r in range(requests):
        level = rng.normal(4.0, 0.6)
        for kind in TYPES:
            pk += 1
            for intensity in range(6):
                drop = 0.3 * intensity + (planted.get(kind, 0.0) if intensity else 0.0)
                for dimension, base in (("alignment", level), ("truthfulness", level + 0.2)):
                    rows.append({
                        "run_id": "run-1", "sample_pk": pk, "model": "m", "variant": "chat", "epoch": 1,
                        "scenario_id": f"req-{r}--{kind}--rising", "turn_index": intensity, "intensity": intensity,
                        "primary_pressure_type": kind if intensity else "none", "dimension": dimension,
                        "score": float(np.clip(base - drop + rng.normal(0, 0.5), 1, 5)), "judge": "j",
                    })  # fmt: skip
    hand_written = dict(rows[0], scenario_id="authority-customer-data", sample_pk=10_000)
    return pd.DataFrame([*rows, hand_written])


def test_factorial_turns_parses_the_design_and_drops_other_scenarios() -> None:
    frame = factorial_turns(synthetic_turns({}))
    assert set(frame["request"]) == {f"req-{r}" for r in range(16)}
    assert set(frame["pressure_type"]) == set(TYPES)  # control turns take their scenario's type
    assert "authority-customer-data" not in set(frame["scenario_id"])
    assert factorial_turns(synthetic_turns({}).assign(scenario_id="plain")).empty


def test_dose_response_falls_with_intensity_and_crossing_is_found() -> None:
    frame = factorial_turns(synthetic_turns({"authority": 1.0}))
    curve = dose_response(frame, n_boot=200)
    assert set(curve["intensity"]) == set(range(6)) and set(curve["dimension"]) == {"alignment", "truthfulness"}
    assert (curve["n_clusters"] == 16).all()
    authority = curve[(curve["pressure_type"] == "authority") & (curve["dimension"] == "alignment")]
    assert authority["mean"].iloc[0] > authority["mean"].iloc[-1] + 2
    assert (authority["ci_low"] <= authority["mean"]).all() and (authority["mean"] <= authority["ci_high"]).all()
    crossing = first_crossing(curve, threshold=2.0).set_index("pressure_type")
    assert crossing.loc["authority", "crossing_intensity"] == 4  # 4.0 - 1.0 - 0.3 i <= 2 from i = 3.3
    assert pd.isna(crossing.loc["flattery", "crossing_intensity"])  # lowest mean about 2.5: never crosses
    assert crossing.loc["flattery", "lowest_mean"] > 2.0
    assert crossing.loc["authority", "clear_crossing_intensity"] >= crossing.loc["authority", "crossing_intensity"]
    heat = type_heatmap(curve, "m")
    assert list(heat.index) == sorted(TYPES) and list(heat.columns) == list(range(6))


def test_paired_comparison_recovers_a_planted_effect() -> None:
    table = type_comparison(factorial_turns(synthetic_turns({"authority": 1.0})), n_boot=500, n_permutations=2000)
    alignment = table[table["dimension"] == "alignment"].set_index(["type_a", "type_b"])
    planted = alignment.loc[("authority", "flattery")]
    assert planted["delta"] == pytest.approx(-1.0, abs=0.25)
    assert planted["ci_high"] < 0 and planted["p_holm"] < 0.01 and planted["n_pairs"] == 16
    assert alignment.loc[("authority", "time_pressure"), "ci_high"] < 0
    null = alignment.loc[("flattery", "time_pressure")]
    assert null["ci_low"] < 0 < null["ci_high"] and null["p_holm"] > 0.05


def test_shuffled_type_labels_show_no_effect() -> None:
    frame = synthetic_turns({"authority": 1.0})
    rng = np.random.default_rng(7)
    frame = factorial_turns(frame)
    conversations = frame[["request", "sample_pk", "pressure_type"]].drop_duplicates("sample_pk")
    shuffled = conversations.groupby("request", group_keys=False)["pressure_type"].apply(
        lambda kinds: pd.Series(rng.permutation(kinds.to_numpy()), index=kinds.index)
    )
    relabel = dict(zip(conversations["sample_pk"], shuffled.loc[conversations.index], strict=True))
    frame = frame.assign(pressure_type=frame["sample_pk"].map(relabel))
    table = type_comparison(frame, n_boot=500, n_permutations=2000)
    assert (table["p_holm"] > 0.05).all(), table
    assert (table["delta"].abs() < 0.5).all()


def test_empty_inputs_give_empty_tables() -> None:
    empty = factorial_turns(synthetic_turns({}).assign(scenario_id="plain"))
    assert dose_response(empty).empty and type_comparison(empty).empty
    assert first_crossing(dose_response(empty)).empty
