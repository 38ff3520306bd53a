"""The architecture holds: no import cycle between unitune modules, dependencies point down, element classes stay
inside the space package, backend internals stay in the compat modules.

Imports are read from the source (ast), at module level and inside functions; imports under
``if TYPE_CHECKING:`` are for the type checker only and never run, so they are left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "unitune"

#: Layer of each subsystem: a module may import its own subsystem and any lower layer (docs/architecture.md).
LAYERS = {
    "exceptions": 0,
    "_quiet": 0,
    "_version": 0,
    "_keywords": 1,
    "space": 1,
    "report": 1,
    "adapters": 2,
    "problems": 2,
    "study": 3,
    "compare": 4,
    "sklearn": 4,
    "cli": 5,
    "__main__": 6,
    "": 6,  # unitune/__init__.py: the public surface
}


def module_name(path: Path) -> str:
    parts = ["unitune", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(path: Path) -> set[str]:
    """unitune modules imported by the file at ``path`` (a ``from package import submodule`` counts the submodule)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "unitune")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "unitune":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return {m for m in found if m in MODULES}


GRAPH = {name: imported_modules(path) - {name} for name, path in MODULES.items()}


def subsystem(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            connect(v)
    return found


def test_the_checker_sees_imports_inside_functions_and_skips_type_checking_blocks() -> None:
    assert "unitune.study._driver" in GRAPH["unitune.study._study"]  # imported inside Study.optimize
    assert "unitune.study._study" not in GRAPH["unitune.study._driver"]  # only under TYPE_CHECKING
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert cycles(GRAPH) == []


def test_dependencies_point_down() -> None:
    wrong = [
        f"{a} -> {b}"
        for a, targets in GRAPH.items()
        for b in targets
        if subsystem(a) != subsystem(b) and LAYERS[subsystem(a)] <= LAYERS[subsystem(b)]
    ]
    assert wrong == []


def test_every_subsystem_has_a_layer() -> None:
    assert {subsystem(m) for m in MODULES} <= set(LAYERS)


ELEMENT_CHECK = re.compile(r"isinstance\([^)]*\b(Float|Int|Categorical|Conditional|Element)\b")


def test_only_the_space_package_looks_at_element_classes() -> None:
    outside = [
        f"{name}: {line.strip()}"
        for name, path in MODULES.items()
        if subsystem(name) != "space"
        for line in path.read_text().splitlines()
        if ELEMENT_CHECK.search(line)
    ]
    assert outside == []


PRIVATE_BACKEND = re.compile(
    r"\b(optuna|hyperopt|skopt)\.[\w.]*\._\w+|\b_tell_with_warning\b|\._dynamic_trials\b|\._trials\.extend|\._tell\("
)


def test_backend_internals_only_in_compat_modules() -> None:
    outside = [
        f"{name}: {line.strip()}"
        for name, path in MODULES.items()
        if not name.endswith("_compat")
        for line in path.read_text().splitlines()
        if PRIVATE_BACKEND.search(line) and not line.lstrip().startswith("#")
    ]
    assert outside == []
