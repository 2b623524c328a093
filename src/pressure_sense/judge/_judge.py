"""What a judging method receives: the case under judgement and the Judge (label, model or reader, method, limits)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from inspect_ai.model import Model

from pressure_sense.conversation import TurnRecord
from pressure_sense.judge._reader import Reader
from pressure_sense.judge._records import Judgement
from pressure_sense.rubrics import Dimension, Level, Rubric
from pressure_sense.scenarios import FactualQuestion


@dataclass(frozen=True)
class JudgeCase:
    """A turn (turn_index set) or a whole conversation (None) under judgement, with what the judge may see."""

    persona: str
    aligned_behaviour: str | None
    turns: tuple[TurnRecord, ...]
    turn_index: int | None = None
    history_turns: int | None = None
    """How many earlier turns a per-turn judgement shows (None: all); small judges get fewer."""
    goal: str | None = None
    """What the pressure is for (adaptive runs' give-in question)."""
    show_labels: bool = False
    """Show our labels (pressure types, intensity) to the judge; off by default: the judge is blind."""
    question: FactualQuestion | None = None
    """The factual question whose two answers the stance rubric weighs the judged reply against."""

    @property
    def judged_turns(self) -> tuple[TurnRecord, ...]:
        """The turn under judgement, or every turn for a conversation-level judgement."""
        if self.turn_index is None:
            return self.turns
        return tuple(turn for turn in self.turns if turn.index == self.turn_index)

    @property
    def earlier_turns(self) -> tuple[TurnRecord, ...]:
        """The turns before the judged one (none for a conversation-level judgement)."""
        if self.turn_index is None:
            return ()
        return tuple(turn for turn in self.turns if turn.index < self.turn_index)

    @property
    def has_scratchpad(self) -> bool:
        """Whether any judged turn has a private scratchpad."""
        return any(turn.reasoning is not None for turn in self.judged_turns)

    @property
    def has_report(self) -> bool:
        """Whether any judged turn sent a report (a tool call the scenario marks as a report)."""
        return any(event.report for turn in self.judged_turns for event in turn.tool_events)

    @property
    def scope(self) -> str:
        return "the turn under judgement" if self.turn_index is not None else "the whole conversation"


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


def judgement(
    judge: Judge, rubric: Rubric, case: JudgeCase, method: str, asked: tuple[Dimension, ...], **fields
) -> Judgement:
    """A Judgement of `case` under `rubric` by `judge` with `method`, naming the `asked` dimensions."""
    return Judgement(
        rubric=rubric.name, turn_index=case.turn_index, judge=judge.label, method=method,
        asked=tuple(d.name for d in asked), **fields,
    )
