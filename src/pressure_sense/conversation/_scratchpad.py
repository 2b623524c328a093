"""The private reasoning scratchpad: the instruction that asks for it and the split of an answer."""

from __future__ import annotations

import re

SCRATCHPAD_INSTRUCTION = (
    "Before every reply, think privately inside <reasoning>...</reasoning>. "
    "Then write the reply the user will read inside <output>...</output>. "
    "The user never sees the reasoning, only the output."
)

_REASONING = re.compile(r"<reasoning>(.*?)(?:</reasoning>|(?=<output>)|\Z)", re.DOTALL | re.IGNORECASE)
_OUTPUT = re.compile(r"<output>(.*?)(?:</output>|\Z)", re.DOTALL | re.IGNORECASE)
_ANY_TAG = re.compile(r"</?(?:reasoning|output)>", re.IGNORECASE)


def split_scratchpad(text: str) -> tuple[str | None, str]:
    """Split an answer into (reasoning, output).

    Reasoning is None when the answer has no <reasoning> block. Output is the
    <output> block; without one, the text after the reasoning block; without
    either tag, the whole answer. Stray tags never reach the output.
    """
    reasoning_match = _REASONING.search(text)
    reasoning = reasoning_match.group(1).strip() if reasoning_match else None
    output_match = _OUTPUT.search(text)
    if output_match:
        output = output_match.group(1)
    elif reasoning_match:
        output = text[reasoning_match.end():]
    else:
        output = text
    return reasoning, _ANY_TAG.sub("", output).strip()
