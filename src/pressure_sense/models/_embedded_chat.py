"""Inspect chat messages as plain role/content messages for the embedded model's ChatML template, with
text-based tool calls: tools are described in the system prompt and called as
`<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, read with `json` only (never evaluated).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageTool
from inspect_ai.tool import ToolCall, ToolChoice, ToolFunction, ToolInfo

PlainMessage = dict[str, str]

TOOL_CALL_START = "<tool_call>"
TOOL_CALL_END = "</tool_call>"
_TOOL_CALL_BLOCK = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.DOTALL)


def tools_active(tools: list[ToolInfo], tool_choice: ToolChoice) -> bool:
    """Whether the model may call tools in this request."""
    return bool(tools) and tool_choice != "none"


def tool_instructions(tools: list[ToolInfo], tool_choice: ToolChoice) -> str:
    """System-prompt text that lists the tools as signatures and shows the exact syntax of a call."""
    lines = ["You have access to these tools:"]
    lines.extend(_signature(tool) for tool in tools)
    lines += [
        "",
        "To use a tool, reply with only a tool call like this example:",
        render_tool_call(ToolCall(id="example", function=tools[0].name, arguments=_example_arguments(tools[0]))),
        "The result of the call comes back in the next message. When you need no tool, answer in plain text.",
    ]
    if isinstance(tool_choice, ToolFunction):
        lines.append(f"You must call the tool {tool_choice.name} now.")
    elif tool_choice == "any":
        lines.append("You must call one of these tools now.")
    return "\n".join(lines)


def tool_call_prefill(tool_choice: ToolChoice) -> str:
    """The opening of a tool call, written as the reply's start when a call is required ("" otherwise):
    small models rarely start one on their own. `parse_tool_calls` reads it with the reply."""
    if isinstance(tool_choice, ToolFunction):
        return f'{TOOL_CALL_START}{{"name": {json.dumps(tool_choice.name)}, "arguments": {{'
    if tool_choice == "any":
        return f'{TOOL_CALL_START}{{"name": "'
    return ""


def _signature(tool: ToolInfo) -> str:
    """`name(arg: type, optional?: type): description. arg: what it is.`"""
    required = set(tool.parameters.required)
    arguments = []
    notes = []
    for name, param in tool.parameters.properties.items():
        marker = "" if name in required else "?"
        arguments.append(f"{name}{marker}: {param.type or 'any'}")
        if param.description:
            notes.append(f"{name}: {param.description.rstrip('.')}.")
    description = tool.description.rstrip(".")
    return " ".join([f"{tool.name}({', '.join(arguments)}): {description}.", *notes])


def _example_arguments(tool: ToolInfo) -> dict[str, Any]:
    examples = {"string": "...", "integer": 1, "number": 1.0, "boolean": True, "array": [], "object": {}}
    return {name: examples.get(param.type or "string", "...") for name, param in tool.parameters.properties.items()}


def render_tool_call(call: ToolCall) -> str:
    """A tool call as the model is asked to write it (for replaying history)."""
    payload = {"name": call.function, "arguments": call.arguments}
    return f"{TOOL_CALL_START}{json.dumps(payload, ensure_ascii=False)}{TOOL_CALL_END}"


def parse_tool_calls(text: str) -> tuple[str, list[ToolCall]]:
    """Model text without its `<tool_call>` blocks, and one ToolCall per block (an unterminated last one
    included); a malformed block gives a ToolCall with `parse_error` set, so the model is told what was wrong."""
    calls = [_parse_block(match.group(1)) for match in _TOOL_CALL_BLOCK.finditer(text)]
    prose = _TOOL_CALL_BLOCK.sub("", text).strip()
    return prose, calls


def _parse_block(block: str) -> ToolCall:
    call_id = f"call_{uuid.uuid4().hex[:16]}"
    payload, error = _json_object(block.strip())
    if payload is not None and not (isinstance(payload.get("name"), str) and payload["name"]):
        error = 'Tool call has no "name" string. Write {"name": "TOOL_NAME", "arguments": {...}}.'
    if payload is None or error:
        return ToolCall(id=call_id, function="unknown", arguments={}, parse_error=error)
    name = payload["name"]
    arguments: Any = payload.get("arguments", payload.get("parameters", {}))
    if isinstance(arguments, str):
        arguments, why = _json_object(arguments)
        if arguments is None:
            error = f'"arguments" of {name}: {why}'
    elif not isinstance(arguments, dict):
        error = f'"arguments" of {name} must be a JSON object, got {type(arguments).__name__}.'
    if error:
        return ToolCall(id=call_id, function=name, arguments={}, parse_error=error)
    return ToolCall(id=call_id, function=name, arguments=arguments)


def _json_object(text: str) -> tuple[dict[str, Any] | None, str]:
    """The first JSON object in `text` (trailing text is ignored), or None and why not."""
    start = text.find("{")
    try:
        value = json.JSONDecoder().raw_decode(text[start:])[0] if start >= 0 else None
    except json.JSONDecodeError as error:
        return None, f"Tool call is not valid JSON ({error.msg} at character {error.pos}): {text[:200]!r}"
    if not isinstance(value, dict):
        return None, f"Tool call is not a JSON object: {text[:200]!r}"
    return value, ""


def plain_messages(
    messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice
) -> list[PlainMessage]:
    """Inspect messages as system/user/assistant `{"role", "content"}` dicts: tool calls in `<tool_call>` form,
    tool results as user messages `Tool result (NAME): ...` (or `Tool error ...`), and offered tools described
    at the end of the first system message (added if there is none)."""
    plain = [_plain(message) for message in messages]
    if tools_active(tools, tool_choice):
        instructions = tool_instructions(tools, tool_choice)
        first_system = next((m for m in plain if m["role"] == "system"), None)
        if first_system is None:
            plain.insert(0, {"role": "system", "content": instructions})
        else:
            first_system["content"] = f"{first_system['content']}\n\n{instructions}"
    return plain


def _plain(message: ChatMessage) -> PlainMessage:
    if isinstance(message, ChatMessageTool):
        name = message.function or "tool"
        if message.error is not None:
            return {"role": "user", "content": f"Tool error ({name}): {message.error.message}"}
        return {"role": "user", "content": f"Tool result ({name}): {message.text}"}
    if isinstance(message, ChatMessageAssistant):
        parts = [message.text] if message.text else []
        parts.extend(render_tool_call(call) for call in message.tool_calls or [])
        return {"role": "assistant", "content": "\n".join(parts)}
    if isinstance(message, ChatMessageSystem):
        return {"role": "system", "content": message.text}
    return {"role": "user", "content": message.text}


def fit_context(
    messages: list[PlainMessage], encode: Callable[[list[PlainMessage]], list[int]], budget: int
) -> tuple[list[int], dict[str, Any] | None]:
    """Token ids of the prompt within `budget` tokens: the oldest non-system messages go first (never the last
    one), then all but the last `budget` tokens; and a note of what was cut for the metadata (None if nothing)."""
    ids = encode(messages)
    if len(ids) <= budget:
        return ids, None
    before = len(ids)
    kept = list(messages)
    dropped = 0
    while len(ids) > budget:
        droppable = [i for i, m in enumerate(kept) if m["role"] != "system"]
        if len(droppable) <= 1:
            break
        del kept[droppable[0]]
        dropped += 1
        ids = encode(kept)
    cut_tokens = max(0, len(ids) - budget)
    if cut_tokens:
        ids = ids[-budget:]
    note = {
        "dropped_messages": dropped,
        "cut_tokens": cut_tokens,
        "prompt_tokens_before": before,
        "prompt_tokens_after": len(ids),
        "budget": budget,
    }
    return ids, note
