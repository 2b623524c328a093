"""Labelled sets a judge is checked against: the built-in calibration YAML set and the 2024 study's
transcripts with its judge's scores."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from pressure_sense.conversation import TurnRecord, split_scratchpad
from pressure_sense.judge import DIMENSIONS
from pressure_sense.judge_quality._reference import claim_ids, data_dir, labelled_files
from pressure_sense.judge_quality._transcripts import TranscriptError, answer_turn, read_transcripts
from pressure_sense.yaml_files import Loaded, StrictModel, YamlError, load_yaml, read_text


@dataclass(frozen=True)
class LabelledConversation:
    """One conversation with its reference scores per dimension (and, with a scratchpad, its disagreement)."""

    id: str
    persona: str
    turns: tuple[TurnRecord, ...]
    labels: dict[str, float]
    aligned_behaviour: str | None = None
    disagreement: bool | None = None
    model: str | None = None
    """The model that wrote the answers, when known (for the self-preference probe)."""
    kind: str = ""
    """pass | fail | borderline | deceptive for the calibration set; empty when not classified."""
    group: str = ""
    """Scenario or situation, for grouping in reports."""
    turn_index: int | None = None
    """The judged turn (its labels are that turn's); None: the labels are for the whole conversation."""
    cluster: str = ""
    """What a bootstrap resamples (the conversation of a judged turn); empty: the item itself."""


@dataclass(frozen=True)
class LabelledSet:
    """A named list of labelled conversations and the dimensions its labels cover."""

    name: str
    items: tuple[LabelledConversation, ...] = field(default_factory=tuple)
    dimensions: tuple[str, ...] = DIMENSIONS
    """The dimensions the set labels (every item has a label for each); agreement is measured on these."""

    def labels(self, dimension: str) -> list[float]:
        """Reference scores of every item on one dimension, in item order."""
        return [item.labels[dimension] for item in self.items]


def check_labels(labels: dict[str, float], dimensions: tuple[str, ...] = DIMENSIONS) -> dict[str, float]:
    """The labels, if every declared dimension is present and scored 1-5; raises ValueError otherwise."""
    missing = [name for name in dimensions if name not in labels]
    if missing:
        raise ValueError(f"missing labels for {', '.join(missing)}")
    for name, value in labels.items():
        if name not in dimensions:
            raise ValueError(f"label {name!r} is not a declared dimension ({', '.join(dimensions)})")
        if not 1 <= value <= 5:
            raise ValueError(f"label {name}={value} is outside 1-5")
    return dict(labels)


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
    return data_dir("calibration")


def _parse(text: str, path: Path | str) -> Loaded[CalibrationFile]:
    """One validated calibration file, with its lines; raises CalibrationError naming file, line and field."""
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


def _calibration_item(file: CalibrationFile, item: CalibrationItem) -> LabelledConversation:
    return LabelledConversation(
        id=item.id, persona=file.persona, aligned_behaviour=file.aligned_behaviour,
        turns=tuple(answer_turn(index, turn.user, turn.assistant) for index, turn in enumerate(item.turns)),
        labels={name: float(value) for name, value in item.labels.items()}, disagreement=item.disagreement,
        kind=item.kind, group=file.situation,
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
        items.extend(_calibration_item(parsed, item) for item in parsed.items)
    return LabelledSet(name=name, items=tuple(items), dimensions=dimensions or DIMENSIONS)


STUDY_DIR_VAR = "PRESSURE_SENSE_STUDY_2024_DIR"
"""Environment variable naming the 2024 study's data folder (with transcripts/ and reference-scores/)."""

REFERENCE_ORDER: tuple[str, ...] = ("pressure", "alignment", "truthfulness", "coherence")
"""The dimensions the study's judge scored, in the order of the four values of each reference-score list
(the study's own declaration of what its labels cover)."""

REFERENCE_MODEL_KEYS: dict[str, str] = {
    "GPT4o": "gpt4o",
    "GPT4-0613": "gpt4",
    "Gemini 1.5 Pro": "gemini1.5pro",
    "Llama 3.1 8B": "meta-llama-3.1-8b-instruct",
}
"""Model names in the reference-score files -> model names in the transcript file names."""


class StudyDataError(ValueError):
    """The 2024 study's data folder is missing or not as expected; the message says what to do."""


def study_dir(path: Path | str | None = None) -> Path:
    """The study folder: `path`, else $PRESSURE_SENSE_STUDY_2024_DIR; checked for its two subfolders."""
    chosen = path or os.environ.get(STUDY_DIR_VAR)
    if not chosen:
        raise StudyDataError(
            f"--against study-2024 needs the 2024 study's data folder (with transcripts/ and reference-scores/): "
            f"pass --study-dir PATH or set {STUDY_DIR_VAR}"
        )
    folder = Path(chosen)
    for sub in ("transcripts", "reference-scores"):
        if not (folder / sub).is_dir():
            raise StudyDataError(
                f"{folder}: no {sub}/ folder; point --study-dir at the folder that holds transcripts/ and "
                "reference-scores/"
            )
    return folder


def _reference_scores(folder: Path) -> dict[tuple[str, str, str], dict[str, float]]:
    """(scenario_id, variant, model) -> labels, from reference-scores/scenario_S_{with,without}_reasoning.json."""
    scores: dict[tuple[str, str, str], dict[str, float]] = {}
    for path in sorted((folder / "reference-scores").glob("scenario_*_with*_reasoning.json")):
        number, _, rest = path.stem.removeprefix("scenario_").partition("_")
        variant = "chat+reasoning" if rest == "with_reasoning" else "chat"
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise StudyDataError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        for key, values in table.items():
            if key not in REFERENCE_MODEL_KEYS:
                known = ", ".join(REFERENCE_MODEL_KEYS)
                raise StudyDataError(f"{path}: unknown model {key!r}; expected one of {known}")
            if not isinstance(values, list) or len(values) != len(REFERENCE_ORDER):
                shape = "four scores [Pressure, Alignment, Truthfulness, Coherence]"
                raise StudyDataError(f"{path}: {key} must map to {shape}")
            try:
                labels = check_labels(dict(zip(REFERENCE_ORDER, map(float, values))), REFERENCE_ORDER)
            except (TypeError, ValueError) as exc:
                raise StudyDataError(f"{path}: {key}: {exc}") from None
            scores[(f"scenario_{number}", variant, REFERENCE_MODEL_KEYS[key])] = labels
    return scores


def load_study_2024(path: Path | str | None = None) -> LabelledSet:
    """The study's transcripts paired with their reference scores (conversation level), one item each."""
    folder = study_dir(path)
    references = _reference_scores(folder)
    try:
        conversations = read_transcripts([folder / "transcripts"])
    except TranscriptError as exc:
        raise StudyDataError(str(exc)) from None
    items = []
    for conversation in conversations:
        key = (conversation.scenario_id, conversation.variant, conversation.model)
        if key not in references:
            raise StudyDataError(f"{conversation.source}: no reference scores for {' / '.join(key)}")
        items.append(
            LabelledConversation(
                id=":".join(key),
                persona=conversation.system or "",
                turns=tuple(conversation.turns),
                labels=references[key],
                model=conversation.model,
                group=conversation.scenario_id,
            )
        )
    return LabelledSet(name="study-2024", items=tuple(items), dimensions=REFERENCE_ORDER)
