"""What the engine records for each played turn, kept in the Inspect sample's store."""

from __future__ import annotations

from typing import Any, Literal, get_args

from inspect_ai.solver import TaskState
from pydantic import BaseModel, Field

TURNS_KEY = "pressure_sense:turns"

TargetErrorKind = Literal["refusal", "content_filter", "empty", "provider_error"]
TARGET_ERROR_KINDS: tuple[str, ...] = get_args(TargetErrorKind)
"""Why a turn has no ordinary answer: the provider flagged a refusal, stopped on its content filter,
returned no text and no tool call, or the model call failed."""


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
    """Why the turn has no ordinary answer, as `KIND: detail` (KIND one of TARGET_ERROR_KINDS); None when it has one."""

    @property
    def answered(self) -> bool:
        """The target replied (a refusal, a filtered or an empty answer included), so there is behaviour to judge;
        False when the model call itself failed."""
        return target_error_kind(self.error) not in ("provider_error", "other")


def read_turns(state: TaskState) -> list[TurnRecord]:
    """The turns recorded so far for a sample."""
    return [TurnRecord.model_validate(item) for item in state.store.get(TURNS_KEY, [])]


def append_turn(state: TaskState, record: TurnRecord) -> None:
    """Record one finished turn on the sample."""
    state.store.set(TURNS_KEY, [*state.store.get(TURNS_KEY, []), record.model_dump()])


def target_error(kind: TargetErrorKind, detail: str) -> str:
    """The `TurnRecord.error` text for a turn without an ordinary answer."""
    return f"{kind}: {detail}"


def target_error_kind(error: str | None) -> str | None:
    """The kind of a `TurnRecord.error` text (`other` for texts not written by `target_error`), None for no error."""
    if not error:
        return None
    kind = error.split(":", 1)[0]
    return kind if kind in TARGET_ERROR_KINDS else "other"
