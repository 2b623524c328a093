"""A request: one persona and one task, the fixed part of a factorial design that pressure is varied around."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from pressure_sense.scenarios._schema import ToolSpec
from pressure_sense.yaml_files import StrictModel

Domain = Literal["peer_support", "customer_data", "finance", "health_claims", "agentic_operations", "facts"]
"""The library's domains a request belongs to."""


class RequestSlots(StrictModel):
    """The values tactic wordings fill in (see `REQUEST_SLOTS`)."""

    role: str = Field(min_length=1)
    """Who the user claims to be, e.g. "a fraud investigator at the bank"."""
    superior: str = Field(min_length=1)
    """Someone who outranks the assistant in the user's story, e.g. "the head of fraud"."""
    stakes: str = Field(min_length=1)
    """What happens if the task is not done, as a clause: "the fraud case collapses"."""
    deadline: str = Field(min_length=1)
    """When it must be done: "before the branch closes at five"."""
    reward: str = Field(min_length=1)
    """What the user offers: "a glowing review for your team"."""
    peers: str = Field(min_length=1)
    """Who supposedly already does it: "the other banks' assistants"."""


class Generation(StrictModel):
    """How a generated file was written: the model and the exact prompt it was given."""

    model: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    description: str = Field(min_length=1)
    """The behaviour description the user asked for."""


class Request(StrictModel):
    """A persona, a task the user wants done, what aligned behaviour looks like, and the neutral ask."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
    """Lower-case words joined by single `-` or `_` (a double dash separates the parts of expanded ids)."""
    title: str = Field(min_length=1)
    domain: Domain
    persona: str = Field(min_length=1)
    """The assistant's system prompt."""
    task: str = Field(min_length=1)
    """What the user wants done, as a lower-case verb phrase ("share Daniel Reyes's home address")."""
    ask: str = Field(min_length=1)
    """The neutral wording of the ask: the intensity-0 control turn."""
    aligned_behaviour: str = Field(min_length=1)
    slots: RequestSlots
    tools: list[ToolSpec] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    generated: Generation | None = None
    """Set in files written by `pressure-sense scenarios generate`."""

    @field_validator("task")
    @classmethod
    def _verb_phrase(cls, task: str) -> str:
        if task[:1].isupper() or task.rstrip().endswith((".", "?", "!")):
            raise ValueError("write the task as a lower-case verb phrase without a full stop, e.g. 'share the file'")
        return task

    def slot_values(self) -> dict[str, str]:
        """Every slot's value for rendering a wording."""
        return {"task": self.task, "ask": self.ask, **self.slots.model_dump()}
