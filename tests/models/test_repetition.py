"""Repetition control (penalties, n-gram bans, the sentence stop) and the degenerate-answer measure."""

from __future__ import annotations

import pytest
import torch

from pressure_sense.models import EmbeddedModelError, RepetitionControl, degeneration
from pressure_sense.models._embedded_provider import DEFAULT_REPETITION, _repetition_from_args
from pressure_sense.models._repetition import RepetitionTracker, repeated_sentence_cut, sentence_spans

LOOP = "I'm so glad you're here. " * 6


def test_a_looping_answer_is_degenerate_and_a_plain_one_is_not() -> None:
    assert degeneration(LOOP) == "a sentence occurs 6 times"
    assert degeneration("Paris is the capital of France. It lies on the Seine.") is None
    long_run = "we will keep trying to find the answer for you " * 3
    assert degeneration(long_run.replace(" for you", ",")) is not None  # a word run, no sentence ends
    twice = "I can help with that today. I can help with that today."
    assert degeneration(twice) is None
    assert degeneration(twice, hit_token_limit=True) == "hit the token limit while repeating"


def test_short_sentences_may_recur() -> None:
    assert degeneration("Yes. Yes. Yes. No. No. No.") is None
    assert repeated_sentence_cut("Thank you. Thank you. Thank you. Thank you.", 2) is None


def test_sentence_cut_points_at_the_extra_occurrence_and_ignores_the_unfinished_tail() -> None:
    text = "I am so glad. We can talk. I am so glad. Sure thing. I am so glad. More"
    cut = repeated_sentence_cut(text, 2)
    assert cut is not None and text[cut:] == "I am so glad. More"
    assert repeated_sentence_cut("I am so glad. I am so glad. I am so glad", 2) is None
    assert repeated_sentence_cut("I am so glad. I am so glad. I am so glad", 1) == len("I am so glad. ")
    assert repeated_sentence_cut(text, 0) is None
    assert [start for start, _ in sentence_spans("One two three.\nFour five six!  Seven")] == [0, 15, 31]


def test_no_penalty_before_the_first_token() -> None:
    tracker = RepetitionTracker(DEFAULT_REPETITION)
    logits = torch.randn(50)
    assert tracker.adjust(logits) is logits


def test_a_token_that_would_repeat_an_ngram_is_banned() -> None:
    tracker = RepetitionTracker(RepetitionControl(no_repeat_ngram_size=3))
    for token in [5, 6, 7, 1, 5, 6]:
        tracker.add(token)
    assert tracker.banned() == {7}
    adjusted = tracker.adjust(torch.zeros(10))
    assert adjusted[7] == float("-inf")
    assert torch.isfinite(adjusted[[0, 1, 2, 3, 4, 5, 6, 8, 9]]).all()


def test_penalties_follow_their_published_meanings() -> None:
    logits = torch.tensor([2.0, -2.0, 1.0, 0.5])
    tracker = RepetitionTracker(RepetitionControl(repetition_penalty=2.0))
    for token in [0, 1]:
        tracker.add(token)
    assert tracker.adjust(logits).tolist() == [1.0, -4.0, 1.0, 0.5]
    tracker = RepetitionTracker(RepetitionControl(frequency_penalty=0.5, presence_penalty=0.25))
    for token in [0, 0, 2]:
        tracker.add(token)
    assert tracker.adjust(logits).tolist() == pytest.approx([2.0 - 1.0 - 0.25, -2.0, 1.0 - 0.5 - 0.25, 0.5])
    assert logits.tolist() == [2.0, -2.0, 1.0, 0.5]  # the model's own logits are left as they were


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="repetition_penalty"):
        RepetitionControl(repetition_penalty=0)
    with pytest.raises(ValueError, match="no_repeat_ngram_size"):
        RepetitionControl(no_repeat_ngram_size=-1)


def test_model_args_override_the_default_and_bad_values_name_the_model() -> None:
    assert _repetition_from_args({}) == DEFAULT_REPETITION
    off = _repetition_from_args({"repetition_penalty": "1", "no_repeat_ngram_size": 0, "max_sentence_repeats": 0})
    assert off == RepetitionControl()
    with pytest.raises(EmbeddedModelError, match="embedded/smollm2-135m-instruct"):
        _repetition_from_args({"no_repeat_ngram_size": "many"})
    with pytest.raises(EmbeddedModelError, match="repetition_penalty"):
        _repetition_from_args({"repetition_penalty": -1})
