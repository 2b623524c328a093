"""The user's judge choice, parsed once where it is given (the command line, an experiment file, the Inspect
task's arguments): a panel of named judges and the method they score with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.model import get_model

from pressure_sense.judge._engine import check_method, model_judge, trained_judge
from pressure_sense.judge._judge import Judge
from pressure_sense.models import EMBEDDED_MODEL, ModelResolutionError, resolve_model

NO_JUDGE = "none"
"""The judge name that turns judging off."""
TRAINED_JUDGE = "trained"
"""The offline reader shipped in the package (a MiniLM cross-encoder fine-tuned to read what an answer does)."""


@dataclass(frozen=True)
class JudgeSeat:
    """One judge of a panel: the name the user gave and the model role it answers through."""

    name: str | None = None
    """As given (`trained`, `trained:PATH`, `embedded`, `openai/gpt-4o`); None: the eval's model for `role`, else
    the embedded model (stored under its Inspect name)."""
    role: str = "grader"
    reader: str | None = None
    """A trained judge's reader weights file (`""`: the shipped one); None for a model judge."""

    @classmethod
    def parse(cls, name: str, role: str = "grader") -> JudgeSeat:
        """`trained`, `trained:PATH` (an existing file) or a model name of a known provider; ValueError names it."""
        prefix, separator, path = name.partition(":")
        if name == TRAINED_JUDGE or (prefix == TRAINED_JUDGE and separator and path):
            if path and not Path(path).is_file():
                raise ValueError(
                    f"judge {name!r}: no such reader weights file {path} "
                    "(write one with `pressure-sense judge validate -o FILE`)"
                )
            return cls(name, role, reader=path)
        try:
            resolve_model(name, check=False)
        except ModelResolutionError as exc:
            raise ValueError(str(exc)) from None
        return cls(name, role)

    @property
    def trained(self) -> bool:
        """Whether the offline reader judges (no model calls)."""
        return self.reader is not None

    @property
    def label(self) -> str:
        """The seat as a study records it: its name, else its role."""
        return self.name or self.role

    def _repr_params_(self) -> str | None:
        """How Inspect logs the seat among a scorer's arguments: the name as the user gave it."""
        return self.name

    def check(self) -> None:
        """Load a trained judge's file, or check a named model's key, base URL and SDK (ModelResolutionError)."""
        if self.reader is not None:
            trained_judge(self.label, self.reader)
        elif self.name:
            resolve_model(self.name)

    def judge(self, method: str = "auto", max_retries: int = 2) -> Judge:
        """The judge in this seat: the trained reader, else the eval's model for its role, else the named model
        (with its key and base URL), else the embedded model."""
        if self.reader is not None:
            return trained_judge(self.label, self.reader)
        default = resolve_model(self.name).get_model() if self.name else EMBEDDED_MODEL
        model = get_model(role=self.role, default=default)
        return model_judge(self.name or str(model), model, method, max_retries)


@dataclass(frozen=True)
class JudgeChoice:
    """A panel of judges (judge i answers through the model role `grader`, `grader_2`...) and the method they
    score with; an empty panel turns judging off."""

    panel: tuple[JudgeSeat, ...] = (JudgeSeat(),)
    method: str = "auto"
    """auto | one of METHODS."""

    @classmethod
    def parse(cls, names: str | Sequence[str] | None = None, method: str = "auto") -> JudgeChoice:
        """One name or a list (a panel) as given; `none` (or no names) turns judging off; None: one judge, the
        `grader` role's model, else the embedded model. ValueError names what was given."""
        check_method(method)
        given = [names] if isinstance(names, str) else names
        if given is None:
            return cls(method=method)
        if NO_JUDGE in given and len(given) > 1:
            raise ValueError("judge 'none' turns judging off; it cannot be part of a panel")
        named = [name for name in given if name != NO_JUDGE]
        roles = ["grader", *(f"grader_{position}" for position in range(2, len(named) + 1))]
        return cls(tuple(JudgeSeat.parse(name, role) for name, role in zip(named, roles)), method)

    @property
    def names(self) -> list[str]:
        """The judges' names as the user gave them (the unnamed default judge has none)."""
        return [seat.name for seat in self.panel if seat.name]

    @property
    def model_seats(self) -> tuple[JudgeSeat, ...]:
        """The seats whose judge calls a model (every one but the trained readers)."""
        return tuple(seat for seat in self.panel if not seat.trained)
