"""What a study runs: targets, judge, scenarios, variants, epochs and limits."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

DEFAULT_SCENARIOS = ["tag:core"]
"""The default study: the library's core scenarios."""
QUICK_SCENARIOS = 2
"""The `--quick` preset plays this many core scenarios..."""
QUICK_TURNS = 3
"""...for at most this many turns each."""


class StudyConfig(BaseModel):
    """Everything `run_study` needs; the CLI and experiment files both build one."""

    models: list[str] = Field(default_factory=lambda: ["embedded"])
    judge: str | None = None
    """Judge model name; None = the embedded model; "none" = no judging."""
    judge_method: Literal["auto", "json", "logprob"] = "auto"
    scenarios: list[str] = Field(default_factory=lambda: list(DEFAULT_SCENARIOS))
    variants: list[str] = Field(default_factory=lambda: ["chat", "chat+reasoning"])
    epochs: int = Field(default=1, ge=1)
    max_turns: int | None = Field(default=None, ge=1)
    max_tokens: int = Field(default=200, ge=1)
    temperature: float | None = None
    max_connections: int = Field(default=16, ge=1)
    out: Path | None = None
    cache: bool = True
    report: bool = True

    @classmethod
    def quick(cls, **settings) -> "StudyConfig":
        """The `--quick` preset: the first core scenarios, a few turns each."""
        from pressure_sense.scenarios import resolve_scenarios

        core = resolve_scenarios(DEFAULT_SCENARIOS)[:QUICK_SCENARIOS]
        return cls(**{"scenarios": [s.id for s in core], "max_turns": QUICK_TURNS, **settings})
