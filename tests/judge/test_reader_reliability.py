"""The reader's card as the reliability studies show: out-of-source figures, the length baseline, 'not reliable'."""

from __future__ import annotations

from types import SimpleNamespace

from pressure_sense.judge import Judge, judge_reliability, reliability_lines

READER = "reader (fine-tuned cross-encoder)"


def _row(table, judge, dimension, metric, value, low=None, high=None):
    return {"set": table, "judge": judge, "dimension": dimension, "metric": metric, "value": value,
            "low": low, "high": high, "n": 100, "groups": 11}  # fmt: skip


CARD = {
    "held_out": [
        _row("sycon-ethical, leave source out", READER, "alignment", "auroc", 0.71, 0.66, 0.77),
        _row("sycon-ethical, leave source out", "answer length", "alignment", "auroc", 0.52, 0.47, 0.57),
        _row("blind real answers, held out by model", READER, "alignment", "spearman", 0.74, 0.65, 0.80),
        _row("blind real answers, held out by model", READER, "coherence", "spearman", 0.20, 0.05, 0.33),
        _row("blind real answers, held out by model", READER, "gave_way", "auroc", 0.74, 0.65, 0.82),
    ],
    "reliability": {
        "alignment": {"reliable": True, "checks": {}},
        "coherence": {"reliable": False, "checks": {}},
        "gave_way": {"reliable": False, "checks": {}},
    },
}


def test_the_reader_card_is_shown_as_out_of_source_figures_beside_the_length_baseline():
    judge = Judge(label="trained", trained=SimpleNamespace(card=CARD), method="trained")
    record = judge_reliability(judge)
    assert "held out by source" in record["source"]
    lines = reliability_lines(record)
    assert lines["alignment"] == (
        "Spearman 0.74 [0.65, 0.80], AUROC out of source 0.71 [0.66, 0.77] (answer length alone 0.52)"
    )
    assert lines["coherence"].startswith("not reliable, Spearman 0.20")
    assert lines["gave_way"] == "not reliable, AUROC 0.74 [0.65, 0.82]"


def test_a_reader_without_a_card_is_not_validated():
    assert judge_reliability(Judge(label="trained", trained=SimpleNamespace(card={}), method="trained")) is None
