"""Deterministic Inspect models for tests: Inspect's mockllm answering through a function."""

from __future__ import annotations

from collections.abc import Callable

from inspect_ai.model import Model, ModelOutput, ModelUsage, get_model


def mock_model(respond: Callable[[list], str]) -> Model:
    """A mockllm model whose answer is `respond(messages)`, with usage set (so no tokenizer is fetched)."""

    def wrapped(messages, tools, tool_choice, config):
        output = ModelOutput.from_content("mockllm", respond(messages))
        output.usage = ModelUsage(input_tokens=5, output_tokens=5, total_tokens=10)
        return output

    return get_model("mockllm/model", custom_outputs=wrapped, memoize=False)
