"""The import graph of src/ keeps the layering docs/architecture.md documents, and every package imports alone."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pressure_sense"


def documented_layering() -> tuple[list[set[str]], set[tuple[str, str]], set[str]]:
    """(layers top to bottom, allowed sideways imports, entry modules) from the ```layering block."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"```layering\n(.*?)```", text, re.DOTALL)
    assert block, "docs/architecture.md has no ```layering block"
    layers, sideways, entry = [], set(), set()
    for line in block.group(1).strip().splitlines():
        if line.startswith("sideways:"):
            sideways = {tuple(pair.split("->")) for pair in line.removeprefix("sideways:").split()}
        elif line.startswith("entry:"):
            entry = set(line.removeprefix("entry:").split())
        else:
            layers.append(set(line.split()))
    return layers, sideways, entry


def unit_of(path: Path) -> str:
    """The top-level package (or module) of pressure_sense that a source file belongs to."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def imports(path: Path) -> set[str]:
    """Every pressure_sense unit a file imports, at module or function level."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "pressure_sense":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("pressure_sense."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("pressure_sense.")}
    return found


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        unit = unit_of(path)
        graph.setdefault(unit, set()).update(imports(path) - {unit})
    return graph


def test_every_import_follows_the_documented_layering():
    layers, sideways, entry = documented_layering()
    rank = {unit: position for position, layer in enumerate(layers) for unit in layer}
    graph = import_graph()
    missing = sorted(set(graph) - set(rank) - entry - {"__init__"})
    assert not missing, f"units not placed in the documented layering: {missing}"
    wrong = sorted(
        f"{unit} -> {target}"
        for unit, targets in graph.items()
        if unit not in entry and unit != "__init__"
        for target in targets
        if (unit, target) not in sideways and not rank[target] > rank[unit]
    )
    assert not wrong, f"imports against the documented layering: {wrong}"


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    state: dict[str, str] = {}

    def visit(unit: str, trail: list[str]) -> None:
        state[unit] = "open"
        for target in sorted(graph.get(unit, ())):
            if state.get(target) == "open":
                pytest.fail(f"import cycle: {' -> '.join([*trail, unit, target])}")
            if target not in state:
                visit(target, [*trail, unit])
        state[unit] = "done"

    for unit in sorted(graph):
        if unit not in state:
            visit(unit, [])


PACKAGES = sorted(path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists())


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_alone_in_a_fresh_interpreter(package: str):
    done = subprocess.run(
        [sys.executable, "-c", f"import pressure_sense.{package}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_module_imports_another_packages_private_module():
    """A package's public names are what its __init__ exports: `from pressure_sense.x._y import ...` stays inside x."""
    reaching = []
    for path in PACKAGE.rglob("*.py"):
        unit = unit_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("pressure_sense."):
                parts = node.module.split(".")
                if len(parts) > 2 and parts[1] != unit and any(p.startswith("_") for p in parts[2:]):
                    reaching.append(f"{path.relative_to(PACKAGE)}: {node.module}")
            elif isinstance(node, ast.ImportFrom) and node.module == "pressure_sense":
                reaching += [f"{path.relative_to(PACKAGE)}: pressure_sense.{a.name}" for a in node.names if a.name.startswith("_")]
    assert not reaching, f"private modules imported from another package: {sorted(reaching)}"


def module_graph() -> dict[str, set[str]]:
    """Each module of src/pressure_sense (dotted, without the `pressure_sense.` prefix) and the modules it imports,
    at module or function level."""
    modules = {
        ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
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
            return [*path[path.index(module):], module]
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


def test_no_module_imports_a_module_that_imports_it_back():
    graph = module_graph()
    assert "study._ray" in graph["study._run"], "function-level imports are seen"
    assert circle(graph) == [], " -> ".join(circle(graph))
