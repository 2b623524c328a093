"""Cross-validation of the trained judge with folds grouped by scenario family (leave one family out).

Every turn is scored by a judge trained without any turn of its family, so the pooled figures are
what a user gets on a scenario family the judge has never seen. Confidence intervals resample
whole conversations. Sentence embeddings are computed once (they use no labels); standardisation,
penalty choice and every head are fitted inside each training fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pressure_sense.judge._features import SentenceEmbedder, turn_features
from pressure_sense.judge._trained import TrainedJudge, TurnScore, fit_judge, training_dimensions
from pressure_sense.judge_quality._agreement import (
    Estimate,
    auroc,
    cluster_bootstrap_ci,
    exact_accuracy,
    mean_absolute_error,
    quadratic_weighted_kappa,
    spearman,
    within_one_accuracy,
)
from pressure_sense.judge_quality._reference import LabelledTurn

TURN_STATISTICS = {
    "spearman": spearman,
    "kappa": quadratic_weighted_kappa,
    "exact": exact_accuracy,
    "within_one": within_one_accuracy,
    "mae": mean_absolute_error,
}
"""Per-dimension statistics of the cross-validated table, in column order."""


class CrossValidationError(ValueError):
    """The labelled turns cannot be cross-validated by family (e.g. only one family)."""


@dataclass(frozen=True)
class Fold:
    """One leave-one-family-out split: row indices of the training and test turns."""

    family: str
    train: np.ndarray
    test: np.ndarray


def family_folds(turns: Sequence[LabelledTurn]) -> list[Fold]:
    """One fold per scenario family, holding that family out (families in sorted order)."""
    families = sorted({turn.family for turn in turns})
    if len(families) < 2:
        raise CrossValidationError(
            f"grouped cross-validation needs turns of at least two scenario families, got {len(families)}"
        )
    labels = np.array([turn.family for turn in turns])
    return [Fold(family, np.flatnonzero(labels != family), np.flatnonzero(labels == family)) for family in families]


@dataclass(frozen=True)
class CrossValidation:
    """Pooled out-of-fold agreement of the trained judge with the labels."""

    dimensions: tuple[str, ...]
    statistics: dict[str, dict[str, Estimate]]
    """dimension -> statistic name (TURN_STATISTICS) -> estimate with its 95% CI."""
    auroc: dict[str, Estimate]
    """alignment_clear (clear_pass vs clear_fail, expected alignment), gave_way, disagreement."""
    per_family: dict[str, dict[str, float]]
    """family -> dimension -> Spearman on that held-out family alone."""
    counts: dict[str, int]
    predictions: list[TurnScore] = field(repr=False, default_factory=list)
    """Out-of-fold verdicts, in turn order."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures for a judge file's metadata (values, CI bounds; NaN as null)."""

        def number(value: float) -> float | None:
            return None if np.isnan(value) else round(float(value), 4)

        def estimate(e: Estimate) -> dict[str, float | None]:
            return {"value": number(e.value), "low": number(e.low), "high": number(e.high)}

        return {
            "method": "leave-one-scenario-family-out; 95% percentile bootstrap CIs resampling conversations",
            "counts": dict(self.counts),
            "dimensions": {
                name: {stat: estimate(value) for stat, value in stats.items()} for name, stats in self.statistics.items()
            },
            "auroc": {name: estimate(value) for name, value in self.auroc.items()},
            "per_family_spearman": {
                family: {name: number(value) for name, value in values.items()} for family, values in self.per_family.items()
            },
        }


def _estimate(statistic, judge, reference, clusters, resamples: int, seed: int) -> Estimate:
    judge, reference = np.asarray(judge, dtype=float), np.asarray(reference, dtype=float)
    value = statistic(judge, reference)
    low, high = cluster_bootstrap_ci(statistic, judge, reference, list(clusters), resamples=resamples, seed=seed)
    return Estimate(value, low, high)


def out_of_fold(
    turns: Sequence[LabelledTurn], features: np.ndarray, seed: int = 0
) -> list[TurnScore]:
    """Every turn's verdict from the judge trained on the other families."""
    predictions: list[TurnScore | None] = [None] * len(turns)
    for fold in family_folds(turns):
        judge: TrainedJudge = fit_judge(features[fold.train], [turns[i] for i in fold.train], seed)
        verdicts = judge.score_features(features[fold.test], [turns[i].reasoning is not None for i in fold.test])
        for row, verdict in zip(fold.test, verdicts):
            predictions[row] = verdict
    return [p for p in predictions if p is not None]


def cross_validate(
    turns: Sequence[LabelledTurn],
    *,
    features: np.ndarray | None = None,
    embedder: SentenceEmbedder | None = None,
    seed: int = 0,
    resamples: int = 2000,
) -> CrossValidation:
    """Leave-one-family-out cross-validation of the trained judge on labelled turns."""
    dimensions = training_dimensions(turns)
    if features is None:
        features = turn_features([turn.text for turn in turns], embedder or SentenceEmbedder())
    predictions = out_of_fold(turns, features, seed)
    clusters = [turn.conversation_id for turn in turns]
    statistics = {
        name: {
            stat: _estimate(fn, [p.scores[name] for p in predictions], [t.labels[name] for t in turns], clusters, resamples, seed)
            for stat, fn in TURN_STATISTICS.items()
        }
        for name in dimensions
    }
    aurocs: dict[str, Estimate] = {}
    if "alignment" in dimensions:
        clear = [i for i, t in enumerate(turns) if t.kind in ("clear_pass", "clear_fail")]
        aurocs["alignment_clear"] = _estimate(
            auroc, [predictions[i].scores["alignment"] for i in clear],
            [float(turns[i].kind == "clear_pass") for i in clear], [clusters[i] for i in clear], resamples, seed,
        )
    gave = [i for i, p in enumerate(predictions) if p.gave_way is not None and turns[i].gave_way is not None]
    if gave:
        aurocs["gave_way"] = _estimate(
            auroc, [predictions[i].gave_way for i in gave], [float(turns[i].gave_way) for i in gave],
            [clusters[i] for i in gave], resamples, seed,
        )
    scratch = [i for i, p in enumerate(predictions) if p.disagreement is not None and turns[i].disagreement is not None]
    if scratch:
        aurocs["disagreement"] = _estimate(
            auroc, [predictions[i].disagreement for i in scratch], [float(turns[i].disagreement) for i in scratch],
            [clusters[i] for i in scratch], resamples, seed,
        )
    families = sorted({t.family for t in turns})
    per_family = {
        family: {
            name: spearman(
                [p.scores[name] for p, t in zip(predictions, turns) if t.family == family],
                [t.labels[name] for t in turns if t.family == family],
            )
            for name in dimensions
        }
        for family in families
    }
    counts = {
        "turns": len(turns),
        "conversations": len(set(clusters)),
        "families": len(families),
        "clear_pass": sum(t.kind == "clear_pass" for t in turns),
        "clear_fail": sum(t.kind == "clear_fail" for t in turns),
        "scratchpad_turns": sum(t.reasoning is not None for t in turns),
    }
    return CrossValidation(dimensions, statistics, aurocs, per_family, counts, predictions)


def train_reference_judge(
    turns: Sequence[LabelledTurn],
    *,
    seed: int = 0,
    validate: bool = True,
    resamples: int = 2000,
    embedder: SentenceEmbedder | None = None,
) -> tuple[TrainedJudge, CrossValidation | None]:
    """Train on every turn and, with `validate`, attach the grouped cross-validated figures to the judge."""
    embedder = embedder or SentenceEmbedder()
    training_dimensions(turns)
    features = turn_features([turn.text for turn in turns], embedder)
    judge = fit_judge(features, turns, seed)
    judge.embedder = embedder
    validation = None
    if validate:
        validation = cross_validate(turns, features=features, seed=seed, resamples=resamples)
        judge.cross_validation = validation.to_dict()
    return judge, validation
