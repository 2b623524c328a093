"""The hand-labelled calibration set: YAML files validated by pydantic, errors with file and line."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from pressure_sense.conversation import TurnRecord, split_scratchpad
from pressure_sense.judge import DIMENSIONS
from pressure_sense.judge_quality._labelled import (
    LabelledConversation,
    LabelledSet,
    check_labels,
)
from pressure_sense.judge_quality._reference import claim_ids, labelled_files
from pressure_sense.yaml_files import Loaded, StrictModel, YamlError, load_yaml, read_text

Kind = Literal["pass", "fail", "borderline", "deceptive"]


class CalibrationError(ValueError):
    """A calibration file is invalid; the message names file, line and field."""


class CalibrationFileError(YamlError, CalibrationError):
    """One calibration file is invalid; each of `problems` reads `LINE: field '...': what`."""


class Exchange(StrictModel):
    """One user message and the assistant's full answer (scratchpad tags included, if any)."""

    user: str = Field(min_length=1)
    assistant: str = Field(min_length=1)


class CalibrationItem(StrictModel):
    """One short conversation with its hand labels."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    kind: Kind
    turns: list[Exchange] = Field(min_length=2, max_length=4)
    labels: dict[str, Annotated[int, Field(ge=1, le=5)]]
    """Hand labels, whole numbers 1-5 (see RUBRIC.md), one per dimension the file declares."""
    disagreement: bool | None = None
    """Whether scratchpad and output disagree; required (true/false) when the answers have a scratchpad."""
    note: str = Field(min_length=1)
    """Why the labels are what they are."""

    @model_validator(mode="after")
    def _disagreement_matches_scratchpad(self) -> CalibrationItem:
        has_scratchpad = any(split_scratchpad(turn.assistant)[0] is not None for turn in self.turns)
        if has_scratchpad and self.disagreement is None:
            raise ValueError("the answers have a <reasoning> scratchpad: set disagreement to true or false")
        if not has_scratchpad and self.disagreement is not None:
            raise ValueError("disagreement must be left out when no answer has a <reasoning> scratchpad")
        if self.kind == "deceptive" and self.disagreement is not True:
            raise ValueError("a deceptive item needs a scratchpad that the output contradicts (disagreement: true)")
        return self


class CalibrationFile(StrictModel):
    """One situation: the assistant's persona, what aligned behaviour means, and labelled conversations."""

    situation: str = Field(min_length=1)
    dimensions: tuple[str, ...] = Field(default=DIMENSIONS, min_length=1)
    """The dimensions the file labels (default: the conversation rubric's scored dimensions)."""
    persona: str = Field(min_length=1)
    aligned_behaviour: str = Field(min_length=1)
    items: list[CalibrationItem] = Field(min_length=1)


def calibration_dir() -> Path:
    """The folder of the built-in calibration files."""
    return Path(str(resources.files("pressure_sense.judge_quality") / "calibration"))


def parse_calibration(text: str, path: Path | str = "<string>") -> CalibrationFile:
    """Parse and validate one calibration file; raises CalibrationError naming file, line and field."""
    return _parse(text, path).value


def _parse(text: str, path: Path | str) -> Loaded[CalibrationFile]:
    shape = "a calibration file must be a mapping with situation, persona, aligned_behaviour, items"
    loaded = load_yaml(text, path, CalibrationFile, shape, CalibrationFileError)
    problems = []
    for position, item in enumerate(loaded.value.items):
        try:
            check_labels({name: float(value) for name, value in item.labels.items()}, loaded.value.dimensions)
        except ValueError as exc:
            problems.append(loaded.problem(("items", position, "labels"), str(exc)))
    if problems:
        raise CalibrationFileError(path, problems)
    return loaded


def _labelled(file: CalibrationFile, item: CalibrationItem) -> LabelledConversation:
    turns = []
    for index, exchange in enumerate(item.turns):
        reasoning, output = split_scratchpad(exchange.assistant)
        turns.append(
            TurnRecord(
                index=index, pressure_types=[], intensity=0, user=exchange.user,
                raw=exchange.assistant, reasoning=reasoning, output=output,
            )
        )
    return LabelledConversation(
        id=item.id,
        persona=file.persona,
        aligned_behaviour=file.aligned_behaviour,
        turns=tuple(turns),
        labels={name: float(value) for name, value in item.labels.items()},
        disagreement=item.disagreement,
        kind=item.kind,
        group=file.situation,
    )


def load_calibration(paths: list[Path | str] | None = None, name: str = "calibration") -> LabelledSet:
    """The labelled set from calibration YAML files or folders (default: the built-in set)."""
    files = labelled_files(paths or [calibration_dir()], "calibration", CalibrationError)
    items: list[LabelledConversation] = []
    seen: dict[str, Path] = {}
    dimensions: tuple[str, ...] | None = None
    for path in files:
        loaded = _parse(read_text(path, CalibrationFileError), path)
        parsed = loaded.value
        if dimensions is not None and parsed.dimensions != dimensions:
            message = f"labels {', '.join(parsed.dimensions)}, but earlier files label {', '.join(dimensions)}"
            raise CalibrationFileError(path, [loaded.problem(("dimensions",), message)])
        dimensions = parsed.dimensions
        claim_ids(loaded, path, "items", [item.id for item in parsed.items], seen, CalibrationFileError, "item id ")
        items.extend(_labelled(parsed, item) for item in parsed.items)
    return LabelledSet(name=name, items=tuple(items), dimensions=dimensions or DIMENSIONS)
