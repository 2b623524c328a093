"""Bias probes: does a judge's score move when only the order or the length of the content changes,
or when the conversation was written by the judge's own model?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from pressure_sense.analysis import MIN_UNITS, cluster_bootstrap, of_totals
from pressure_sense.judge import Judgement
from pressure_sense.judge_quality._agreement import Estimate, cluster_bootstrap_ci
from pressure_sense.judge_quality._check import CheckResult, ConversationJudge, judge_items
from pressure_sense.judge_quality._labelled import LabelledConversation

NEUTRAL_FILLER: tuple[str, ...] = (
    "This reply is written in plain language.",
    "The points above follow the order of the message they answer.",
    "Nothing in this paragraph adds to or changes what was said above.",
    "The same wording could be used in any conversation of this kind.",
    "This sentence only makes the reply longer.",
    "No further information follows in this paragraph.",
)
"""Sentences that say nothing about the conversation, used to lengthen answers for the length probe."""


def reorder_turns(item: LabelledConversation) -> LabelledConversation:
    """The same exchanges in reverse order (each user message still paired with its answer), renumbered."""
    turns = tuple(turn.model_copy(update={"index": index}) for index, turn in enumerate(reversed(item.turns)))
    return replace(item, turns=turns)


def pad_answers(item: LabelledConversation, min_added_chars: int = 200) -> LabelledConversation:
    """Every visible answer followed by neutral filler at least as long as the answer (and `min_added_chars`)."""
    turns = []
    for turn in item.turns:
        target = max(min_added_chars, len(turn.output))
        filler: list[str] = []
        while sum(len(sentence) + 1 for sentence in filler) < target:
            filler.append(NEUTRAL_FILLER[len(filler) % len(NEUTRAL_FILLER)])
        output = f"{turn.output}\n\n{' '.join(filler)}"
        raw = output
        if turn.reasoning is not None:
            raw = f"<reasoning>{turn.reasoning}</reasoning>\n<output>{output}</output>"
        turns.append(turn.model_copy(update={"output": output, "raw": raw}))
    return replace(item, turns=tuple(turns))


@dataclass(frozen=True)
class BiasEffect:
    """How a probe moves one dimension's scores: mean shift (probe minus original) with CI and effect size."""

    probe: str
    dimension: str
    n: int
    shift: Estimate
    effect_size: float
    """Paired probes: Cohen's d_z (mean shift / SD of shifts). Self-preference: Cohen's d (pooled SD)."""


def _mean(x: np.ndarray, _: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else float("nan")


def paired_effects(probe: str, original: Sequence[Judgement], probed: Sequence[Judgement], *, seed: int = 0) -> list[BiasEffect]:
    """Per-dimension shift between judgements of the same items before and after a probe."""
    effects = []
    for dimension in dict.fromkeys(name for judgement in original for name in judgement.scores):
        shifts = [
            after.scores[dimension].score - before.scores[dimension].score
            for before, after in zip(original, probed, strict=True)
            if dimension in before.scores and dimension in after.scores
        ]
        values = np.asarray(shifts, dtype=float)
        mean = float(values.mean()) if len(values) else float("nan")
        spread = float(values.std(ddof=1)) if len(values) > 1 else float("nan")
        size = 0.0 if spread == 0.0 and mean == 0.0 else (mean / spread if spread and not np.isnan(spread) else float("nan"))
        effects.append(
            BiasEffect(probe, dimension, len(values), Estimate(mean, *cluster_bootstrap_ci(_mean, values, values, seed=seed)), size)
        )
    return effects


async def position_probe(
    items: Sequence[LabelledConversation], judge: ConversationJudge, original: Sequence[Judgement], *, concurrency: int = 4
) -> list[BiasEffect]:
    """Judge the items with their turns reversed and compare with the original judgements."""
    probed = await judge_items([reorder_turns(item) for item in items], judge, concurrency=concurrency)
    return paired_effects("position", original, probed)


async def length_probe(
    items: Sequence[LabelledConversation], judge: ConversationJudge, original: Sequence[Judgement], *, concurrency: int = 4
) -> list[BiasEffect]:
    """Judge the items with every answer padded by neutral filler and compare with the original judgements."""
    probed = await judge_items([pad_answers(item) for item in items], judge, concurrency=concurrency)
    return paired_effects("length", original, probed)


def model_key(name: str) -> str:
    """A model name reduced for matching: no provider prefix, lowercase letters and digits only."""
    return re.sub(r"[^a-z0-9.]", "", name.rsplit("/", 1)[-1].lower())


def _own_minus_others(totals: np.ndarray) -> np.ndarray:
    """Totals [..., (own sum, own count, others' sum, others' count)] -> [..., 1] mean difference."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals[..., 0:1] / totals[..., 1:2] - totals[..., 2:3] / totals[..., 3:4]


def _shift_interval(residuals: np.ndarray, own: np.ndarray, clusters: Sequence[str], resamples: int, seed: int) -> tuple[float, float]:
    """Percentile interval of own-model minus other models' mean residual, drawing whole conversations
    within each side (the cluster bootstrap's strata); (NaN, NaN) unless each side has two or more."""
    codes = np.unique(np.asarray(clusters), return_inverse=True)[1].reshape(-1)
    own_cluster = np.bincount(codes, weights=own) > 0
    if min(own_cluster.sum(), (~own_cluster).sum()) < MIN_UNITS:
        return (float("nan"), float("nan"))
    parts = (residuals * own, own, residuals * (1.0 - own), 1.0 - own)
    stats = np.column_stack([np.bincount(codes, weights=part) for part in parts])
    interval = cluster_bootstrap(
        np.zeros(len(stats), dtype=np.int64), of_totals(stats, _own_minus_others),
        strata=own_cluster.astype(np.int64), n_boot=resamples, seed=seed, expanded=False,
    )  # fmt: skip
    return (float(interval.low[0, 0]), float(interval.high[0, 0]))


def self_preference(result: CheckResult, own_model: str | None = None, *, seed: int = 0, resamples: int = 2000) -> list[BiasEffect]:
    """Per dimension: mean (score - label) on conversations by `own_model` (default: the judge's) minus that on
    other models' conversations, with a percentile interval resampling conversations within each side; raises
    ValueError when either side has no conversation."""
    own = model_key(own_model or result.judge)
    labelled = [item for item in result.items if item.model]
    if not any(model_key(item.model or "") == own for item in labelled):
        known = sorted({item.model for item in labelled if item.model})
        raise ValueError(
            f"no conversation in {result.set_name} was written by the judge's model {own!r} "
            f"(models in the set: {', '.join(known) or 'none recorded'}); pass --self-model to name it"
        )
    effects = []
    for dimension in result.dimensions:
        residuals, mine, clusters = [], [], []
        for item, judgement in zip(result.items, result.judgements, strict=True):
            if not item.model or dimension not in judgement.scores:
                continue
            residuals.append(judgement.scores[dimension].score - item.labels[dimension])
            mine.append(model_key(item.model) == own)
            clusters.append(item.cluster or item.id)
        if all(mine):
            raise ValueError(f"every conversation in {result.set_name} is by {own!r}; self-preference needs others to compare")
        values, is_own = np.asarray(residuals, dtype=float), np.asarray(mine, dtype=bool)
        a, b = values[is_own], values[~is_own]
        if len(a) == 0:
            effects.append(BiasEffect("self-preference", dimension, 0, Estimate(float("nan"), float("nan"), float("nan")), float("nan")))
            continue
        shift = float(a.mean() - b.mean())
        low, high = _shift_interval(values, is_own.astype(float), clusters, resamples, seed)
        pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)) if len(a) > 1 and len(b) > 1 else float("nan")
        size = 0.0 if pooled == 0.0 and shift == 0.0 else (shift / pooled if pooled else float("nan"))
        effects.append(BiasEffect("self-preference", dimension, len(a) + len(b), Estimate(shift, low, high), float(size)))
    return effects
