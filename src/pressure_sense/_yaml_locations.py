"""Reading YAML files, and where a problem sits in one: the line of a field, the field's name, syntax
errors, repeated keys.

Shared by the loaders of scenarios, experiments and calibration files, whose errors read
`file:line: field '...': what`.
"""

from __future__ import annotations

from typing import Any

import yaml


class YamlProblems(ValueError):
    """YAML text that does not read as data; each problem reads `LINE: what`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data of YAML text; raises YamlProblems on a syntax error or on a
    key given twice in one mapping (YAML would silently keep the last value)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise YamlProblems([yaml_syntax_problem(exc, text)]) from None
    duplicates = duplicate_key_problems(root) if root is not None else []
    if duplicates:
        raise YamlProblems(duplicates)
    return root, data


def node_at(root: yaml.Node, loc: tuple[Any, ...]) -> yaml.Node:
    """The deepest YAML node that exists along a pydantic error location."""
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
    return node


def line_of(root: yaml.Node, loc: tuple[Any, ...]) -> int:
    """1-based line of the field at `loc` (or of its deepest existing parent)."""
    return node_at(root, loc).start_mark.line + 1


def field_path(loc: tuple[Any, ...]) -> str:
    """`turns[2].intensity` for the location ("turns", 2, "intensity")."""
    parts: list[str] = []
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        else:
            parts.append(("." if parts else "") + str(key))
    return "".join(parts) or "(top level)"


def duplicate_key_problems(root: yaml.Node) -> list[str]:
    """`LINE: field 'KEY': given twice...` for mapping keys given twice (YAML would keep the last one)."""
    problems: list[str] = []
    pending, visited = [root], set()
    while pending:
        node = pending.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        line = key.start_mark.line + 1
                        problems.append(f"{line}: field '{key.value}': given twice in the same mapping")
                    seen.add(key.value)
                pending.append(value)
    return sorted(problems, key=lambda problem: int(problem.split(":")[0]))


def yaml_syntax_problem(exc: yaml.YAMLError, text: str) -> str:
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
