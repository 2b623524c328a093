"""Inspect chat messages as plain role/content messages for a ChatML chat template, within a context limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageSystem, ChatMessageTool
from inspect_ai.tool import ToolChoice, ToolInfo

from pressure_sense.models._embedded_tools import render_tool_call, tool_instructions, tools_active

PlainMessage = dict[str, str]


def plain_messages(
    messages: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice
) -> list[PlainMessage]:
    """Convert Inspect messages to `{"role", "content"}` dicts with roles system/user/assistant.

    Assistant tool calls are written back in `<tool_call>` form; tool results become user
    messages `Tool result (NAME): ...` (or `Tool error (NAME): ...`). When tools are offered,
    their description is appended to the first system message (one is added if there is none).
    """
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
    """Token ids of the prompt, shortened to at most `budget` tokens.

    Drops the oldest non-system messages first (the last message always stays); if the
    prompt is still too long, keeps only its last `budget` tokens. Returns the ids and,
    when anything was cut, a note for the output metadata (None otherwise).
    """
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
