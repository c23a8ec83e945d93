"""The import graph of ``ocr_playground``: no cycles, and arrows that point one way.

Read from the source (every ``import``, at the top of a module or inside a function), so a lazy
import that only hides a cycle counts as the cycle it is. The layers, from the bottom up:

- ``errors``, ``artifacts``, ``cachekey``, ``settings``, ... : leaf modules every layer may use;
- ``imaging``: pixels, ops and pipelines; it imports nothing of the project above the leaves;
- the domains ``jobs``, ``inference``, ``runs``, ``commands`` (and the modules beside them);
- ``api`` (the HTTP surface) and ``cli`` (the command line), which nothing below imports.

docs/architecture.md explains the same rules in prose.
"""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ocr_playground"
ROOT = "ocr_playground"
# What imaging may import from the project besides itself: leaves that know nothing of the rest.
IMAGING_MAY_IMPORT = {f"{ROOT}.errors", f"{ROOT}.artifacts"}
SURFACES = (f"{ROOT}.api", f"{ROOT}.cli", f"{ROOT}.__main__")


def within(module: str, *areas: str) -> bool:
    return any(module == a or module.startswith(f"{a}.") for a in areas)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (``from pkg import mod`` names ``pkg.mod``)."""
    found: set[str] = set()
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith(ROOT)}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base])
                base = base.rstrip(".")
            if not base.startswith(ROOT):
                continue
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name in known and name != me}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def area(module: str) -> str:
    """A module's area: its sub-package (``ocr_playground.jobs``) or, for a top-level module, itself."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_the_module_graph_has_no_cycle() -> None:
    assert cycles(graph()) == []


def test_the_area_graph_has_no_cycle() -> None:
    # One level up: no package imports another that imports it back (through any of their modules).
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph().items():
        edges[area(module)] |= {area(t) for t in targets if area(t) != area(module)}
    assert cycles(dict(edges)) == []


def test_imaging_imports_nothing_of_the_project_but_leaves() -> None:
    strays = {
        (module, target)
        for module, targets in graph().items()
        if within(module, f"{ROOT}.imaging")
        for target in targets
        if not within(target, f"{ROOT}.imaging") and target not in IMAGING_MAY_IMPORT
    }
    assert strays == set()


def test_nothing_below_the_surfaces_imports_api_or_cli() -> None:
    strays = {
        (module, target)
        for module, targets in graph().items()
        if not within(module, *SURFACES)
        for target in targets
        if within(target, *SURFACES)
    }
    assert strays == set()


def test_argparse_lives_in_the_cli_package_only() -> None:
    users = set()
    for name, path in modules().items():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if "argparse" in names:
                users.add(name)
    assert {name for name in users if not within(name, f"{ROOT}.cli")} == set()


def test_the_cycle_finder_finds_a_cycle() -> None:
    # The checks above pass on an empty answer; this one shows the finder can say otherwise.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert imports_of(PACKAGE / "api" / "inputs.py", modules()) >= {f"{ROOT}.inference.jobs"}
