"""The package's shape (ARCHITECTURE.md): no import cycles, imports that point down the layers, no
module over 400 lines. Read from the source, so it holds for imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qa"
MAX_LINES = 400
# Lower layers never import higher ones; qa/__init__.py, the public face, may name anything.
LAYERS = [
    {"qa.types", "qa.errors", "qa.config", "qa.text"},
    {"qa.chunk", "qa.embed", "qa.store", "qa.ingest", "qa.quotes"},
    {"qa.index", "qa.indexing", "qa.indexing_ray", "qa.search"},
    {"qa.answer", "qa.evaluate", "qa.watch"},
    {"qa.server", "qa.cli"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_modules(path: Path) -> set[str]:
    """The qa modules ``path`` imports anywhere (functions included), except under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if is_type_checking_block(node):
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in MODULES}


GRAPH = {name: imported_modules(path) - {name} for name, path in MODULES.items()}


def layer_of(module: str) -> int | None:
    for number, members in enumerate(LAYERS):
        if any(module == member or module.startswith(member + ".") for member in members):
            return number
    return None


def test_every_module_has_a_layer() -> None:
    assert [name for name in MODULES if name != "qa" and layer_of(name) is None] == []


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in GRAPH.items() if module != "qa"
        for target in targets if target != "qa" and layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "visiting" or "done"

    def walk(module: str, trail: list[str]) -> None:
        state[module] = "visiting"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "visiting":
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                walk(target, trail + [target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            walk(module, [module])
    assert [" → ".join(cycle) for cycle in cycles] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_400_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines"


def test_the_checks_see_imports_inside_functions_and_skip_type_checking_blocks(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from qa import search\n"
        "if TYPE_CHECKING:\n    from qa.index import Index\n"
        "def later():\n    from qa.answer import ask\n",
        encoding="utf-8",
    )
    assert imported_modules(source) == {"qa.search", "qa.answer"}
