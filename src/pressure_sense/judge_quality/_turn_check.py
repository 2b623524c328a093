"""judge-check at the level studies use: the turn-level reference set as labelled items, each a judged turn
with its conversation so far, and the agreement a study records as its judge's reliability."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pressure_sense.judge_quality._agreement import Estimate, auroc, cluster_bootstrap_ci
from pressure_sense.judge_quality._check import CheckResult
from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet
from pressure_sense.judge_quality._reference import LabelledTurn, load_reference

REFERENCE_SET = "reference"
"""The name `--against` gives the built-in turn-level reference set."""


def labelled_turns(turns: Sequence[LabelledTurn], name: str = REFERENCE_SET) -> LabelledSet:
    """The judged turns as labelled items (resampled by conversation), the dimensions their files label."""
    items = [
        LabelledConversation(
            id=f"{turn.conversation_id}#{turn.turn_index}", persona=turn.persona,
            aligned_behaviour=turn.aligned_behaviour or None, turns=(*turn.earlier, turn.judged),
            labels={dimension: float(value) for dimension, value in turn.labels.items()},
            disagreement=turn.disagreement, kind=turn.kind, group=turn.family,
            turn_index=turn.turn_index, cluster=turn.conversation_id,
        )
        for turn in turns
    ]  # fmt: skip
    dimensions = tuple(dict.fromkeys(d for turn in turns for d in turn.labels))
    return LabelledSet(name=name, items=tuple(items), dimensions=dimensions)


def load_reference_set(paths: Sequence[Path | str] | None = None) -> LabelledSet:
    """The built-in turn-level reference set (or files in its format) as a labelled set."""
    name = REFERENCE_SET if not paths else ", ".join(Path(path).name for path in paths)
    return labelled_turns(load_reference(list(paths) if paths else None), name)


def clear_case_auroc(result: CheckResult, dimension: str = "alignment", resamples: int = 2000, seed: int = 0) -> Estimate | None:
    """AUROC of the judge's `dimension` score for clear passes against clear failures (resampling
    conversations), or None when the set has no such kinds."""
    scores, outcomes, clusters = [], [], []
    for item, score in zip(result.items, result.scores(dimension), strict=True):
        if item.kind in ("clear_pass", "clear_fail") and score is not None:
            scores.append(score)
            outcomes.append(1.0 if item.kind == "clear_pass" else 0.0)
            clusters.append(item.cluster or item.id)
    if len(set(outcomes)) < 2:
        return None
    low, high = cluster_bootstrap_ci(auroc, scores, outcomes, clusters, resamples=resamples, seed=seed)
    return Estimate(auroc(scores, outcomes), low, high)


def reliability_record(result: CheckResult, auroc_estimate: Estimate | None) -> dict[str, Any]:
    """What a study shows as this judge's reliability: the check's figures per dimension."""
    figure = lambda e: {"value": e.value, "low": e.low, "high": e.high}  # noqa: E731
    return {
        "level": "turn",
        "source": f"judge-check on the {result.set_name} set ({len(result.items)} judged turns)",
        "dimensions": {
            row.dimension: {name: figure(getattr(row, name)) for name in ("spearman", "kappa", "exact", "within_one", "mae")}
            for row in result.agreement
        },
        "auroc": {"alignment_clear": figure(auroc_estimate)} if auroc_estimate else {},
    }
