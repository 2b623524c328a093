"""The one way YAML files are read: each problem (unreadable file, syntax, a key given twice, a field that
does not validate) reads `file:LINE: field 'a.b[2]': what`.

Scenario, request, tactic, experiment, reference, overlap and calibration files all load through
`load_yaml`; a loader's own checks after validation point at lines with `Loaded.problem`. Files the
toolkit writes are written by `dump_yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[Any, ...]
"""A field's place in a file, as pydantic gives it: ("turns", 2, "intensity")."""


class StrictModel(BaseModel):
    """The base of every file schema: an unknown field is refused and a loaded value cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class YamlError(ValueError):
    """A YAML file that does not load; each of `problems` reads `LINE: what`, the message puts the file first."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}:{problem}" for problem in problems))


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated file: its value, and its YAML node tree to point later problems at lines."""

    value: M
    root: yaml.Node

    def line(self, loc: Loc) -> int:
        """1-based line of the field at `loc` (or of its deepest existing parent)."""
        return _line_of(self.root, loc)

    def problem(self, loc: Loc, message: str) -> str:
        """`LINE: field 'a.b[2]': message` for the field at `loc`."""
        return _problem(self.root, loc, message)


def read_text(path: Path | str, error: type[YamlError] = YamlError) -> str:
    """A file's UTF-8 text; raises `error` (file and line) when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(path, [f"1: cannot read file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise error(path, [f"{line}: file is not UTF-8 text (byte {exc.start})"]) from None


def load_yaml(text: str, path: Path | str, model: type[M], shape: str, error: type[YamlError] = YamlError) -> Loaded[M]:
    """`text` (of the file `path`) validated as `model`; raises `error` listing every problem with its line.

    A key given twice in one mapping is refused (YAML would silently keep the last one). `shape` is the
    problem for a file that is not a mapping ("a scenario file must be a YAML mapping (id:, ...)").
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise error(path, [_syntax_problem(exc, text)]) from None
    finally:
        loader.dispose()
    if root is None or not isinstance(data, dict):
        raise error(path, [f"1: {shape}"])
    repeated = _repeated_keys(root)
    if repeated:
        raise error(path, repeated)
    try:
        return Loaded(model.model_validate(data), root)
    except ValidationError as exc:
        raise error(path, [_problem(root, tuple(e["loc"]), describe(e)) for e in exc.errors()]) from None


def dump_yaml(value: BaseModel) -> str:
    """The fields that differ from their defaults as YAML text, in field order; the same value gives the same bytes."""
    return yaml.safe_dump(value.model_dump(mode="json", exclude_defaults=True), sort_keys=False, allow_unicode=True, width=100)


def describe(error: Any) -> str:
    """What is wrong, in words, for one pydantic error; the rejected value is quoted when it is a plain value."""
    loc = tuple(error["loc"])
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    if error["type"] == "enum":
        noun = next(str(key) for key in reversed(loc) if isinstance(key, str)).replace("_", " ").removesuffix("s")
        choices = ", ".join(re.findall(r"'([^']*)'", error["ctx"]["expected"]))
        return f"unknown {noun} {error['input']!r}; choose one of: {choices}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if isinstance(error.get("input"), (str, int, float, bool)):
        message += f" (got {error['input']!r})"
    return message


def field_path(loc: Loc) -> str:
    """`turns[2].intensity` for the location ("turns", 2, "intensity")."""
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in loc).removeprefix(".") or "(top level)"


def _problem(root: yaml.Node, loc: Loc, message: str) -> str:
    return f"{_line_of(root, loc)}: field '{field_path(loc)}': {message}"


def _line_of(root: yaml.Node, loc: Loc) -> int:
    """1-based line of the deepest YAML node that exists along a location."""
    node = root
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            child = node.value[key] if 0 <= key < len(node.value) else None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _repeated_keys(root: yaml.Node) -> list[str]:
    """`LINE: field 'a.key': given twice...` for each mapping key given twice, in line order."""
    found: list[tuple[int, str]] = []
    pending: list[tuple[yaml.Node, Loc]] = [(root, ())]
    visited: set[int] = set()
    while pending:
        node, loc = pending.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            pending.extend((child, (*loc, index)) for index, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name in seen:
                    found.append((key.start_mark.line + 1, f"field '{field_path((*loc, name))}': given twice in the same mapping"))
                if name is not None:
                    seen.add(name)
                pending.append((value, (*loc, name)))
    return [f"{line}: {what}" for line, what in sorted(found)]


def _syntax_problem(exc: yaml.YAMLError, text: str) -> str:
    """`LINE: invalid YAML: ...`, pointing where an unclosed construct began when the file simply ran out."""
    mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    line = mark.line + 1 if mark is not None else 1
    if context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
        line = context_mark.line + 1
    where = f" ({context} from line {context_mark.line + 1})" if context and context_mark else ""
    return f"{line}: invalid YAML: {problem}{where}"
