"""Names the store shares with the tasks that write to it."""

from __future__ import annotations

from typing import Any

STUDY_METADATA_KEY = "pressure_sense"
"""Task metadata key holding {"db": path, "study_id": ..., "model_label": ..., "judge": ...}: a task that has it
is written to that results store as its samples finish."""


def study_settings(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The study settings in a task's metadata ({} for a task that has none)."""
    return (metadata or {}).get(STUDY_METADATA_KEY) or {}
