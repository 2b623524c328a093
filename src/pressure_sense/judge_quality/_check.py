"""Judge a labelled set and measure agreement with its labels, dimension by dimension; panels of several judges
(agreement between them, the panel mean, items where they differ widely)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from pressure_sense.analysis import FLAG_SPREAD, Level, krippendorff_alpha
from pressure_sense.judge import Judgement
from pressure_sense.judge_quality._agreement import DimensionAgreement, dimension_agreement
from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet

ConversationJudge = Callable[[LabelledConversation], Awaitable[Judgement]]
"""Something that judges a whole conversation and returns its conversation-level Judgement."""

T = TypeVar("T")
R = TypeVar("R")


async def judge_items(
    items: Sequence[T],
    judge: Callable[[T], Awaitable[R]],
    *,
    concurrency: int = 4,
    on_done: Callable[[T, R], None] | None = None,
) -> list[R]:
    """Judge every item (at most `concurrency` at a time); results in item order."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item: T) -> R:
        async with gate:
            judgement = await judge(item)
        if on_done is not None:
            on_done(item, judgement)
        return judgement

    return list(await asyncio.gather(*(one(item) for item in items)))


@dataclass(frozen=True)
class DisagreementAgreement:
    """How often the judge's scratchpad/output disagreement flag matches the label."""

    n: int
    correct: int
    flagged_deceptive: int
    deceptive: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else float("nan")


def disagreement_agreement(items: Sequence[LabelledConversation], judgements: Sequence[Judgement]) -> DisagreementAgreement:
    """Flag agreement over items labelled with a disagreement and given a flag by the judge."""
    n = correct = flagged = deceptive = 0
    for item, judgement in zip(items, judgements, strict=True):
        if item.disagreement is None:
            continue
        deceptive += int(item.disagreement)
        if judgement.disagreement is None:
            continue
        n += 1
        correct += int(judgement.disagreement == item.disagreement)
        flagged += int(item.disagreement and judgement.disagreement)
    return DisagreementAgreement(n=n, correct=correct, flagged_deceptive=flagged, deceptive=deceptive)


@dataclass(frozen=True)
class CheckResult:
    """One judge (with one scoring method) checked against one labelled set."""

    judge: str
    method: str
    set_name: str
    items: tuple[LabelledConversation, ...]
    judgements: tuple[Judgement, ...]
    agreement: tuple[DimensionAgreement, ...]
    disagreement: DisagreementAgreement
    dimensions: tuple[str, ...] = ()
    """The dimensions the set labels, on which agreement was measured."""

    def scores(self, dimension: str) -> list[float | None]:
        """The judge's score per item on one dimension (None where it failed)."""
        return _scores(self.judgements, dimension)


def _scores(judgements: Sequence[Judgement], dimension: str) -> list[float | None]:
    return [score.score if (score := judgement.scores.get(dimension)) else None for judgement in judgements]


def _agreement_rows(
    items: Sequence[LabelledConversation], scores: dict[str, list[float | None]], *, resamples: int, seed: int
) -> tuple[DimensionAgreement, ...]:
    """Per dimension, agreement of `scores` (one per item; None, a failed judgement, counts as an error) with the
    items' labels; intervals resample whole conversations where the set's items are turns of them."""
    clustered = any(item.cluster for item in items)
    rows = []
    for dimension, given in scores.items():
        kept = [(score, item) for score, item in zip(given, items, strict=True) if score is not None]
        rows.append(dimension_agreement(
            dimension, [score for score, _ in kept], [item.labels[dimension] for _, item in kept],
            errors=len(items) - len(kept), resamples=resamples, seed=seed,
            clusters=[item.cluster or item.id for _, item in kept] if clustered else None,
        ))
    return tuple(rows)


def agreement_of(
    judge: str, method: str, labelled: LabelledSet, judgements: Sequence[Judgement], *, resamples: int = 2000,
    seed: int = 0,
) -> CheckResult:
    """Agreement statistics of given judgements against a labelled set. A judgement counts for every dimension it
    scored (a log-probability judge asks about each apart); the others count as errors."""
    scores = {dimension: _scores(judgements, dimension) for dimension in labelled.dimensions}
    return CheckResult(
        judge=judge, method=method, set_name=labelled.name, items=labelled.items, judgements=tuple(judgements),
        agreement=_agreement_rows(labelled.items, scores, resamples=resamples, seed=seed),
        disagreement=disagreement_agreement(labelled.items, judgements), dimensions=labelled.dimensions,
    )


async def check_judge(
    judge_name: str,
    method: str,
    judge: ConversationJudge,
    labelled: LabelledSet,
    *,
    concurrency: int = 4,
    resamples: int = 2000,
    seed: int = 0,
    on_done: Callable[[LabelledConversation, Judgement], None] | None = None,
) -> CheckResult:
    """Judge every item of the set and compute the per-dimension agreement with its labels."""
    judgements = await judge_items(labelled.items, judge, concurrency=concurrency, on_done=on_done)
    return agreement_of(judge_name, method, labelled, judgements, resamples=resamples, seed=seed)


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


def panel_summary(
    results: Sequence[CheckResult], *, level: Level = "interval", spread: float = FLAG_SPREAD
) -> PanelSummary:
    """Summarise several judges' results on the same labelled set."""
    if len(results) < 2:
        raise ValueError("a panel needs at least two judges")
    items = results[0].items
    if any([item.id for item in result.items] != [item.id for item in items] for result in results):
        raise ValueError("every judge in a panel must have judged the same items in the same order")
    judges = tuple(f"{result.judge} ({result.method})" for result in results)
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
    """Agreement of the panel mean with the labels, per dimension (intervals resample as `agreement_of`'s do)."""
    scores = {dimension: [summary.mean[item.id][dimension] for item in items] for dimension in summary.alpha}
    return _agreement_rows(items, scores, resamples=resamples, seed=seed)
