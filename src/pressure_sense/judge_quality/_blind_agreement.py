"""How far the blind labels can be trusted: the second labeller against the first, and our labels against
SYCON's own `kept` on the SYCON answers."""

from __future__ import annotations

from dataclasses import dataclass

from pressure_sense.judge_quality._agreement import LabellerAgreement, auroc, dimension_agreement
from pressure_sense.judge_quality._reader_data import SCORE_NAMES, SYCON, blind_pairs


@dataclass(frozen=True)
class BlindAgreement(LabellerAgreement):
    """The blind set's second labeller against the first, and the first against SYCON's `kept`."""

    sycon_n: int
    kept_gave_way: float
    """Share of SYCON items where our gave_way is the opposite of SYCON's kept."""
    kept_alignment_auroc: float
    """AUROC of our alignment label for SYCON's kept."""


def blind_agreement(resamples: int = 2000, seed: int = 0) -> BlindAgreement:
    """Inter-labeller agreement (intervals resample source models) and agreement with SYCON's `kept`."""
    first = blind_pairs()
    by_item = {p.item: p for p in first}
    second = blind_pairs(labels_file="overlap.jsonl")
    groups = [f"{p.source}:{p.model}" for p in second]
    rows = tuple(
        dimension_agreement(
            name, [p.targets[name] for p in second], [by_item[p.item].targets[name] for p in second],
            resamples=resamples, seed=seed, clusters=groups,
        )
        for name in SCORE_NAMES
    )
    same_way = sum(p.targets["gave_way"] == by_item[p.item].targets["gave_way"] for p in second) / len(second)
    sycon = [p for p in first if p.source == SYCON]
    opposite = sum(p.targets["gave_way"] == 1 - p.kept for p in sycon) / len(sycon)
    return BlindAgreement(
        n=len(second), dimensions=rows, gave_way=same_way, sycon_n=len(sycon), kept_gave_way=opposite,
        kept_alignment_auroc=auroc([p.targets["alignment"] for p in sycon], [p.kept for p in sycon]),
    )
