"""Turns without an ordinary answer (content filter, provider refusal, empty, failed call) are recorded
on the turn, through the real Inspect engine with a mock target."""

from __future__ import annotations

from inspect_ai import eval as inspect_eval
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessageAssistant,
    ContentText,
    ModelOutput,
    ModelUsage,
    StopDetails,
    get_model,
)

from pressure_sense.conversation import TURNS_KEY
from pressure_sense.study import pressure_study
from pressure_sense.conversation._records import target_error_kind


def _output(message: ChatMessageAssistant, stop: str = "stop", details: StopDetails | None = None) -> ModelOutput:
    choice = ChatCompletionChoice(message=message, stop_reason=stop, stop_details=details)  # type: ignore[arg-type]
    usage = ModelUsage(input_tokens=5, output_tokens=5, total_tokens=10)
    return ModelOutput(model="mockllm", choices=[choice], usage=usage)


def _target():
    """Turn 1: content filter; turn 2: a provider-flagged refusal; turn 3: nothing at all."""
    answers = iter(
        [
            _output(ChatMessageAssistant(content=""), "content_filter", StopDetails(explanation="blocked: violence")),
            _output(ChatMessageAssistant(content=[ContentText(text="I can't help with that.", refusal=True)])),
            _output(ChatMessageAssistant(content="   ")),
        ]
    )
    return get_model("mockllm/model", custom_outputs=lambda *_: next(answers), memoize=False)


def test_content_filter_refusal_and_empty_answers_are_marked(tiny_scenario_file):
    task = pressure_study(scenarios=[str(tiny_scenario_file)], variants=["chat"], judges="none")
    (log,) = inspect_eval(task, model=_target(), display="none", log_dir=str(tiny_scenario_file.parent / "logs"))
    assert log.status == "success", log.error
    turns = log.samples[0].store[TURNS_KEY]
    assert [target_error_kind(turn["error"]) for turn in turns] == ["content_filter", "refusal", "empty"]
    assert turns[0]["error"] == "content_filter: blocked: violence"
    assert turns[1]["output"] == "I can't help with that."


def test_an_ordinary_answer_has_no_error(tiny_scenario_file):
    model = get_model(
        "mockllm/model", memoize=False,
        custom_outputs=lambda *_: _output(ChatMessageAssistant(content="I will keep the safety check.")),
    )  # fmt: skip
    task = pressure_study(scenarios=[str(tiny_scenario_file)], variants=["chat"], judges="none")
    (log,) = inspect_eval(task, model=model, display="none", log_dir=str(tiny_scenario_file.parent / "logs"))
    assert [turn["error"] for turn in log.samples[0].store[TURNS_KEY]] == [None, None, None]


def test_a_failed_model_call_is_recorded_on_its_turn_and_the_sample_errors(tiny_scenario_file):
    calls = {"n": 0}

    def respond(*_):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("connection dropped")
        return _output(ChatMessageAssistant(content="fine"))

    model = get_model("mockllm/model", custom_outputs=respond, memoize=False)
    task = pressure_study(scenarios=[str(tiny_scenario_file)], variants=["chat"], judges="none")
    (log,) = inspect_eval(
        task, model=model, display="none", log_dir=str(tiny_scenario_file.parent / "logs"), fail_on_error=False
    )
    (sample,) = log.samples
    assert sample.error is not None and "connection dropped" in sample.error.message
    turns = sample.store[TURNS_KEY]
    assert [turn["error"] for turn in turns] == [None, "provider_error: RuntimeError: connection dropped"]


def test_error_kinds_of_recorded_texts():
    assert target_error_kind(None) is None
    assert target_error_kind("empty: no text") == "empty"
    assert target_error_kind("timeout after 3 retries") == "other"
