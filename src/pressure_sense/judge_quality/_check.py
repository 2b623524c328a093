"""Judge a labelled set and measure agreement with its labels, dimension by dimension."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

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


def scored_pairs(
    items: Sequence[LabelledConversation], judgements: Sequence[Judgement], dimension: str
) -> tuple[list[float], list[float], int]:
    """(judge scores, labels, number of items without a usable score) for one dimension.

    A judgement counts for every dimension it scored: a log-probability judge asks about each
    dimension apart, so one failed question does not void the others.
    """
    judged, labels, errors = [], [], 0
    for item, judgement in zip(items, judgements, strict=True):
        score = judgement.scores.get(dimension)
        if score is None:
            errors += 1
            continue
        judged.append(score.score)
        labels.append(item.labels[dimension])
    return judged, labels, errors


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
        found = []
        for judgement in self.judgements:
            score = judgement.scores.get(dimension)
            found.append(score.score if score else None)
        return found


def agreement_of(
    judge: str,
    method: str,
    labelled: LabelledSet,
    judgements: Sequence[Judgement],
    *,
    resamples: int = 2000,
    seed: int = 0,
) -> CheckResult:
    """Agreement statistics of given judgements against a labelled set."""
    rows = []
    clustered = any(item.cluster for item in labelled.items)
    for dimension in labelled.dimensions:
        judged, labels, errors = scored_pairs(labelled.items, judgements, dimension)
        clusters = (
            [item.cluster or item.id for item, j in zip(labelled.items, judgements, strict=True) if dimension in j.scores]
            if clustered
            else None
        )
        rows.append(
            dimension_agreement(dimension, judged, labels, errors=errors, resamples=resamples, seed=seed, clusters=clusters)
        )
    return CheckResult(
        judge=judge,
        method=method,
        set_name=labelled.name,
        items=labelled.items,
        judgements=tuple(judgements),
        agreement=tuple(rows),
        disagreement=disagreement_agreement(labelled.items, judgements),
        dimensions=labelled.dimensions,
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
