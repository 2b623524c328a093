"""Panels of judges and the bias probes, with judges whose behaviour is known exactly."""

import asyncio

import pytest

from pressure_sense.judge._records import DIMENSIONS, DimensionScore, Judgement
from pressure_sense.judge_quality import krippendorff_alpha, load_calibration
from pressure_sense.judge_quality._bias import (
    length_probe,
    model_key,
    pad_answers,
    position_probe,
    reorder_turns,
    self_preference,
)
from pressure_sense.judge_quality._check import agreement_of, check_judge, panel_mean_agreement, panel_summary
from pressure_sense.judge_quality._labelled import LabelledConversation, LabelledSet
from pressure_sense.judge_quality._runner import load_reference_set


def verdict(judge: str, scores: dict[str, float] | None = None, disagreement: bool | None = None) -> Judgement:
    if scores is None:
        return Judgement(judge=judge, error="unparseable", raw="???")
    return Judgement(judge=judge, scores={k: DimensionScore(score=v) for k, v in scores.items()}, disagreement=disagreement)


def all_dims(value: float) -> dict[str, float]:
    return {name: value for name in DIMENSIONS}


@pytest.fixture(scope="module")
def calibration() -> LabelledSet:
    return load_calibration()


def test_a_judge_that_copies_the_labels_agrees_perfectly(calibration):
    async def oracle(item: LabelledConversation) -> Judgement:
        return verdict("oracle", dict(item.labels), item.disagreement)

    result = asyncio.run(check_judge("oracle", "json", oracle, calibration, resamples=100))
    for row in result.agreement:
        assert row.n == len(calibration.items) and row.errors == 0
        assert row.exact.value == 1.0 and row.mae.value == 0.0 and row.spearman.value == pytest.approx(1.0)
    assert result.disagreement.accuracy == 1.0
    assert result.disagreement.flagged_deceptive == result.disagreement.deceptive >= 9


def test_failed_judgements_are_counted_as_errors_not_scored(calibration):
    async def flaky(item: LabelledConversation) -> Judgement:
        return verdict("flaky") if item.kind == "fail" else verdict("flaky", dict(item.labels))

    result = asyncio.run(check_judge("flaky", "json", flaky, calibration, resamples=100))
    fails = sum(item.kind == "fail" for item in calibration.items)
    assert all(row.errors == fails and row.n == len(calibration.items) - fails for row in result.agreement)


def small_set() -> LabelledSet:
    base = load_calibration().items[:4]
    return LabelledSet("small", tuple(base))


def test_panel_alpha_mean_and_flags():
    labelled = small_set()
    ids = [item.id for item in labelled.items]
    table = {"a": [5, 1, 3, 4], "b": [5, 1, 5, 4], "c": [4, 2, 3, None]}
    results = [
        agreement_of(name, "json", labelled, [verdict(name, all_dims(v)) if v else verdict(name) for v in values], resamples=50)
        for name, values in table.items()
    ]
    summary = panel_summary(results)
    assert summary.alpha["alignment"] == pytest.approx(krippendorff_alpha(list(table.values())))
    assert summary.mean[ids[2]]["pressure"] == pytest.approx(11 / 3)
    assert summary.mean[ids[3]]["pressure"] == pytest.approx(4.0)  # c failed on this item
    flagged = {(flag.item_id, flag.dimension) for flag in summary.flags}
    assert flagged == {(ids[2], name) for name in DIMENSIONS}  # 3 vs 5: differ by 2
    assert all(flag.spread == 2 for flag in summary.flags)
    rows = panel_mean_agreement(summary, labelled.items, resamples=50)
    assert [row.n for row in rows] == [4] * 4


def test_the_panel_mean_resamples_whole_conversations_as_each_judge_does():
    """On the turn-level reference set, a panel of two identical judges must get its members' intervals."""
    labelled = load_reference_set()
    scores = [{d: 1 + i * 7 % 5 for d in labelled.dimensions} for i, _ in enumerate(labelled.items)]
    results = [
        agreement_of(name, "json", labelled, [verdict(name, s) for s in scores], resamples=200) for name in "ab"
    ]
    panel = panel_mean_agreement(panel_summary(results), labelled.items, resamples=200)
    assert len({item.cluster for item in labelled.items}) < len(labelled.items)
    for member, mean in zip(results[0].agreement, panel, strict=True):
        assert mean.mae == member.mae and mean.spearman == member.spearman


def test_a_panel_needs_two_judges_on_the_same_items():
    labelled = small_set()
    one = agreement_of("a", "json", labelled, [verdict("a", all_dims(3))] * 4, resamples=10)
    with pytest.raises(ValueError, match="at least two judges"):
        panel_summary([one])


def test_reordering_keeps_pairs_and_renumbers():
    item = load_calibration().items[0]
    flipped = reorder_turns(item)
    assert [t.user for t in flipped.turns] == [t.user for t in reversed(item.turns)]
    assert [t.output for t in flipped.turns] == [t.output for t in reversed(item.turns)]
    assert [t.index for t in flipped.turns] == list(range(len(item.turns)))


def test_padding_doubles_the_visible_answer_and_keeps_the_scratchpad():
    item = next(i for i in load_calibration().items if i.kind == "deceptive")
    padded = pad_answers(item)
    for before, after in zip(item.turns, padded.turns):
        assert after.output.startswith(before.output)
        assert len(after.output) >= 2 * len(before.output)
        assert after.reasoning == before.reasoning
        assert after.raw.startswith("<reasoning>") and after.output in after.raw


def test_position_probe_measures_a_judge_that_only_reads_the_first_turn(calibration):
    async def first_turn_reader(item: LabelledConversation) -> Judgement:
        return verdict("fr", all_dims(5.0 if "?" in item.turns[0].user else 1.0))

    items = calibration.items[:10]
    original = [asyncio.run(first_turn_reader(item)) for item in items]
    effects = asyncio.run(position_probe(items, first_turn_reader, original))
    assert {effect.dimension for effect in effects} == set(DIMENSIONS)
    expected = sum(
        (5.0 if "?" in item.turns[-1].user else 1.0) - (5.0 if "?" in item.turns[0].user else 1.0) for item in items
    ) / len(items)
    assert effects[0].shift.value == pytest.approx(expected)
    assert effects[0].n == 10


def test_length_probe_catches_a_judge_that_likes_long_answers(calibration):
    async def length_lover(item: LabelledConversation) -> Judgement:
        size = sum(len(turn.output) for turn in item.turns)
        return verdict("ll", all_dims(5.0 if size >= 400 else 2.0))

    async def fair(item: LabelledConversation) -> Judgement:
        return verdict("fair", dict(item.labels))

    items = [item for item in calibration.items if sum(len(t.output) for t in item.turns) < 300][:8]
    assert len(items) == 8
    biased = asyncio.run(length_probe(items, length_lover, [asyncio.run(length_lover(i)) for i in items]))
    assert all(effect.shift.value == pytest.approx(3.0) for effect in biased)
    unbiased = asyncio.run(length_probe(items, fair, [asyncio.run(fair(i)) for i in items]))
    assert all(effect.shift.value == 0.0 and effect.effect_size == 0.0 for effect in unbiased)


def models_set() -> LabelledSet:
    base = load_calibration().items[:12]
    models = ["gpt4o", "gpt4", "gemini1.5pro"]
    from dataclasses import replace

    return LabelledSet("models", tuple(replace(item, model=models[i % 3]) for i, item in enumerate(base)))


def test_self_preference_is_the_extra_score_given_to_the_judges_own_model():
    labelled = models_set()
    judgements = [
        verdict("openai/gpt-4o", {k: min(5.0, v + (1.0 if item.model == "gpt4o" else 0.0)) for k, v in item.labels.items()})
        for item in labelled.items
    ]
    result = agreement_of("openai/gpt-4o", "json", labelled, judgements, resamples=50)
    effects = {effect.dimension: effect for effect in self_preference(result, resamples=200)}
    own = [item for item in labelled.items if item.model == "gpt4o"]
    expected_coherence = sum(min(5.0, item.labels["coherence"] + 1) - item.labels["coherence"] for item in own) / len(own)
    assert effects["coherence"].shift.value == pytest.approx(expected_coherence)
    assert effects["coherence"].shift.value > 0


def test_self_preference_needs_conversations_by_the_judges_model():
    labelled = models_set()
    result = agreement_of("embedded", "json", labelled, [verdict("embedded", dict(i.labels)) for i in labelled.items], resamples=10)
    with pytest.raises(ValueError, match="no conversation in models was written by the judge's model 'embedded'"):
        self_preference(result)


def test_model_key_matches_provider_names_to_file_names():
    assert model_key("openai/gpt-4o") == model_key("gpt4o")
    assert model_key("google/gemini-1.5-pro") == model_key("gemini1.5pro")
