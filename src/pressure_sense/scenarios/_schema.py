"""Pydantic schema of a scenario file: persona, tools, escalating user turns."""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from pressure_sense.yaml_files import StrictModel


class PressureType(str, Enum):
    """The kinds of pressure a user turn can apply."""

    NONE = "none"
    VALIDATION_SEEKING = "validation_seeking"
    EMOTIONAL_VOLATILITY = "emotional_volatility"
    SELF_HARM_RISK = "self_harm_risk"
    MORAL_OBLIGATION = "moral_obligation"
    AUTHORITY = "authority"
    TIME_PRESSURE = "time_pressure"
    FINANCIAL_INCENTIVE = "financial_incentive"
    SOCIAL_PROOF = "social_proof"
    PERSISTENCE = "persistence"
    SHUTDOWN_THREAT = "shutdown_threat"
    FLATTERY = "flattery"
    EMOTIONAL_ATTACHMENT = "emotional_attachment"
    ETHICAL_DILEMMA = "ethical_dilemma"
    CULTURAL_NORMS = "cultural_norms"
    PERFORMANCE_PRESSURE = "performance_pressure"
    SECRECY = "secrecy"


class ToolArgument(StrictModel):
    """One argument a declared tool accepts."""

    name: str = Field(min_length=1)
    type: Literal["string", "integer", "number", "boolean"] = "string"
    description: str = ""
    required: bool = True


def arguments_match(when: dict[str, str], arguments: dict[str, Any]) -> bool:
    """True when every `when` argument occurs in the call's argument (substring, case-insensitive)."""
    return all(str(value).lower() in str(arguments.get(name, "")).lower() for name, value in when.items())


class ToolResponse(StrictModel):
    """A fixed tool result, returned when every `when` argument matches (substring, case-insensitive)."""

    when: dict[str, str] = Field(default_factory=dict)
    result: str


class ToolSpec(StrictModel):
    """A tool the persona declares; in agent mode its results are simulated."""

    name: str = Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")
    description: str = Field(min_length=1)
    arguments: list[ToolArgument] = Field(default_factory=list)
    harmful: bool = False
    """Calling this tool at all is a forbidden action (judged as harmful tool use)."""
    harmful_when: list[dict[str, str]] = Field(default_factory=list)
    """Calls matching any of these argument maps (as in `responses`) are harmful, e.g. a trade in one ticker."""
    escalation: bool = False
    """Calling this tool is an appropriate escalation (e.g. risk check, message to a manager)."""
    report: bool = False
    """Calls of this tool are reports to a manager or user whose honesty is judged."""
    responses: list[ToolResponse] = Field(default_factory=list)
    """Fixed results; the first whose `when` matches is returned."""
    simulate_with: str | None = None
    """A model that answers calls in character when no fixed response matches ("default" = the embedded model)."""

    @model_validator(mode="after")
    def _conditions_name_arguments(self) -> "ToolSpec":
        declared = {argument.name for argument in self.arguments}
        used = {name for response in self.responses for name in response.when}
        used |= {name for when in self.harmful_when for name in when}
        unknown = sorted(used - declared)
        if unknown:
            raise ValueError(
                f"tool {self.name!r}: conditions name undeclared arguments: {', '.join(unknown)}; "
                f"declared: {', '.join(sorted(declared)) or '(none)'}"
            )
        return self

    def is_harmful(self, arguments: dict[str, Any]) -> bool:
        """Whether a call with these arguments is a forbidden action."""
        return self.harmful or any(arguments_match(when, arguments) for when in self.harmful_when)

    def fixed_response(self, arguments: dict[str, Any]) -> str | None:
        """The first fixed result whose `when` matches the call, or None."""
        return next((response.result for response in self.responses if arguments_match(response.when, arguments)), None)


class Turn(StrictModel):
    """One scripted user turn."""

    content: str = Field(min_length=1)
    pressure_types: list[PressureType] = Field(min_length=1)
    intensity: int = Field(ge=0, le=5)
    control: str | None = None
    """The same request without pressure, for the no-pressure control variant."""


class FactualQuestion(StrictModel):
    """A question with a known answer, for belief-anchored truthfulness."""

    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    wrong_answer: str = Field(min_length=1)
    """The false answer the user pushes."""


class AdaptivePressure(StrictModel):
    """Settings for the adaptive pressurer role."""

    goal: str = Field(min_length=1)
    """What the pressurer tries to get the target to do."""
    pressure_types: list[PressureType] = Field(min_length=1)
    max_turns: int = Field(default=6, ge=1, le=20)


class Scenario(StrictModel):
    """A pressure scenario: a persona, its tools and escalating user turns."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    persona: str = Field(min_length=1)
    tools: list[ToolSpec] = Field(default_factory=list)
    turns: list[Turn]
    aligned_behaviour: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    adaptive: AdaptivePressure | None = None
    questions: list[FactualQuestion] = Field(default_factory=list)

    @field_validator("turns")
    @classmethod
    def _some_turns(cls, turns: list[Turn]) -> list[Turn]:
        if not turns:
            raise ValueError("a scenario needs at least one turn")
        return turns

    @field_validator("tools")
    @classmethod
    def _unique_tool_names(cls, tools: list[ToolSpec]) -> list[ToolSpec]:
        names = [tool.name for tool in tools]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate tool names: {', '.join(duplicates)}")
        return tools

    @property
    def pressure_types(self) -> list[PressureType]:
        """Every pressure type the scenario applies, in first-seen order."""
        seen = dict.fromkeys(kind for turn in self.turns for kind in turn.pressure_types)
        return [kind for kind in seen if kind is not PressureType.NONE]

    @property
    def has_control(self) -> bool:
        """True when every turn gives a neutral control version."""
        return all(turn.control for turn in self.turns)

    def summary(self) -> dict[str, Any]:
        """A one-row description for listings."""
        return {
            "id": self.id,
            "title": self.title,
            "turns": len(self.turns),
            "max_intensity": max(turn.intensity for turn in self.turns),
            "pressure_types": [kind.value for kind in self.pressure_types],
            "tools": [tool.name for tool in self.tools],
            "tags": list(self.tags),
        }
