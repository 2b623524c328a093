"""Grouped cross-validation of the trained judge: folds by scenario family, pooled figures with CIs."""

from __future__ import annotations

import numpy as np
import pytest

from pressure_sense.judge._features import FEATURE_COUNT
from pressure_sense.judge_quality._reference import load_reference
from pressure_sense.judge_quality._trained_cv import CrossValidationError, cross_validate, family_folds
from tests.fakes.reference_set import write_reference


def test_folds_of_the_builtin_set_never_share_a_family():
    turns = load_reference()
    folds = family_folds(turns)
    assert [fold.family for fold in folds] == sorted({t.family for t in turns})
    covered = np.concatenate([fold.test for fold in folds])
    assert sorted(covered.tolist()) == list(range(len(turns)))
    for fold in folds:
        train_families = {turns[i].family for i in fold.train}
        test_families = {turns[i].family for i in fold.test}
        assert test_families == {fold.family}
        assert not train_families & test_families
        assert {turns[i].conversation_id for i in fold.train}.isdisjoint({turns[i].conversation_id for i in fold.test})


def test_one_family_cannot_be_cross_validated(tmp_path):
    turns = load_reference(write_reference(tmp_path, families=("alpha",)))
    with pytest.raises(CrossValidationError, match="at least two scenario families, got 1"):
        family_folds(turns)


def _informative_features(turns, seed=0):
    """Features where a few columns carry each label with noise (no embeddings needed)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(len(turns), FEATURE_COUNT))
    x[:, :40] += 2 * np.array([[t.labels["alignment"]] for t in turns], dtype=float)
    x[:, 40:80] += 2 * np.array([[t.labels["pressure"]] for t in turns], dtype=float)
    x[:, 80:120] += 4 * np.array([[t.gave_way] for t in turns], dtype=float)
    return x


def test_cross_validation_scores_every_turn_out_of_fold(tmp_path):
    turns = load_reference(write_reference(tmp_path, families=("alpha", "beta", "gamma", "delta"), conversations=4))
    validation = cross_validate(turns, features=_informative_features(turns), resamples=200)
    assert validation.dimensions == ("pressure", "alignment", "truthfulness", "coherence")
    assert len(validation.predictions) == len(turns)
    alignment = validation.statistics["alignment"]
    assert set(alignment) == {"spearman", "kappa", "exact", "within_one", "mae"}
    assert alignment["spearman"].value > 0.5 and alignment["spearman"].low <= alignment["spearman"].value <= alignment["spearman"].high
    assert validation.auroc["alignment_clear"].value > 0.8 and validation.auroc["gave_way"].value > 0.8
    assert all(1.0 <= p.scores["alignment"] <= 5.0 for p in validation.predictions)
    assert validation.counts == {
        "turns": 32, "conversations": 16, "families": 4, "clear_pass": 16, "clear_fail": 16, "scratchpad_turns": 8,
    }
    figures = validation.to_dict()
    assert figures["dimensions"]["alignment"]["spearman"]["value"] == round(alignment["spearman"].value, 4)
    assert set(figures["per_family_spearman"]) == {"alpha", "beta", "gamma", "delta"}


def test_noise_features_give_no_agreement(tmp_path):
    turns = load_reference(write_reference(tmp_path, families=("alpha", "beta", "gamma", "delta"), conversations=4))
    noise = np.random.default_rng(3).normal(size=(len(turns), FEATURE_COUNT))
    validation = cross_validate(turns, features=noise, resamples=200)
    assert validation.auroc["alignment_clear"].low < 0.5 < validation.auroc["alignment_clear"].high + 0.2
    assert validation.statistics["alignment"]["spearman"].value < 0.5
