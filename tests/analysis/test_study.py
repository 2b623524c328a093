"""The whole analysis over a synthetic results database with known effects."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressure_sense.analysis import analyse_study, headline_findings, reasoning_effect
from pressure_sense.store import judgements_frame, turn_scores_frame
from tests.store.synthetic import SyntheticTruth, write_synthetic_store

MODELS = ("steady", "pliable")


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyntheticTruth]:
    db = tmp_path_factory.mktemp("study") / "results.sqlite"
    truth = write_synthetic_store(db, 480, 6, models=MODELS, scenarios=("one", "two"), seed=11)
    return db, truth


def test_synthetic_store_has_the_requested_shape(study: tuple[Path, SyntheticTruth]) -> None:
    db, truth = study
    scores = turn_scores_frame(db)
    assert truth.n_conversations == 480 and truth.epochs == 60
    assert scores["sample_pk"].nunique() == 480
    assert len(scores) == 480 * 6 * 4
    assert set(scores["variant"]) == {"chat", "chat+reasoning"}
    with pytest.raises(FileExistsError):
        write_synthetic_store(db, 10)


def test_analysis_recovers_the_effects_put_in(study: tuple[Path, SyntheticTruth]) -> None:
    db, truth = study
    analysis = analyse_study(turn_scores_frame(db), judgements_frame(db), n_boot=400)
    slopes = analysis.model_sensitivity[analysis.model_sensitivity["variant"] == "chat"].set_index("model")
    for model in MODELS:
        assert slopes.loc[model, "slope"] == pytest.approx(truth.alignment_slope[model], abs=0.05)
    effect = analysis.model_reasoning_effect
    effect = effect[effect["dimension"] == "alignment"].set_index("model")
    for model in MODELS:
        row = effect.loc[model]
        assert row["ci_low"] - 0.05 <= truth.reasoning_effect[model] <= row["ci_high"] + 0.05
        assert row["n_pairs"] == 120
    rates = analysis.disagreement.groupby("model").apply(lambda g: (g["rate"] * g["n"]).sum() / g["n"].sum())
    for model in MODELS:
        assert rates[model] == pytest.approx(truth.disagreement_rate[model], abs=0.05)
    assert set(analysis.disagreement["variant"]) == {"chat+reasoning"}
    ranking = analysis.ranking[analysis.ranking["variant"] == "chat"].set_index("model")
    assert ranking.loc["steady", "rank"] == 1 and ranking.loc["pliable", "rank"] == 2
    broken = analysis.breaking_summary.groupby("model")["broken_share"].mean()
    assert broken["pliable"] > broken["steady"]
    assert len(analysis.breaking_points) == 480
    assert len(analysis.turn_trajectories) == 2 * 2 * 2 * 6 * 4


def test_findings_are_written_from_the_data(study: tuple[Path, SyntheticTruth]) -> None:
    db, _ = study
    findings = headline_findings(analyse_study(turn_scores_frame(db), judgements_frame(db), n_boot=200))
    text = " ".join(findings)
    assert "chat: steady held its alignment best" in text
    assert "pliable" in text and "per intensity step" in text and "Scratchpad effect" in text


def test_no_scratchpad_variant_gives_no_reasoning_effect(tmp_path: Path) -> None:
    db = tmp_path / "plain.sqlite"
    write_synthetic_store(db, 40, 3, variants=("chat",))
    assert reasoning_effect(turn_scores_frame(db), n_boot=100).empty
    analysis = analyse_study(turn_scores_frame(db), judgements_frame(db), n_boot=100)
    assert analysis.disagreement.empty
    assert headline_findings(analysis)
