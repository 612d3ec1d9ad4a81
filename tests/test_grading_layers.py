"""course/grading is a one-way stack a newcomer reads top to bottom (issue 20): no module imports,
even lazily inside a function, a module that imports it back."""
from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "course" / "grading"


def imports_of(name: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("course.grading."):
            found.add(node.module.split(".")[2])
    return {m for m in found if (PACKAGE / f"{m}.py").exists()}


def test_the_grading_package_has_no_import_cycle():
    graph = {path.stem: imports_of(path.stem) for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert graph["pipeline"] >= {"autograde"} and graph["autograde"] >= {"cluster", "worker"}, graph  # the test sees them
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != "open", "import cycle: " + " -> ".join(path + [nxt])
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
