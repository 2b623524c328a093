"""No module of judge/ imports, at any level (function bodies and TYPE_CHECKING blocks included), a module
that imports it back: shared pieces have one home that both sides import."""

from __future__ import annotations

import ast
from pathlib import Path

import pressure_sense.judge

PACKAGE = Path(pressure_sense.judge.__file__).parent
NAME = "pressure_sense.judge"


def _imports(path: Path) -> set[str]:
    """The judge/ modules a file imports (`from pressure_sense.judge import X` counts X when it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(NAME + "._"):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.ImportFrom) and node.module == NAME:
            found |= {alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists()}
    return found


def test_no_import_circle_inside_judge() -> None:
    graph = {path.stem: _imports(path) - {path.stem} for path in PACKAGE.glob("_*.py")}
    reach = {module: set(deps) for module, deps in graph.items()}
    changed = True
    while changed:
        changed = False
        for module, seen in reach.items():
            more = set().union(*(reach.get(dep, set()) for dep in seen)) - seen
            if more:
                seen |= more
                changed = True
    assert sorted(module for module, seen in reach.items() if module in seen) == []
