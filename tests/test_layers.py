"""The package's layers hold (issue 23): no import cycle anywhere, and no import of the package's own modules hidden
inside a function, where it would make a cycle that import-linter and grimp cannot see. The layer order itself is
the import-linter contract in pyproject.toml (`make lint` runs both)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

import influencer_roi

PACKAGE = "influencer_roi"
SOURCE = Path(influencer_roi.__file__).parent  # the package grimp reads, wherever it is installed from
DEFERRED_ALLOWED = {"cli.py", "entry.py"}  # deferred: `--help` is fast, a Ctrl-C while starting is caught


def find_cycle(graph, modules) -> list[str] | None:
    """One import cycle among `modules` (as [a, b, ..., a]), or None: a depth-first search over the direct imports."""
    modules = set(modules)
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if state.get(imported) == 1:
                return path[path.index(imported) :] + [imported]
            if imported not in state and (cycle := visit(imported)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(modules):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_no_import_cycle():
    graph = grimp.build_graph(PACKAGE)
    cycle = find_cycle(graph, graph.modules)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    package = tmp_path / "circular_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("circular_pkg", cache_dir=None)
    cycle = find_cycle(graph, graph.modules)
    assert cycle is not None
    assert set(cycle) == {"circular_pkg.a", "circular_pkg.b"}
    assert cycle[0] == cycle[-1]


def _own_imports_in_functions(path: Path) -> list[str]:
    """`line: statement` for each import of the package's own modules inside a function or method of `path`."""
    found = []

    def own(node: ast.AST) -> bool:
        if isinstance(node, ast.ImportFrom):
            return node.level > 0 or (node.module or "").split(".")[0] == PACKAGE
        return isinstance(node, ast.Import) and any(a.name.split(".")[0] == PACKAGE for a in node.names)

    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            found += [f"{n.lineno}: {ast.unparse(n)}" for n in ast.walk(function) if own(n)]
    return sorted(set(found))


MODULES = sorted(p for p in SOURCE.rglob("*.py") if p.name not in DEFERRED_ALLOWED or p.parent != SOURCE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_own_import_inside_a_function(path):
    assert _own_imports_in_functions(path) == []


def test_the_scan_sees_a_deferred_import(tmp_path):
    module = tmp_path / "deferred.py"
    module.write_text("def f():\n    from . import worlds\n    import influencer_roi.simulate\n    import seaborn\n")
    assert _own_imports_in_functions(module) == ["2: from . import worlds", "3: import influencer_roi.simulate"]


def test_grimp_sees_the_package():
    """The cycle test is only as good as the graph: every module of the package is in it."""
    modules = grimp.build_graph(PACKAGE).modules
    assert {f"{PACKAGE}.{p.stem}" for p in SOURCE.glob("*.py") if p.stem != "__init__"} <= modules
