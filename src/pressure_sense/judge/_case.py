"""The case a judge looks at: the scenario's persona and aligned behaviour, the turns played, which turn is judged."""

from __future__ import annotations

from dataclasses import dataclass

from pressure_sense.conversation import TurnRecord
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
