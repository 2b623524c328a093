"""Tool-call parsing, ChatML message rendering and context fitting of the embedded provider."""

from __future__ import annotations

import json

from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageTool, ChatMessageUser
from inspect_ai.tool import ToolCall, ToolCallError, ToolFunction, ToolInfo, ToolParam, ToolParams

from pressure_sense.models._embedded_chat import (
    fit_context,
    parse_tool_calls,
    plain_messages,
    tool_call_prefill,
    tool_instructions,
)

WEATHER = ToolInfo(
    name="get_weather",
    description="Get the weather for a city",
    parameters=ToolParams(properties={"city": ToolParam(type="string", description="City name")}, required=["city"]),
)


def test_parses_a_tool_call_and_keeps_the_prose() -> None:
    text, calls = parse_tool_calls(
        'Let me check.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'
    )
    assert text == "Let me check."
    assert [(c.function, c.arguments, c.parse_error) for c in calls] == [("get_weather", {"city": "Paris"}, None)]
    assert calls[0].id.startswith("call_")


def test_parses_several_calls_an_unterminated_last_one_and_string_arguments() -> None:
    text, calls = parse_tool_calls(
        '<tool_call>{"name": "a", "arguments": "{\\"x\\": 1}"}</tool_call> and '
        '<tool_call>{"name": "b", "parameters": {"y": [1, 2]}} trailing words'
    )
    assert text == "and"
    assert [(c.function, c.arguments) for c in calls] == [("a", {"x": 1}), ("b", {"y": [1, 2]})]
    assert len({c.id for c in calls}) == 2


def test_malformed_calls_carry_a_parse_error_instead_of_vanishing() -> None:
    _, calls = parse_tool_calls(
        "<tool_call>{name: get_weather}</tool_call>"
        '<tool_call>{"arguments": {}}</tool_call>'
        '<tool_call>{"name": "get_weather", "arguments": [1]}</tool_call>'
        "<tool_call>[1, 2]</tool_call>"
    )
    assert [c.function for c in calls] == ["unknown", "unknown", "get_weather", "unknown"]
    assert "not valid JSON" in (calls[0].parse_error or "")
    assert '"name"' in (calls[1].parse_error or "")
    assert "must be a JSON object" in (calls[2].parse_error or "")
    assert "not a JSON object" in (calls[3].parse_error or "")
    assert all(c.arguments == {} for c in calls)


def test_python_in_a_tool_call_is_never_evaluated() -> None:
    _, calls = parse_tool_calls("<tool_call>__import__('os').system('echo pwned')</tool_call>")
    assert calls[0].parse_error is not None and calls[0].arguments == {}


def test_text_without_tool_calls_is_unchanged() -> None:
    assert parse_tool_calls("  Just an answer.  ") == ("Just an answer.", [])


def test_tool_instructions_list_tools_schema_and_choice() -> None:
    text = tool_instructions([WEATHER], ToolFunction(name="get_weather"))
    assert "get_weather(city: string): Get the weather for a city. city: City name." in text
    assert '<tool_call>{"name": "get_weather", "arguments": {"city": "..."}}</tool_call>' in text
    assert "You must call the tool get_weather now." in text
    assert "You must call one of these tools now." in tool_instructions([WEATHER], "any")


def test_required_calls_get_a_prefill_that_parses() -> None:
    assert tool_call_prefill("auto") == ""
    prefill = tool_call_prefill(ToolFunction(name="get_weather"))
    _, [call] = parse_tool_calls(prefill + '"city": "Rome"}}')
    assert (call.function, call.arguments) == ("get_weather", {"city": "Rome"})
    _, [call] = parse_tool_calls(tool_call_prefill("any") + 'get_weather", "arguments": {}}')
    assert (call.function, call.arguments, call.parse_error) == ("get_weather", {}, None)


def test_plain_messages_render_tool_history_as_text() -> None:
    call = ToolCall(id="c1", function="get_weather", arguments={"city": "Paris"})
    messages = [
        ChatMessageSystem(content="You are helpful."),
        ChatMessageUser(content="Weather in Paris?"),
        ChatMessageAssistant(content="Checking.", tool_calls=[call]),
        ChatMessageTool(content="Sunny, 21 C", tool_call_id="c1", function="get_weather"),
        ChatMessageTool(
            content="", tool_call_id="c2", function="get_weather", error=ToolCallError("parsing", "bad city")
        ),
    ]
    plain = plain_messages(messages, [WEATHER], "auto")
    assert [m["role"] for m in plain] == ["system", "user", "assistant", "user", "user"]
    assert plain[0]["content"].startswith("You are helpful.\n\nYou have access to these tools:")
    assert plain[2]["content"].startswith("Checking.\n<tool_call>")
    payload = json.loads(plain[2]["content"].split("<tool_call>")[1].split("</tool_call>")[0])
    assert payload == {"name": "get_weather", "arguments": {"city": "Paris"}}
    assert plain[3]["content"] == "Tool result (get_weather): Sunny, 21 C"
    assert plain[4]["content"] == "Tool error (get_weather): bad city"


def test_tools_add_a_system_message_when_there_is_none_and_none_when_disabled() -> None:
    messages = [ChatMessageUser(content="hi")]
    with_tools = plain_messages(messages, [WEATHER], "auto")
    assert with_tools[0]["role"] == "system" and "get_weather" in with_tools[0]["content"]
    assert plain_messages(messages, [WEATHER], "none") == [{"role": "user", "content": "hi"}]


def _word_encoder(messages: list[dict[str, str]]) -> list[int]:
    """One token per word, plus one per message."""
    return [len(w) for m in messages for w in [m["role"], *m["content"].split()]]


def test_fit_context_leaves_short_prompts_alone() -> None:
    messages = [{"role": "user", "content": "one two"}]
    assert fit_context(messages, _word_encoder, 10) == ([4, 3, 3], None)


def test_fit_context_drops_oldest_non_system_messages_first() -> None:
    messages = [
        {"role": "system", "content": "be kind"},
        {"role": "user", "content": "a " * 10},
        {"role": "assistant", "content": "b " * 10},
        {"role": "user", "content": "last question"},
    ]
    ids, note = fit_context(messages, _word_encoder, 10)
    assert ids == _word_encoder([messages[0], messages[3]])
    assert note == {
        "dropped_messages": 2,
        "cut_tokens": 0,
        "prompt_tokens_before": 28,
        "prompt_tokens_after": 6,
        "budget": 10,
    }


def test_fit_context_cuts_tokens_when_the_last_message_alone_is_too_long() -> None:
    messages = [{"role": "user", "content": " ".join(["w"] * 30)}]
    ids, note = fit_context(messages, _word_encoder, 8)
    assert len(ids) == 8
    assert note is not None and note["cut_tokens"] == 23 and note["dropped_messages"] == 0
