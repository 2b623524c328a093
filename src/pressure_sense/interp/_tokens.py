"""One turn as the model saw it: token ids in the chat template, where each token came from, the response start."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

import numpy as np

from pressure_sense.interp._conversation import Message
from pressure_sense.interp._extra import InterpError

SEGMENTS: tuple[str, ...] = ("first_token", "system", "earlier", "latest", "response")
"""Where a token sits relative to a turn's answer: the sequence's first token (where heads park attention),
the system prompt / persona, earlier turns (user and assistant), the latest pressure turn (the user message
being answered) and the response itself (assistant header and the response's first tokens). Template tokens
(role markers) count with the message they introduce."""


@dataclass(frozen=True)
class TurnTokens:
    """The token sequence replayed for one turn."""

    ids: list[int]
    """[seq] the prompt in the chat template, ready to answer, then the response's first tokens."""
    segments: np.ndarray
    """[seq] index into SEGMENTS of every token."""
    start: int
    """Position of the response start: the last prompt token, whose output is the first response token."""
    queries: list[int]
    """Positions whose attention is measured: the response start and the response tokens after it."""


def turn_tokens(tokenizer: Any, prompt: list[Message], response: str, response_tokens: int) -> TurnTokens:
    """Tokenise `prompt` (ending with the pressure turn) plus the first `response_tokens - 1` tokens of `response`.

    Raises InterpError when the chat template rewrites a message so that its text cannot be found.
    """
    text = tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = [int(i) for i in encoded["input_ids"]]
    ends = _content_ends(text, prompt)
    latest = len(prompt) - 1
    kinds = []
    for position, (token_start, _) in enumerate(encoded["offset_mapping"]):
        owner = bisect_right(ends, token_start)
        if position == 0:
            kinds.append("first_token")
        elif owner > latest:
            kinds.append("response")
        elif owner == latest:
            kinds.append("latest")
        else:
            kinds.append("system" if prompt[owner]["role"] == "system" else "earlier")
    start = len(ids) - 1
    answer = [int(i) for i in tokenizer(response, add_special_tokens=False)["input_ids"][: max(0, response_tokens - 1)]]
    ids += answer
    kinds += ["response"] * len(answer)
    segments = np.array([SEGMENTS.index(kind) for kind in kinds], dtype=np.int64)
    return TurnTokens(ids=ids, segments=segments, start=start, queries=list(range(start, len(ids))))


def _content_ends(text: str, messages: list[Message]) -> list[int]:
    """Character offset in `text` where each message's content ends (searched in order)."""
    ends = []
    cursor = 0
    for number, message in enumerate(messages):
        content = message["content"].strip()
        if content:
            found = text.find(content, cursor)
            if found < 0:
                raise InterpError(
                    f"the model's chat template rewrites message {number} ({message['role']}); "
                    "its tokens cannot be located for the attention shares"
                )
            cursor = found + len(content)
        ends.append(cursor)
    return ends
