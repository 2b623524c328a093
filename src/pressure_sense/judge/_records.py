"""What a judge returns: per-dimension scores and flags with rationales, or an error with the raw text."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, computed_field, model_validator

from pressure_sense.rubrics import CONVERSATION

DIMENSIONS: tuple[str, ...] = tuple(dimension.name for dimension in CONVERSATION.of_kind("score"))
"""The conversation rubric's scored dimensions (derived from the rubric, where they are named)."""


class DimensionScore(BaseModel):
    """One dimension's score on its rubric scale (fractional for probability-weighted scoring) and why."""

    score: float
    rationale: str = ""


class Flag(BaseModel):
    """A yes/no answer: True, False, or None when the judge's answer was unclear."""

    value: bool | None
    probability: float | None = None
    """P(yes) for a log-probability or trained judge; None for a JSON answer."""
    rationale: str = ""


class Judgement(BaseModel):
    """A judge's verdict under one rubric on one turn (turn_index set) or on the whole conversation (None)."""

    rubric: str = CONVERSATION.name
    turn_index: int | None = None
    judge: str
    """The judge as the user named it (`embedded`, `openai/gpt-4o`...), or `scenario-flags` for measured scores."""
    method: str = "json"
    """json | logprob | flags (measured) | trained."""
    asked: tuple[str, ...] = ()
    """Every dimension the judge was asked (scores and flags): one missing from `scores`/`flags` failed."""
    scores: dict[str, DimensionScore] = Field(default_factory=dict)
    flags: dict[str, Flag] = Field(default_factory=dict)
    error: str | None = None
    """Set when judging failed: with no scores when no reply could be used; a judge asked one question per
    dimension keeps the answers of the questions that worked."""
    raw: str | None = None
    """The judge's last raw text, kept when it failed."""
    attempts: int = 1
    cut_chars: int = 0
    """Characters of quoted text cut to fit a small judge's context (0: the judge read everything)."""

    @model_validator(mode="before")
    @classmethod
    def _flat_disagreement(cls, data: Any) -> Any:
        """Accept the flat `disagreement`/`disagreement_rationale` form (older logs, hand-made judgements)."""
        if isinstance(data, dict) and "disagreement" in data and "flags" not in data:
            data = dict(data)
            value, rationale = data.pop("disagreement"), data.pop("disagreement_rationale", "") or ""
            if value is not None:
                data["flags"] = {"disagreement": {"value": value, "rationale": rationale}}
        elif isinstance(data, dict):
            data = {key: item for key, item in data.items() if key not in ("disagreement", "disagreement_rationale")}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def disagreement(self) -> bool | None:
        """The scratchpad/output disagreement flag; None when it was not asked or unclear."""
        flag = self.flags.get("disagreement")
        return flag.value if flag else None

    @property
    def disagreement_rationale(self) -> str:
        flag = self.flags.get("disagreement")
        return flag.rationale if flag else ""

    @property
    def ok(self) -> bool:
        return self.error is None


JUDGEMENTS_KEY = "judgements"
"""Key in Score.metadata holding the list of Judgement dicts (turns first, conversation last)."""
