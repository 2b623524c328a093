"""Panels of judges: agreement between them, the panel mean, and items where they differ widely."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pressure_sense.judge_quality._agreement import DimensionAgreement, dimension_agreement
from pressure_sense.judge_quality._check import CheckResult
from pressure_sense.analysis import FLAG_SPREAD, Level, krippendorff_alpha
from pressure_sense.judge_quality._labelled import LabelledConversation



@dataclass(frozen=True)
class PanelFlag:
    """An item on which the panel's judges differ by FLAG_SPREAD points or more on a dimension."""

    item_id: str
    dimension: str
    scores: dict[str, float]
    """Judge label -> score."""

    @property
    def spread(self) -> float:
        return max(self.scores.values()) - min(self.scores.values())


@dataclass(frozen=True)
class PanelSummary:
    """Inter-judge alpha per dimension, the panel mean per item, and the flagged items."""

    judges: tuple[str, ...]
    alpha: dict[str, float]
    """Dimension -> Krippendorff's alpha between the judges."""
    mean: dict[str, dict[str, float | None]]
    """Item id -> dimension -> mean over the judges that scored it (None when none did)."""
    flags: tuple[PanelFlag, ...]


def _label(result: CheckResult) -> str:
    return f"{result.judge} ({result.method})"


def panel_summary(results: Sequence[CheckResult], *, level: Level = "interval", spread: float = FLAG_SPREAD) -> PanelSummary:
    """Summarise several judges' results on the same labelled set."""
    if len(results) < 2:
        raise ValueError("a panel needs at least two judges")
    items = results[0].items
    if any([item.id for item in result.items] != [item.id for item in items] for result in results):
        raise ValueError("every judge in a panel must have judged the same items in the same order")
    judges = tuple(_label(result) for result in results)
    alpha: dict[str, float] = {}
    mean: dict[str, dict[str, float | None]] = {item.id: {} for item in items}
    flags: list[PanelFlag] = []
    for dimension in results[0].dimensions:
        table = [result.scores(dimension) for result in results]  # [judge][item]
        alpha[dimension] = krippendorff_alpha(table, level=level)
        for position, item in enumerate(items):
            given = {judge: row[position] for judge, row in zip(judges, table) if row[position] is not None}
            mean[item.id][dimension] = float(np.mean(list(given.values()))) if given else None
            if len(given) >= 2 and max(given.values()) - min(given.values()) >= spread:
                flags.append(PanelFlag(item_id=item.id, dimension=dimension, scores=given))
    return PanelSummary(judges=judges, alpha=alpha, mean=mean, flags=tuple(flags))


def panel_mean_agreement(
    summary: PanelSummary, items: Sequence[LabelledConversation], *, resamples: int = 2000, seed: int = 0
) -> tuple[DimensionAgreement, ...]:
    """Agreement of the panel mean with the labels, per dimension."""
    rows = []
    for dimension in summary.alpha:
        pairs = [(summary.mean[item.id][dimension], item.labels[dimension]) for item in items]
        kept = [(score, label) for score, label in pairs if score is not None]
        rows.append(
            dimension_agreement(
                dimension,
                [score for score, _ in kept],
                [label for _, label in kept],
                errors=len(pairs) - len(kept),
                resamples=resamples,
                seed=seed,
            )
        )
    return tuple(rows)
