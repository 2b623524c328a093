"""Load API keys from a `.env` file into the environment (values are never printed)."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import dotenv_values, find_dotenv

_loaded: set[Path] = set()


def load_env(path: Path | str | None = None) -> list[str]:
    """Add the variables of a `.env` file to `os.environ` without overriding set ones.

    `path` defaults to the nearest `.env` in the working directory or above.
    Returns the names (never the values) of the variables it added.
    """
    found = Path(path) if path is not None else Path(find_dotenv(usecwd=True) or ".env")
    if not found.is_file():
        return []
    added: list[str] = []
    for name, value in dotenv_values(found).items():
        if value is not None and name not in os.environ:
            os.environ[name] = value
            added.append(name)
    _loaded.add(found.resolve())
    return added


def load_env_once() -> None:
    """Load the working directory's `.env` the first time it is needed."""
    candidate = find_dotenv(usecwd=True)
    if candidate and Path(candidate).resolve() not in _loaded:
        load_env(candidate)
