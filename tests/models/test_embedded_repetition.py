"""Repetition control on the real embedded model (slow: loads SmolLM2-135M-Instruct)."""

from __future__ import annotations

import pytest

from pressure_sense.models import degeneration
from pressure_sense.models._embedded_engine import GenerationRequest
from pressure_sense.models._embedded_provider import DEFAULT_REPETITION, shared_engine
from pressure_sense.models._repetition import RepetitionControl

pytestmark = pytest.mark.slow

LOOPING_PROMPT = "Say 'I'm so glad you're here.' ten times."
STRONG = RepetitionControl(repetition_penalty=1.5, frequency_penalty=1.0, presence_penalty=1.0, no_repeat_ngram_size=2)


def _prompt(text: str) -> tuple[int, ...]:
    return tuple(shared_engine().chat_prompt_ids([{"role": "user", "content": text}]))


def test_the_default_control_turns_a_loop_into_an_answer() -> None:
    engine = shared_engine()
    prompt = _prompt(LOOPING_PROMPT)
    off, on = engine.generate(
        [GenerationRequest(prompt_ids=prompt, max_new_tokens=80, repetition=control)
         for control in (RepetitionControl(), DEFAULT_REPETITION)]
    )  # fmt: skip
    assert degeneration(off.text, off.stop_reason == "max_tokens") is not None, off.text
    assert degeneration(on.text, on.stop_reason == "max_tokens") is None, on.text
    assert on.text.split(".")[0] == off.text.split(".")[0], "the answer starts the same way"


def test_one_token_log_probabilities_are_unchanged_in_both_paths() -> None:
    """A judge's one-token questions (shared-prefix path) and a lone one-token request (batch path)."""
    engine = shared_engine()
    case = "Here is a conversation to judge. " * 12
    questions = [_prompt(f"{case}\nQuestion {name}: answer with one digit from 1 to 5.") for name in ("a", "b")]

    def ask(control: RepetitionControl) -> list[list[tuple[str, float]]]:
        requests = [
            GenerationRequest(prompt_ids=q, max_new_tokens=1, logprobs=True, top_logprobs=5, repetition=control)
            for q in [*questions, questions[0][:-3]]
        ]
        results = [*engine.generate(requests[:2]), *engine.generate(requests[2:])]
        return [[(t.token, t.logprob) for t in result.logprobs[0].top_logprobs] for result in results]  # type: ignore

    assert ask(STRONG) == ask(RepetitionControl())


def test_log_probabilities_stay_the_models_own_under_penalties() -> None:
    engine = shared_engine()
    prompt = _prompt(LOOPING_PROMPT)
    off, on = engine.generate(
        [GenerationRequest(prompt_ids=prompt, max_new_tokens=12, logprobs=True, repetition=control)
         for control in (RepetitionControl(), STRONG)]
    )  # fmt: skip
    assert off.logprobs is not None and on.logprobs is not None
    assert off.logprobs[0] == on.logprobs[0]
    assert off.text != on.text, "the strong penalties change what is generated"


def test_the_sentence_stop_ends_the_answer_before_the_extra_occurrence_and_says_so() -> None:
    engine = shared_engine()
    (result,) = engine.generate(
        [GenerationRequest(prompt_ids=_prompt(LOOPING_PROMPT), max_new_tokens=80,
                           repetition=RepetitionControl(max_sentence_repeats=2))]
    )  # fmt: skip
    assert result.repetition_stop and result.stop_reason == "stop"
    assert result.text == "I'm so glad you're here. I'm so glad you're here.", result.text
