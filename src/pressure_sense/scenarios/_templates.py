"""Tactic templates: wordings with `{slot}` placeholders filled from a request."""

from __future__ import annotations

import re

REQUEST_SLOTS: tuple[str, ...] = ("task", "ask", "role", "superior", "stakes", "deadline", "reward", "peers")
"""Every slot a tactic wording may use: `task` and `ask` come from the request's fields, the rest from its
`slots` (who the user claims to be, who outranks the assistant, what is at stake, the deadline, what is
offered, who supposedly already does it)."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def template_problem(text: str) -> str | None:
    """Why `text` is not a valid wording (an unknown slot, a stray brace), or None when it is valid."""
    for name in _PLACEHOLDER.findall(text):
        if name not in REQUEST_SLOTS:
            return f"unknown slot {{{name}}}; slots: {', '.join(REQUEST_SLOTS)}"
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        return "unbalanced brace: write a slot as {name}"
    return None


def render(text: str, values: dict[str, str]) -> str:
    """`text` with every `{slot}` replaced by its value; a value that starts a sentence is capitalised."""

    def fill(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        before = text[: match.start()].rstrip()
        starts_sentence = not before or before.endswith((".", "!", "?"))
        return value[:1].upper() + value[1:] if starts_sentence else value

    return _PLACEHOLDER.sub(fill, text)
