"""Judge names that are not model names: `trained` (the shipped trained judge) and `trained:PATH` (a user's)."""

from __future__ import annotations

TRAINED_JUDGE = "trained"
"""The offline reader shipped in the package (a MiniLM cross-encoder fine-tuned to read what an answer does)."""


def trained_judge_path(name: str) -> str | None:
    """For `trained`, "" (the shipped file); for `trained:PATH`, PATH; for any other name, None."""
    if name == TRAINED_JUDGE:
        return ""
    prefix, separator, path = name.partition(":")
    return path if prefix == TRAINED_JUDGE and separator and path else None
