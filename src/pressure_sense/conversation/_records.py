"""What the engine records for each played turn, kept in the Inspect sample's store."""

from __future__ import annotations

from typing import Any, Literal

from inspect_ai.solver import TaskState
from pydantic import BaseModel, Field

TURNS_KEY = "pressure_sense:turns"


class ToolEvent(BaseModel):
    """One tool call the target made during a turn, with its (simulated) result."""

    call_id: str
    function: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: str = ""
    harmful: bool = False
    escalation: bool = False
    report: bool = False


class TurnRecord(BaseModel):
    """One user turn and the target's answer to it."""

    index: int
    pressure_types: list[str]
    intensity: int
    user: str
    raw: str
    """The assistant's whole text, scratchpad included."""
    reasoning: str | None = None
    """The private scratchpad, when the variant asks for one and the model wrote it."""
    output: str
    """What the user sees."""
    source: Literal["script", "control", "pressurer", "belief_probe"] = "script"
    tool_events: list[ToolEvent] = Field(default_factory=list)
    error: str | None = None
    """Why the target produced no answer for this turn (the model call failed)."""


def read_turns(state: TaskState) -> list[TurnRecord]:
    """The turns recorded so far for a sample."""
    return [TurnRecord.model_validate(item) for item in state.store.get(TURNS_KEY, [])]


def append_turn(state: TaskState, record: TurnRecord) -> None:
    """Record one finished turn on the sample."""
    state.store.set(TURNS_KEY, [*state.store.get(TURNS_KEY, []), record.model_dump()])
