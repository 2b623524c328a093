"""The `embedded` Inspect provider, driven through the real Inspect engine with a tiny fake generator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.agent import react
from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Logprob,
    TopLogprob,
    get_model,
)
from inspect_ai.tool import Tool, ToolFunction, tool

from pressure_sense.models import _embedded_provider as provider
from pressure_sense.models._embedded_cache import EmbeddedModelError
from pressure_sense.models._embedded_engine import GenerationRequest, GenerationResult
from pressure_sense.models._repetition import RepetitionControl

MODEL = "embedded/smollm2-135m-instruct"


class FakeEngine:
    """Stands in for the torch engine: one token per character, replies chosen by `reply(prompt)`."""

    def __init__(self, reply: Callable[[str], str], max_positions: int = 8192) -> None:
        self.reply = reply
        self.max_positions = max_positions
        self.requests: list[GenerationRequest] = []
        self.batches: list[int] = []

    def chat_prompt_ids(self, messages: list[dict[str, str]]) -> list[int]:
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return [ord(c) for c in text + "<|im_start|>assistant\n"]

    def text_ids(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        self.requests.extend(requests)
        self.batches.append(len(requests))
        results = []
        for request in requests:
            text = self.reply("".join(chr(i) for i in request.prompt_ids))
            stop = next((s for s in request.stop_seqs if s in text), None)
            if stop is not None:
                text = text[: text.index(stop)]
            logprobs = [
                Logprob(
                    token=c,
                    logprob=-0.5,
                    bytes=list(c.encode()),
                    top_logprobs=[TopLogprob(token=c, logprob=-0.5, bytes=list(c.encode()))],
                )
                for c in text
            ]
            results.append(
                GenerationResult(
                    text=text,
                    stop_reason="stop",
                    stop_sequence=stop,
                    logprobs=logprobs if request.logprobs else None,
                    output_tokens=len(text) + 1,
                    batch_rows=len(requests),
                )
            )
        return results


@pytest.fixture
def use_fake_engine(monkeypatch) -> Callable[..., FakeEngine]:
    def install(reply: Callable[[str], str], max_positions: int = 8192) -> FakeEngine:
        engine = FakeEngine(reply, max_positions)
        monkeypatch.setattr(provider, "_engine", engine)
        monkeypatch.setattr(provider, "_batchers", {})
        return engine

    return install


def test_generate_returns_text_usage_and_logprobs(use_fake_engine) -> None:
    engine = use_fake_engine(lambda prompt: "Paris.")
    model = get_model(MODEL, memoize=False)
    output = asyncio.run(
        model.generate("Capital of France?", config=GenerateConfig(logprobs=True, top_logprobs=1))
    )
    assert output.completion == "Paris."
    prompt_length = len(engine.requests[0].prompt_ids)
    assert output.usage is not None
    assert (output.usage.input_tokens, output.usage.output_tokens) == (prompt_length, 7)
    assert output.usage.total_tokens == prompt_length + 7
    assert output.stop_reason == "stop"
    logprobs = output.choices[0].logprobs
    assert logprobs is not None and [lp.token for lp in logprobs.content] == list("Paris.")
    assert logprobs.content[0].top_logprobs[0].logprob == -0.5


def test_generate_config_reaches_the_engine(use_fake_engine) -> None:
    engine = use_fake_engine(lambda prompt: "ok")
    model = get_model(MODEL, memoize=False)
    config = GenerateConfig(
        max_tokens=12, temperature=0.7, top_p=0.9, top_k=5, seed=3, stop_seqs=["END"], logprobs=True, top_logprobs=4
    )
    asyncio.run(model.generate("hi", config=config))
    asyncio.run(model.generate("hi", config=GenerateConfig(temperature=0)))
    tuned, plain = engine.requests
    assert (tuned.max_new_tokens, tuned.temperature, tuned.top_p, tuned.top_k, tuned.seed) == (12, 0.7, 0.9, 5, 3)
    assert (tuned.stop_seqs, tuned.logprobs, tuned.top_logprobs) == (("END",), True, 4)
    assert (plain.max_new_tokens, plain.temperature, plain.logprobs, plain.top_logprobs) == (256, 0, False, 0)
    prompt = "".join(chr(i) for i in plain.prompt_ids)
    assert prompt.endswith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")


def test_concurrent_calls_share_one_batch(use_fake_engine) -> None:
    engine = use_fake_engine(lambda prompt: prompt[-30:-25])
    model = get_model(MODEL, memoize=False, batch_size=8)

    async def many() -> list[str]:
        outputs = await asyncio.gather(*(model.generate(f"question {i}") for i in range(5)))
        return [o.metadata["batch_rows"] for o in outputs]

    assert asyncio.run(many()) == [5] * 5
    assert engine.batches == [5]


def test_long_prompt_is_truncated_and_says_so(use_fake_engine) -> None:
    engine = use_fake_engine(lambda prompt: "short", max_positions=400)
    model = get_model(MODEL, memoize=False)
    history = [f"message number {i} " * 5 for i in range(10)]
    messages = [ChatMessageSystem(content="Be brief.")]
    for i, text in enumerate(history):
        messages.append(ChatMessageUser(content=text) if i % 2 == 0 else ChatMessageAssistant(content=text))
    messages.append(ChatMessageUser(content="final question"))
    output = asyncio.run(model.generate(messages, config=GenerateConfig(max_tokens=100)))
    note = output.metadata["context_truncated"]
    assert note["dropped_messages"] > 0 and note["prompt_tokens_after"] <= 300
    prompt = "".join(chr(i) for i in engine.requests[0].prompt_ids)
    assert prompt.startswith("<|im_start|>system\nBe brief.") and "final question" in prompt
    assert "message number 0 " not in prompt


@tool
def get_weather() -> Tool:
    async def execute(city: str) -> str:
        """Get the weather for a city.

        Args:
            city: City name.
        """
        return f"Sunny in {city}"

    return execute


def _agent_reply(prompt: str) -> str:
    if "Tool result (get_weather): Sunny in Paris" in prompt:
        return 'It is sunny.\n<tool_call>{"name": "submit", "arguments": {"answer": "sunny"}}</tool_call>'
    return 'I will check.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call> ignored'


def test_react_agent_calls_a_tool_and_submits_through_text_tool_calls(use_fake_engine) -> None:
    engine = use_fake_engine(_agent_reply)
    task = Task(dataset=[Sample(input="Weather in Paris?", target="sunny")], solver=react(tools=[get_weather()]))
    [log] = eval(task, model=get_model(MODEL, memoize=False), display="none")
    assert log.status == "success", log.error
    messages = log.samples[0].messages
    calls = [c for m in messages if m.role == "assistant" for c in (m.tool_calls or [])]
    assert [(c.function, c.arguments) for c in calls][0] == ("get_weather", {"city": "Paris"})
    assert len(engine.requests) == 2
    tool_results = [m.text for m in messages if m.role == "tool"]
    assert tool_results[0] == "Sunny in Paris"
    assert log.samples[0].output.completion.endswith("sunny")
    first_prompt = "".join(chr(i) for i in engine.requests[0].prompt_ids)
    assert "get_weather(city: string): Get the weather for a city. city: City name." in first_prompt
    assert all("</tool_call>" in r.stop_seqs for r in engine.requests)


def test_a_required_tool_call_is_started_for_the_model(use_fake_engine) -> None:
    engine = use_fake_engine(lambda prompt: '"city": "Oslo"}}</tool_call> and more')
    model = get_model(MODEL, memoize=False)
    output = asyncio.run(
        model.generate("Weather?", tools=[get_weather()], tool_choice=ToolFunction(name="get_weather"))
    )
    prompt = "".join(chr(i) for i in engine.requests[0].prompt_ids)
    assert prompt.endswith('<|im_start|>assistant\n<tool_call>{"name": "get_weather", "arguments": {')
    assert output.stop_reason == "tool_calls"
    [call] = output.choices[0].message.tool_calls
    assert (call.function, call.arguments, call.parse_error) == ("get_weather", {"city": "Oslo"}, None)
    assert output.completion == ""


def test_unknown_model_name_and_model_arg_are_clear_errors(use_fake_engine) -> None:
    use_fake_engine(lambda prompt: "")
    with pytest.raises(EmbeddedModelError, match="Valid choice: embedded/smollm2-135m-instruct"):
        get_model("embedded/gpt-9", memoize=False)
    with pytest.raises(EmbeddedModelError, match="Valid model args: batch_size, batch_window_ms, threads"):
        get_model(MODEL, memoize=False, batchsize=4)


def test_requests_carry_the_default_repetition_control_or_the_one_asked_for(use_fake_engine) -> None:
    engine = use_fake_engine(lambda prompt: "Fine.")
    asyncio.run(get_model(MODEL, memoize=False).generate("Hi"))
    asyncio.run(
        get_model(MODEL, memoize=False, repetition_penalty=1.3, no_repeat_ngram_size=0, max_sentence_repeats=1).generate(
            "Hi", config=GenerateConfig(frequency_penalty=0.4, presence_penalty=0.2)
        )
    )
    default, chosen = (request.repetition for request in engine.requests)
    assert default == provider.DEFAULT_REPETITION
    assert default.repetition_penalty > 1 and default.no_repeat_ngram_size > 0 and default.max_sentence_repeats > 0
    assert chosen == RepetitionControl(1.3, 0.4, 0.2, 0, 1)
    with pytest.raises(EmbeddedModelError, match="no_repeat_ngram_size"):
        get_model(MODEL, memoize=False, no_repeat_ngram_size=-2)
