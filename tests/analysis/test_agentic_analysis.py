"""Agent vs chat, pressure vs control, action metrics, belief flips and adaptive outcomes on a synthetic
study with known effects (real SQLite file, real store queries)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pressure_sense.analysis import StudyAnalysis, action_metrics, adaptive_summary, analyse_study, belief_flip_rates
from pressure_sense.store import adaptive_frame, beliefs_frame, judgements_frame, turn_scores_frame
from tests.store.synthetic import SyntheticTruth, write_synthetic_store

MODELS = ("steady", "shaky")
VARIANTS = ("chat", "agent", "chat+control", "chat+adaptive")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyntheticTruth, StudyAnalysis]:
    db = tmp_path_factory.mktemp("agentic") / "results.sqlite"
    truth = write_synthetic_store(
        db, 480, 6, models=MODELS, scenarios=("alpha", "facts"), variants=VARIANTS, belief_scenarios=("facts",)
    )
    analysis = analyse_study(
        turn_scores_frame(db), judgements_frame(db), beliefs=beliefs_frame(db), adaptive=adaptive_frame(db), n_boot=300
    )
    return db, truth, analysis


def _alignment(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["dimension"] == "alignment"].set_index("model")


def test_agent_minus_chat_recovers_the_planted_effect(study) -> None:
    _, truth, analysis = study
    pooled = _alignment(analysis.model_agent_effect)
    for model in MODELS:
        assert pooled.loc[model, "ci_high"] < 0, "agent mode lowers alignment in the synthetic study"
        assert pooled.loc[model, "delta"] == pytest.approx(truth.agent_effect[model], abs=0.15)
        assert pooled.loc[model, "n_pairs"] == 60
    assert set(analysis.agent_effect["scenario_id"]) == {"alpha", "facts"}
    assert "harmful_action" not in set(analysis.agent_effect["dimension"]), "action metrics are not rubric effects"


def test_pressure_minus_control_recovers_the_planted_effect(study) -> None:
    _, truth, analysis = study
    pooled = _alignment(analysis.model_control_effect)
    for model in MODELS:
        assert pooled.loc[model, "delta"] == pytest.approx(-truth.control_effect[model], abs=0.15)
        assert pooled.loc[model, "ci_low"] <= -truth.control_effect[model] + 0.15 and pooled.loc[model, "ci_high"] < 0
    assert pooled.loc["shaky", "delta"] < pooled.loc["steady", "delta"]


def test_action_metrics_give_the_harmful_rate_and_judged_means(study) -> None:
    _, truth, analysis = study
    actions = analysis.actions
    assert set(actions["variant"]) == {"agent"}
    assert set(actions["dimension"]) == {"harmful_action", "escalation", "report_honesty"}
    harmful = (
        actions[actions["dimension"] == "harmful_action"]
        .groupby("model")
        .apply(lambda g: (g["mean"] * g["n"]).sum() / g["n"].sum(), include_groups=False)
    )
    for model in MODELS:
        assert harmful[model] == pytest.approx(truth.harmful_rate[model], abs=0.06)
    honesty = actions[actions["dimension"] == "report_honesty"]
    assert (honesty["n"] == honesty["n_clusters"]).all(), "one report per conversation"
    assert "harmful_action" not in set(analysis.means["dimension"]), "the rubric tables leave action metrics out"


def test_belief_flip_rates_count_and_split_the_flips(study) -> None:
    db, truth, analysis = study
    flips = analysis.belief_flips
    assert set(flips["scenario_id"]) == {"facts"} and "chat+adaptive" not in set(flips["variant"])
    assert (flips["n_clear"] + flips["n_unclear"] == flips["n_questions"]).all()
    assert (flips["toward_truth"] + flips["away_from_truth"] == flips["n_flipped"]).all()
    assert (flips["flip_rate"] == flips["n_flipped"] / flips["n_clear"]).all()
    assert ((flips["ci_low"] <= flips["flip_rate"]) & (flips["flip_rate"] <= flips["ci_high"])).all()
    chat = flips[flips["variant"] == "chat"].set_index("model")
    assert chat.loc["shaky", "ci_low"] > chat.loc["steady", "ci_high"], "the planted flip rates differ clearly"
    beliefs = beliefs_frame(db)
    assert len(beliefs) == flips["n_questions"].sum()


def test_unclear_answers_are_counted_but_not_in_the_rate() -> None:
    rows = [
        ("m", "s", "chat", 1, 0, "true", "false", True, "away_from_truth"),
        ("m", "s", "chat", 1, 1, "unclear", "false", False, None),
        ("m", "s", "chat", 2, 0, "true", "true", False, None),
        ("m", "s", "chat", 2, 1, "true", None, None, None),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "model",
            "scenario_id",
            "variant",
            "sample_pk",
            "question_index",
            "belief",
            "final",
            "flipped",
            "direction",
        ],
    ).assign(run_id="r", flipped=lambda f: f["flipped"].astype("boolean"))
    (row,) = belief_flip_rates(frame, n_boot=50).to_dict("records")
    assert (row["n_questions"], row["n_clear"], row["n_unclear"], row["n_flipped"]) == (3, 2, 1, 1)
    assert row["flip_rate"] == 0.5 and (row["away_from_truth"], row["toward_truth"]) == (1, 0)
    assert row["unclear_share"] == 1 / 3 and row["n_read_by_judge"] == 0  # no stance readers in this frame
    read = frame.assign(belief_read="rules", final_read=["rules", "judge", "rules", None])
    (row,) = belief_flip_rates(read, n_boot=50).to_dict("records")
    assert row["n_read_by_judge"] == 1 and row["unclear_share"] == 1 / 3


def test_adaptive_summary_counts_stop_reasons(study) -> None:
    db, _, analysis = study
    summary = analysis.adaptive
    assert set(summary["variant"]) == {"chat+adaptive"}
    assert (summary["gave_in"] + summary["held"] + summary["max_turns"] == summary["n"]).all()
    assert summary["n"].sum() == len(adaptive_frame(db))
    frame = pd.DataFrame(
        {
            "model": "m",
            "scenario_id": "s",
            "variant": "chat+adaptive",
            "stopped": ["gave_in", "gave_in", "held"],
            "turns": [3, 5, 6],
            "breaking_turn": pd.array([2, 4, None], dtype="Int64"),
        }
    )
    (row,) = adaptive_summary(frame).to_dict("records")
    assert (row["gave_in"], row["held"], row["median_breaking_turn"], row["earliest_breaking_turn"]) == (2, 1, 3.0, 2.0)
    assert row["gave_in_share"] == pytest.approx(2 / 3)


def test_a_chat_only_study_with_one_judge_has_empty_optional_tables(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite"
    write_synthetic_store(db, 12, 3, models=("a",), scenarios=("s",))
    analysis = analyse_study(turn_scores_frame(db), judgements_frame(db), n_boot=50)
    for table in ("agent_effect", "control_effect", "actions", "belief_flips", "adaptive", "panel_alpha", "panel_flags"):
        assert getattr(analysis, table).empty
    assert action_metrics(turn_scores_frame(db)).empty
