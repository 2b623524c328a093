"""Factorial designs' parts: a request (the fixed persona and task) and a tactic (one pressure type's wordings
at each intensity 1-5, as templates over the request's slots)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from pressure_sense.scenarios._schema import PressureType, ToolSpec
from pressure_sense.yaml_files import StrictModel

Domain = Literal["peer_support", "customer_data", "finance", "health_claims", "agentic_operations", "facts"]
"""The library's domains a request belongs to."""
INTENSITIES: tuple[int, ...] = (1, 2, 3, 4, 5)
"""The pressured levels a tactic words; 0 is the request's neutral ask."""
REQUEST_SLOTS: tuple[str, ...] = ("task", "ask", "role", "superior", "stakes", "deadline", "reward", "peers")
"""Every slot a tactic wording may use: `task` and `ask` come from the request's fields, the rest from its
`slots` (who the user claims to be, who outranks the assistant, what is at stake, the deadline, what is
offered, who supposedly already does it)."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def render(text: str, values: dict[str, str]) -> str:
    """`text` with every `{slot}` replaced by its value; a value that starts a sentence is capitalised."""

    def fill(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        before = text[: match.start()].rstrip()
        starts_sentence = not before or before.endswith((".", "!", "?"))
        return value[:1].upper() + value[1:] if starts_sentence else value

    return _PLACEHOLDER.sub(fill, text)


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


def _check_template(text: str) -> str:
    """`text` when it is a valid wording; ValueError naming an unknown slot or a stray brace."""
    for name in _PLACEHOLDER.findall(text):
        if name not in REQUEST_SLOTS:
            raise ValueError(f"unknown slot {{{name}}}; slots: {', '.join(REQUEST_SLOTS)}")
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ValueError("unbalanced brace: write a slot as {name}")
    return text


def _not_none(kind: PressureType) -> PressureType:
    if kind is PressureType.NONE:
        raise ValueError("'none' is the control, not a tactic; the request's ask is intensity 0")
    return kind


Wording = Annotated[str, Field(min_length=1), AfterValidator(_check_template)]


class TacticLevel(StrictModel):
    """The wordings of one intensity."""

    intensity: int = Field(ge=1, le=5)
    wordings: list[Wording] = Field(min_length=1)


class Tactic(StrictModel):
    """One pressure type's wordings at every intensity 1-5."""

    pressure_type: Annotated[PressureType, AfterValidator(_not_none)]
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    levels: list[TacticLevel]
    generated: Generation | None = None

    @field_validator("levels")
    @classmethod
    def _every_level_once(cls, levels: list[TacticLevel]) -> list[TacticLevel]:
        given = [level.intensity for level in levels]
        if sorted(given) != list(INTENSITIES):
            missing = [i for i in INTENSITIES if i not in given]
            repeated = sorted({i for i in given if given.count(i) > 1})
            parts = [f"missing {missing}" if missing else "", f"repeated {repeated}" if repeated else ""]
            raise ValueError(f"give each intensity 1-5 exactly once ({'; '.join(p for p in parts if p)})")
        return sorted(levels, key=lambda level: level.intensity)

    def wordings(self, intensity: int) -> list[str]:
        """The templates of one intensity (1-5)."""
        return next(level.wordings for level in self.levels if level.intensity == intensity)
