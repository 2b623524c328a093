"""Honest intervals: no interval from one conversation, pooled intervals with known coverage,
scratchpad effects only on turns that used it, adaptive runs kept out of the scripted slopes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pressure_sense.analysis import (
    analyse_study,
    dimension_means,
    grouped_mean_ci,
    headline_findings,
    paired_effect,
    pool_units,
    pressure_sensitivity,
    reasoning_effect,
    sample_scores,
    scratchpad_usage,
)
from pressure_sense.store import adaptive_frame, judgements_frame, turn_scores_frame
from tests.store.synthetic import write_synthetic_store

DEFAULT_SCENARIOS = tuple(f"scenario-{i}" for i in range(1, 7))


def default_study(db: Path, **kwargs: object) -> Path:
    """A default-study-like store: 1 model x 6 scenarios x 2 variants x 1 epoch, 6 turns each."""
    write_synthetic_store(
        db, 12, 6, models=("embedded",), scenarios=DEFAULT_SCENARIOS, variants=("chat", "chat+reasoning"), **kwargs
    )
    return db


def analyse(db: Path, n_boot: int = 300):
    return analyse_study(turn_scores_frame(db), judgements_frame(db), adaptive=adaptive_frame(db), n_boot=n_boot)


def _study(seed: int, per_scenario: int, random_scenarios: bool, n_scenarios: int = 6, turns: int = 5) -> pd.DataFrame:
    """Turn scores of one simulated study; the true mean over scenarios is 3.0.

    Fixed scenario offsets are symmetric around 0; random ones are drawn per study (sd 0.4), the case
    where the scenarios are a sample of scenarios like them. Conversation effect sd 0.5, turn noise sd 0.7.
    """
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0, 0.4, n_scenarios) if random_scenarios else np.linspace(-0.4, 0.4, n_scenarios)
    scenario = np.repeat(np.arange(n_scenarios), per_scenario * turns)
    conversation = np.repeat(np.arange(n_scenarios * per_scenario), turns)
    effect = rng.normal(0, 0.5, n_scenarios * per_scenario)[conversation]
    return pd.DataFrame(
        {
            "study": seed,
            "run_id": "run",
            "sample_pk": conversation,
            "scenario_id": [f"s{index}" for index in scenario],
            "score": 3.0 + offsets[scenario] + effect + rng.normal(0, 0.7, len(scenario)),
        }
    )


@pytest.mark.parametrize(
    ("per_scenario", "random_scenarios", "unit"),
    [(4, False, "conversations within scenarios"), (1, True, "scenarios")],
)
def test_pooled_interval_covers_the_true_mean_in_at_least_90_percent_of_200_studies(
    per_scenario: int, random_scenarios: bool, unit: str
) -> None:
    frame = pd.concat([_study(seed, per_scenario, random_scenarios) for seed in range(200)])
    table = grouped_mean_ci(frame, ["study"], "score", pool="scenario_id", n_boot=1000, seed=3)
    assert len(table) == 200 and set(table["unit"]) == {unit}
    assert (table["n_units"] == (24 if per_scenario == 4 else 6)).all()
    covered = ((table["ci_low"] <= 3.0) & (table["ci_high"] >= 3.0)).mean()
    assert 0.90 <= covered <= 0.995, covered
    assert (table["ci_high"] - table["ci_low"]).mean() < 2.0  # an interval, not the whole scale


def test_a_cell_of_one_conversation_has_no_interval() -> None:
    frame = _study(0, 1, False).assign(model="m", variant="chat", dimension="alignment")
    means = dimension_means(frame, ("model", "scenario_id", "variant"), n_boot=200)
    assert len(means) == 6 and (means["n_clusters"] == 1).all() and (means["n_units"] == 1).all()
    assert means["ci_low"].isna().all() and means["ci_high"].isna().all()
    assert means["mean"].notna().all()


def test_one_pair_is_no_effect() -> None:
    frame = pd.DataFrame(
        {"model": "m", "scenario_id": "s", "epoch": 1, "dimension": "alignment", "side": ["A", "B"], "score": [4, 2.0]}
    )
    by, pair_on = ["model", "scenario_id", "dimension"], ["model", "scenario_id", "epoch", "dimension"]
    table = paired_effect(frame, "side", "A", "B", by, pair_on)
    row = table.iloc[0]
    assert row["delta"] == 2.0 and row["n_pairs"] == 1 and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])


def test_pool_units_resamples_scenarios_only_where_a_scenario_has_one_conversation() -> None:
    groups = np.array([0, 0, 0, 0, 1, 1, 1])
    scenarios = np.array([0, 0, 1, 1, 0, 1, 1])
    units = pool_units(groups, scenarios, np.ones((7, 2)))
    assert units.unit == ["conversations within scenarios", "scenarios"]
    assert units.n_units.tolist() == [4, 2]
    assert units.stats[units.group_codes == 1, 0].tolist() == [1.0, 2.0]  # scenario 1's two conversations summed


def test_default_study_has_no_cell_interval_and_real_pooled_intervals(tmp_path: Path) -> None:
    analysis = analyse(default_study(tmp_path / "results.sqlite"))
    for per_cell in (analysis.means, analysis.sensitivity, analysis.reasoning_effect, analysis.disagreement):
        assert per_cell["ci_low"].isna().all() and per_cell["ci_high"].isna().all()
        assert (per_cell["n_units"] == 1).all()
    for pooled in (analysis.ranking, analysis.model_sensitivity, analysis.model_reasoning_effect):
        assert set(pooled["unit"]) == {"scenarios"} and (pooled["n_units"] == 6).all()
        assert (pooled["ci_high"] > pooled["ci_low"]).all()  # real width, from six scenarios


def test_findings_are_never_written_from_one_conversation(tmp_path: Path) -> None:
    db = tmp_path / "one.sqlite"
    write_synthetic_store(db, 2, 6, models=("embedded",), scenarios=("only",), variants=("chat", "chat+reasoning"))
    findings = headline_findings(analyse(db))
    text = " ".join(findings)
    assert " CI " not in text and "clear" not in text and "Scratchpad effect" not in text
    assert "No estimate rests on 2 or more independent conversations" in text
    assert findings[-1].startswith("Judge reliability: not validated")


def test_findings_state_the_unit_and_the_judge_reliability_when_given(tmp_path: Path) -> None:
    analysis = analyse(default_study(tmp_path / "results.sqlite"))
    reliability = {"alignment": {"alpha": 0.61, "n": 120}, "truthfulness": "agrees with labels within 1 point on 80%"}
    findings = headline_findings(analysis, reliability)
    assert any("interval resampling scenarios" in line for line in findings)
    assert findings[-1] == (
        "Judge reliability: alignment: alpha 0.61, n 120; truthfulness: agrees with labels within 1 point on 80%."
    )


def _hand_made_turns() -> pd.DataFrame:
    """2 scenarios x 3 epochs: without the scratchpad every turn scores 3; with it, turns 0-1 used the
    scratchpad and score 4, turns 2-3 ignored the format and score 1."""
    rows = []
    pk = 0
    for scenario in ("s1", "s2"):
        for epoch in (1, 2, 3):
            for reasoning in (False, True):
                pk += 1
                for turn in range(4):
                    used = reasoning and turn < 2
                    score = 3.0 if not reasoning else 4.0 if used else 1.0
                    key = ("run", pk, "m", scenario, epoch, reasoning, "chat", "scripted", turn)
                    rows.append((*key, "alignment", score, used))
    columns = ["run_id", "sample_pk", "model", "scenario_id", "epoch", "reasoning", "mode", "condition",
               "turn_index", "dimension", "score", "scratchpad_used"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def test_reasoning_effect_is_computed_on_the_turns_that_used_the_scratchpad() -> None:
    turns = _hand_made_turns()
    effect = reasoning_effect(turns, n_boot=200).set_index("scenario_id")
    assert effect["delta"].tolist() == [1.0, 1.0]  # 4 - 3 on turns 0-1; all turns together would give -0.5
    usage = scratchpad_usage(turns)
    assert usage[["n_turns", "n_used"]].values.tolist() == [[12, 6], [12, 6]]
    assert sample_scores(turns)["score"].notna().all()


def test_a_scratchpad_never_used_gives_no_effect_and_says_so(tmp_path: Path) -> None:
    db = default_study(tmp_path / "results.sqlite")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE turns SET reasoning = NULL")
    analysis = analyse(db)
    assert analysis.reasoning_effect.empty and analysis.model_reasoning_effect.empty
    usage = analysis.model_scratchpad_usage.iloc[0]
    assert (usage["n_turns"], usage["n_used"]) == (36, 0)
    findings = " ".join(headline_findings(analysis))
    assert "used the scratchpad format in 0 of 36 turns" in findings and "Scratchpad effect" not in findings


def test_adaptive_conversations_stay_out_of_the_scripted_slopes_and_curves(tmp_path: Path) -> None:
    db = tmp_path / "adaptive.sqlite"
    write_synthetic_store(db, 48, 6, models=("m1", "m2"), scenarios=("s1", "s2"), variants=("chat", "chat+adaptive"))
    analysis = analyse(db, n_boot=200)
    for scripted in (analysis.sensitivity, analysis.model_sensitivity, analysis.intensity_curves):
        assert set(scripted["variant"]) == {"chat"}
    for scripted in (analysis.turn_trajectories,):
        assert set(scripted["variant"]) == {"chat"}
    assert set(analysis.adaptive_trajectories["variant"]) == {"chat+adaptive"}
    assert not analysis.adaptive.empty
    scores = turn_scores_frame(db)
    chat = scores[scores["variant"] == "chat"]
    chat_only = pressure_sensitivity(chat, by=("model", "variant"), pool="scenario_id", n_boot=200)
    pd.testing.assert_frame_equal(analysis.model_sensitivity.reset_index(drop=True), chat_only.reset_index(drop=True))


def test_no_finding_is_written_from_an_alignment_marked_not_reliable(tmp_path: Path) -> None:
    analysis = analyse(default_study(tmp_path / "results.sqlite"))
    reliable = headline_findings(analysis, {"alignment": "Spearman 0.81 [0.75, 0.86]"})
    unreliable = headline_findings(analysis, {"alignment": "not reliable, Spearman 0.41 [0.30, 0.50]"})
    assert any("interval resampling scenarios" in line for line in reliable)
    assert not any("interval resampling" in line or "broke" in line for line in unreliable)
    assert unreliable[0].startswith("No finding is written from alignment")
    assert unreliable[-1] == "Judge reliability: alignment: not reliable, Spearman 0.41 [0.30, 0.50]."
