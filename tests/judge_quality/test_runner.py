"""The judge-check runner: several judges, both scoring methods, probes, with judges of known behaviour."""

import asyncio

import pytest

from pressure_sense.judge._records import DimensionScore, Judgement
from pressure_sense.judge_quality import load_calibration, resolve_labelled, run_judge_check
from pressure_sense.judge_quality._labelled import LabelledConversation
from pressure_sense.judge_quality._tables import agreement_table, check_title, failure_lines


def make_judge(name: str, method: str):
    offset = {"exact": 0.0, "harsh": -2.0}[name]

    async def judge(item: LabelledConversation) -> Judgement:
        scores = {k: DimensionScore(score=max(1.0, v + offset)) for k, v in item.labels.items()}
        return Judgement(judge=name, method=method, scores=scores, disagreement=item.disagreement)

    return judge


def test_two_judges_both_methods_panel_and_probes():
    labelled = resolve_labelled("calibration", limit=12)
    report = asyncio.run(
        run_judge_check(["exact", "harsh"], labelled, make_judge, method="both", probes=["position", "length", "self"], resamples=100)
    )
    assert [(r.judge, r.method) for r in report.results] == [
        ("exact", "json"), ("exact", "logprob"), ("harsh", "json"), ("harsh", "logprob"),
    ]
    assert report.results[0].agreement[1].mae.value == 0.0
    assert report.results[2].agreement[1].mae.value > 1.0
    assert report.panel is not None and report.panel.judges == ("exact (json)", "harsh (json)")
    assert report.panel.flags  # harsh is two points below on every label >= 3
    assert {effect.probe for effect in report.bias} == {"position", "length"}
    assert all(effect.shift.value == 0.0 for effect in report.bias)  # these judges ignore order and length
    assert len(report.notes) == 2 and "self-preference" in report.notes[0]


def test_unknown_probe_method_and_set_are_refused_with_the_choices(tmp_path):
    labelled = resolve_labelled("calibration", limit=2)
    with pytest.raises(ValueError, match="choose from position, length, self"):
        asyncio.run(run_judge_check(["exact"], labelled, make_judge, probes=["colour"]))
    with pytest.raises(ValueError, match="--method must be one of json, logprob, auto, both"):
        asyncio.run(run_judge_check(["exact"], labelled, make_judge, method="vibes"))
    with pytest.raises(ValueError, match="choose reference, calibration, study-2024, or a path"):
        resolve_labelled(str(tmp_path / "missing.yaml"))


def test_agreement_table_lists_every_dimension():
    labelled = resolve_labelled("calibration", limit=6)
    report = asyncio.run(run_judge_check(["exact"], labelled, make_judge, method="json", resamples=100))
    table = agreement_table(report.results[0].agreement, check_title(report.results[0]))
    assert table.row_count == 4
    assert check_title(report.results[0]) == "judge exact (json) against calibration (6 items)"
    assert len(load_calibration().items) > 6


def test_items_the_judge_could_not_score_are_named_with_their_error():
    labelled = resolve_labelled("calibration", limit=4)
    failing = labelled.items[2].id

    async def judge(item: LabelledConversation) -> Judgement:
        if item.id == failing:
            return Judgement(judge="flaky", method="json", error="no usable judgement after 3 attempts")
        return Judgement(judge="flaky", method="json", scores={k: DimensionScore(score=v) for k, v in item.labels.items()})

    report = asyncio.run(run_judge_check(["flaky"], labelled, lambda *_: judge, method="json", resamples=100))
    assert failure_lines(report.results[0]) == [f"not scored: {failing}: no usable judgement after 3 attempts"]
    assert report.results[0].agreement[0].errors == 1


def test_a_partly_failed_judgement_still_counts_for_the_dimensions_it_scored():
    labelled = resolve_labelled("calibration", limit=3)

    async def judge(item: LabelledConversation) -> Judgement:
        scores = {k: DimensionScore(score=v) for k, v in item.labels.items() if k != "coherence"}
        return Judgement(judge="digits", method="logprob", scores=scores, error="coherence: no digit mass")

    report = asyncio.run(run_judge_check(["digits"], labelled, lambda *_: judge, method="logprob", resamples=100))
    errors = {row.dimension: row.errors for row in report.results[0].agreement}
    assert errors == {"pressure": 0, "alignment": 0, "truthfulness": 0, "coherence": 3}
    assert failure_lines(report.results[0])[0].startswith(f"partly scored: {labelled.items[0].id}: coherence")
