"""The turn-level reference set: hand-labelled assistant turns with their conversation so far, one YAML file per
scenario family (`reference/GUIDE.md`); the dimensions come from the labels or the file's `dimensions`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from pressure_sense.conversation import ToolEvent, TurnRecord, split_scratchpad
from pressure_sense.judge_quality._transcripts import answer_turn
from pressure_sense.scenarios import PressureType
from pressure_sense.yaml_files import Loaded, StrictModel, YamlError, load_yaml, read_text

Kind = Literal["clear_pass", "clear_fail", "borderline"]

OVERLAP_FILE = "overlap.yaml"
"""Second labels of the double-labelled turns; not a family file, so folders skip it."""


class ReferenceSetError(ValueError):
    """A reference-set file is invalid; the message names file, line and field."""


class ReferenceFileError(YamlError, ReferenceSetError):
    """One reference-set file is invalid; each of `problems` reads `LINE: field '...': what`."""


class ToolCallSpec(StrictModel):
    """One tool call the agent made in a turn."""

    function: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: Any = None


class TurnSpec(StrictModel):
    """One user message, the assistant's reply and its labels."""

    user: str = Field(min_length=1)
    assistant: str = Field(min_length=1)
    tool_calls: list[ToolCallSpec] = Field(default_factory=list)
    kind: Kind
    labels: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(min_length=1)
    """Whole-number scores 1-5 per dimension; the dimensions are whatever the file labels."""
    gave_way: bool
    disagreement: bool | None = None
    note: str | None = None

    @field_validator("labels")
    @classmethod
    def _scores(cls, labels: dict[str, int]) -> dict[str, int]:
        for name in labels:
            if not name.isidentifier():
                raise ValueError(f"dimension name {name!r} must be a plain word (letters, digits, underscores)")
        return labels

    @model_validator(mode="after")
    def _consistent(self) -> TurnSpec:
        has_scratchpad = split_scratchpad(self.assistant)[0] is not None
        if has_scratchpad and self.disagreement is None:
            raise ValueError("the reply has a <reasoning> scratchpad: set disagreement to true or false")
        if not has_scratchpad and self.disagreement is not None:
            raise ValueError("disagreement is only for replies with a <reasoning> scratchpad: leave it out")
        if self.kind == "borderline" and not (self.note and self.note.strip()):
            raise ValueError("a borderline turn needs a note saying why")
        return self


class ConversationSpec(StrictModel):
    """One labelled conversation."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    persona: str = Field(min_length=1)
    aligned_behaviour: str = Field(min_length=1)
    pressure_types: list[PressureType] = Field(default_factory=list)
    turns: list[TurnSpec] = Field(min_length=1)


class ReferenceFile(StrictModel):
    """One scenario family's file."""

    family: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    description: str = Field(min_length=1)
    dimensions: list[str] | None = None
    """The dimensions every turn labels; when left out, the labels of the first turn decide."""
    conversations: list[ConversationSpec] = Field(min_length=1)


@dataclass(frozen=True)
class LabelledTurn:
    """One judged assistant turn with its conversation so far and its hand labels."""

    family: str
    conversation_id: str
    turn_index: int
    """0-based position of the judged turn in its conversation."""
    persona: str
    aligned_behaviour: str
    earlier: tuple[TurnRecord, ...]
    """The conversation so far: every turn before the judged one."""
    judged: TurnRecord
    """The judged turn: its user message, scratchpad (if any), output and tool calls."""
    labels: dict[str, int]
    gave_way: bool
    disagreement: bool | None
    """Only for scratchpad turns: the output hides or contradicts the scratchpad."""
    kind: str
    """clear_pass | clear_fail | borderline."""
    note: str | None = None
    pressure_types: tuple[str, ...] = ()
    """Metadata only; no judge sees it."""
    source: str = ""
    """`file:line` of the turn."""


def data_dir(name: str) -> Path:
    """A data folder shipped inside judge_quality (reference, calibration, matched, blind)."""
    return Path(str(resources.files("pressure_sense.judge_quality") / name))


def reference_dir() -> Path:
    """The folder of the built-in turn-level reference set."""
    return data_dir("reference")


def _file_dimensions(loaded: Loaded[ReferenceFile], path: Path) -> tuple[str, ...]:
    """The dimensions the file labels; raises ReferenceFileError at a turn that labels others."""
    parsed = loaded.value
    declared = tuple(parsed.dimensions) if parsed.dimensions else None
    expected = declared or tuple(parsed.conversations[0].turns[0].labels)
    if declared is not None and len(set(declared)) != len(declared):
        raise ReferenceFileError(path, [loaded.problem(("dimensions",), "a dimension is listed twice")])
    problems = []
    for c, conversation in enumerate(parsed.conversations):
        for t, turn in enumerate(conversation.turns):
            if set(turn.labels) != set(expected):
                source = "the file's dimensions" if declared else "the file's first turn"
                message = f"labels {', '.join(sorted(turn.labels))} but {source} says {', '.join(expected)}"
                problems.append(loaded.problem(("conversations", c, "turns", t, "labels"), message))
    if problems:
        raise ReferenceFileError(path, problems)
    return expected


def _record(index: int, spec: TurnSpec) -> TurnRecord:
    events = [
        ToolEvent(
            call_id=f"call-{index}-{n}", function=call.function, arguments=dict(call.arguments),
            result="" if call.result is None else call.result if isinstance(call.result, str) else json.dumps(call.result),
        )
        for n, call in enumerate(spec.tool_calls)
    ]  # fmt: skip
    return answer_turn(index, spec.user.strip(), spec.assistant, events)


def _turns(loaded: Loaded[ReferenceFile], path: Path) -> list[LabelledTurn]:
    parsed = loaded.value
    turns: list[LabelledTurn] = []
    for c, conversation in enumerate(parsed.conversations):
        earlier: list[TurnRecord] = []
        for index, spec in enumerate(conversation.turns):
            judged = _record(index, spec)
            turns.append(LabelledTurn(
                family=parsed.family, conversation_id=conversation.id, turn_index=index,
                persona=conversation.persona.strip(), aligned_behaviour=conversation.aligned_behaviour.strip(),
                earlier=tuple(earlier), judged=judged, labels=dict(spec.labels), gave_way=spec.gave_way,
                disagreement=spec.disagreement, kind=spec.kind, note=spec.note,
                pressure_types=tuple(p.value for p in conversation.pressure_types),
                source=f"{path}:{loaded.line(('conversations', c, 'turns', index))}",
            ))
            earlier.append(judged)
    return turns


def labelled_files(paths: list[Path | str], what: str, error: type[ValueError], skip: str = "") -> list[Path]:
    """The files, and the sorted .yaml then .yml files of the folders, in `paths` (a folder's `skip` left out);
    raises `error` for a path that does not exist or when no file is found."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
            files.extend(p for p in found if p.name != skip)
        elif path.is_file():
            files.append(path)
        else:
            raise error(f"{path}: no such file or folder")
    if not files:
        raise error(f"{', '.join(str(p) for p in paths)}: no .yaml {what} files found")
    return files


def claim_ids(
    loaded: Loaded[Any], path: Path, field: str, ids: list[str], seen: dict[str, Path], error: type[YamlError],
    noun: str = "",
) -> None:
    """Note in `seen` the file of each id of the list `field`; raises `error` at an id already used (`noun` leads)."""
    for position, item_id in enumerate(ids):
        if item_id in seen:
            message = f"{noun}{item_id!r} is already used in {seen[item_id]}"
            raise error(path, [loaded.problem((field, position, "id"), message)])
        seen[item_id] = path


def load_reference(paths: list[Path | str] | None = None) -> list[LabelledTurn]:
    """Every labelled turn of reference YAML files or folders (default: the built-in set), in file order;
    conversation ids must be unique across the files, and every file must label the same dimensions."""
    turns: list[LabelledTurn] = []
    seen_ids: dict[str, Path] = {}
    first_dimensions: tuple[Path, tuple[str, ...]] | None = None
    shape = "a reference file must be a mapping with family, description, conversations"
    for path in labelled_files(paths or [reference_dir()], "reference", ReferenceSetError, OVERLAP_FILE):
        loaded = load_yaml(read_text(path, ReferenceFileError), path, ReferenceFile, shape, ReferenceFileError)
        parsed = loaded.value
        dimensions = _file_dimensions(loaded, path)
        if first_dimensions is None:
            first_dimensions = (path, dimensions)
        elif set(dimensions) != set(first_dimensions[1]):
            message = (
                f"labels {', '.join(dimensions)} but {first_dimensions[0]} labels {', '.join(first_dimensions[1])}; "
                "one set must label the same dimensions"
            )
            raise ReferenceFileError(path, [loaded.problem(("dimensions",), message)])
        claim_ids(loaded, path, "conversations", [c.id for c in parsed.conversations], seen_ids, ReferenceFileError)
        turns.extend(_turns(loaded, path))
    return turns
