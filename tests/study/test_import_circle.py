"""No import circle among the study package's modules (module- and function-level imports alike)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "pressure_sense"


def module_graph(package: str) -> dict[str, set[str]]:
    """Each module of `package` (dotted, under pressure_sense) and the modules of that package it imports."""
    modules = {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (PACKAGE / package).rglob("*.py")
    }
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                module = node.module.removeprefix("pressure_sense.")
                found |= {module, *(f"{module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                found |= {alias.name.removeprefix("pressure_sense.") for alias in node.names}
        graph[name] = (found & modules.keys()) - {name}
    return graph


def circle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle of the graph as a path (first module repeated at the end), or [] when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for imported in sorted(graph[module]):
            if found := visit(imported):
                return found
        path.pop()
        done.add(module)
        return []

    return next((found for module in sorted(graph) if (found := visit(module))), [])


def test_the_circle_finder_finds_a_planted_circle():
    assert circle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert circle({"a": {"b"}, "b": set()}) == []


def test_study_modules_import_each_other_without_a_circle():
    graph = module_graph("study")
    assert {"study._run", "study._ray", "study._resume", "study._executor"} <= graph.keys()
    assert "study._ray" in graph["study._run"], "the function-level import of the Ray executor is seen"
    assert circle(graph) == [], " -> ".join(circle(graph))
