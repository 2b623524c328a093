"""What a judging method receives: the Judge (its label, model or reader, method and limits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from inspect_ai.model import Model

from pressure_sense.judge._case import JudgeCase
from pressure_sense.judge._reader import Reader
from pressure_sense.judge._records import Judgement
from pressure_sense.rubrics import Level, Rubric


@dataclass(frozen=True)
class Judge:
    """A judge as the user named it, with the model that answers and how it scores."""

    label: str
    """The name the user gave (`embedded`, `openai/gpt-4o`); stored on every judgement."""
    model: Model | None = None
    trained: Reader | None = None
    """The offline reader (method `trained`), when this judge is one."""
    method: str = "auto"
    """auto | one of METHODS."""
    block_chars: int | None = None
    """Cut each quoted text to this many characters (small-context judges); None: the judge reads it all."""
    history_turns: int | None = None
    """Earlier turns a per-turn judgement shows; None: all."""
    max_retries: int = 2
    levels: tuple[Level, ...] = ("turn", "conversation")
    """What this judge scores: a trained judge scores turns only."""


Method = Callable[[Judge, Rubric, JudgeCase], Awaitable[Judgement]]
"""A judging method: one judgement of one case under one rubric."""
