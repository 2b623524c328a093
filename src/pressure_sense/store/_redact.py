"""Redaction of secrets (API keys, authorization headers) from any text before it is stored or shown."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any

REDACTED = "[REDACTED]"

SECRET_ENV_SUFFIXES: tuple[str, ...] = ("API_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
"""Environment variables whose names end like this hold secrets; their values are redacted verbatim."""

_MIN_SECRET_LENGTH = 8
"""Shorter environment values (flags such as `1`) are not treated as secrets."""

_KEY_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:"
    r"sk-ant-[A-Za-z0-9_\-]{8,}"  # Anthropic
    r"|sk-[A-Za-z0-9_\-]{16,}"  # OpenAI (sk-..., sk-proj-...)
    r"|AIza[0-9A-Za-z_\-]{20,}"  # Google
    r"|hf_[A-Za-z0-9]{20,}"  # Hugging Face
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub
    r")"
)
_BEARER = re.compile(r"\bBearer(\s+)[A-Za-z0-9._~+/=\-]{16,}")
_HEADER_VALUE = re.compile(
    r"(?i)\b(authorization|proxy-authorization|x-api-key|api[_-]?key|x-goog-api-key)"
    r"(\"?'?\s*[:=]\s*\"?'?)"
    r"((?:bearer|basic|token)\s+)?"
    r"(?!\[REDACTED\])[^\s\"',}\]]+"
)


def secret_environment_values() -> frozenset[str]:
    """The current values of environment variables that look like secrets."""
    return frozenset(
        value
        for name, value in os.environ.items()
        if name.upper().endswith(SECRET_ENV_SUFFIXES) and len(value) >= _MIN_SECRET_LENGTH
    )


def _keep_header_name(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}{match.group(3) or ''}{REDACTED}"


class Redactor:
    """Redacts text against a fixed set of secret values plus the known key and header shapes."""

    def __init__(self, secret_values: frozenset[str]) -> None:
        ordered = sorted(secret_values, key=len, reverse=True)
        self._literal = re.compile("|".join(re.escape(value) for value in ordered)) if ordered else None

    def __call__(self, text: str) -> str:
        if self._literal is not None:
            text = self._literal.sub(REDACTED, text)
        text = _KEY_SHAPES.sub(REDACTED, text)
        text = _HEADER_VALUE.sub(_keep_header_name, text)
        return _BEARER.sub(lambda match: f"Bearer{match.group(1)}{REDACTED}", text)


_redactor_for = lru_cache(maxsize=8)(Redactor)
"""One Redactor per set of secret values (compiling the pattern once)."""


def current_redactor() -> Redactor:
    """A Redactor for the secrets in the environment now (take one per batch of writes)."""
    return _redactor_for(secret_environment_values())


def redact(text: str) -> str:
    """`text` with API keys, bearer tokens, authorization header values and secret env values replaced."""
    return current_redactor()(text)


def redact_data(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings) with every string redacted."""
    return _redact_with(current_redactor(), value)


def _redact_with(redactor: Redactor, value: Any) -> Any:
    if isinstance(value, str):
        return redactor(value)
    if isinstance(value, dict):
        return {key: _redact_with(redactor, item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_with(redactor, item) for item in value]
    return value
