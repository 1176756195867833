"""The layout a newcomer relies on: layers that import only downwards, relative imports inside the
package, ``__all__`` in every public module, and docs/architecture.md naming every module.

Read from the source with ``ast`` (nothing is imported), so a module that breaks a rule is named.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "oda_widgets"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_aladin" not in p.parts)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports when run, as an absolute dotted name: at its top or inside
    a function (a late import is still a dependency), but not in ``if TYPE_CHECKING:`` blocks
    (never run: names for annotations only)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    tree = ast.parse(path.read_text())
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append(module)
            found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def _layer_imports(layer: str) -> dict[str, list[str]]:
    return {_name(p): [m for m in _imported_modules(p) if m.startswith("oda_widgets.")]
            for p in MODULES if _name(p).startswith(layer + "/")}


def test_the_modules_are_found():
    assert len(MODULES) > 80 and PACKAGE / "client" / "dispatcher.py" in MODULES


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("client", ("oda_widgets.widgets", "oda_widgets.analysis")),
    ("analysis", ("oda_widgets.widgets",)),
    ("sandbox", ("oda_widgets.client", "oda_widgets.widgets", "oda_widgets.analysis")),
])
def test_layers_import_only_downwards(layer, forbidden):
    wrong = {module: [m for m in imports if m.startswith(forbidden)]
             for module, imports in _layer_imports(layer).items()}
    assert not {m: w for m, w in wrong.items() if w}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules ``path`` imports, but the packages that hold it (Python imports
    those first anyway)."""
    own = _module_name(path)
    held_by = {own.rsplit(".", k)[0] for k in range(1, own.count(".") + 1)}
    found = set()
    for name in _imported_modules(path):
        while name and name not in modules:  # "pkg.mod.Name" -> "pkg.mod"
            name = name.rpartition(".")[0]
        if name and name != own and name not in held_by:
            found.add(name)
    return found


def import_cycles(paths: list[Path]) -> list[list[str]]:
    """Every set of modules that import each other, directly or around a loop (Tarjan's
    strongly connected components of the run-time import graph)."""
    by_name = {_module_name(p): p for p in paths}
    graph = {name: _runtime_imports(p, set(by_name)) for name, p in by_name.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return cycles


def test_no_modules_import_each_other_even_inside_functions():
    assert import_cycles(MODULES) == []


def test_a_cycle_made_on_purpose_is_caught(tmp_path, monkeypatch):
    """The check itself: two modules importing each other, one of them only in a function."""
    package = tmp_path / "oda_widgets"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def late():\n    from . import high\n")
    (package / "high.py").write_text("from .low import late\n")
    (package / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .high import late\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert import_cycles(sorted(package.glob("*.py"))) == [["oda_widgets.high", "oda_widgets.low"]]


def test_imports_inside_the_package_are_relative():
    absolute = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and not node.level and \
                    (node.module or "").startswith("oda_widgets"):
                absolute.append(f"{_name(path)}:{node.lineno}")
            if isinstance(node, ast.Import) and any(a.name.startswith("oda_widgets")
                                                    for a in node.names):
                absolute.append(f"{_name(path)}:{node.lineno}")
    assert absolute == []


def _defined_public_names(tree: ast.Module) -> list[str]:
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
    return [n for n in names if not n.startswith("_")]


def _all_of(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return None if node.value is None else [
                e.value for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)]
    return None


def test_every_public_module_says_what_it_exports():
    """A module whose name has no leading underscore and that defines public classes or functions
    lists them in ``__all__``; each listed name is defined or imported there."""
    missing, unknown = [], {}
    for path in MODULES:
        if path.name.startswith("_") and path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text())
        listed = _all_of(tree)
        if listed is None:
            if _defined_public_names(tree):
                missing.append(_name(path))
            continue
        bound = set(_defined_public_names(tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
            elif isinstance(node, ast.ImportFrom | ast.Import):
                bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        dynamic = any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__getattr__"
                                                        for t in getattr(n.targets[0], "elts", []))
                      for n in tree.body)
        if not dynamic and set(listed) - bound:
            unknown[_name(path)] = sorted(set(listed) - bound)
    assert (missing, unknown) == ([], {})


def test_every_module_has_a_docstring_that_says_its_idea():
    bare = [_name(p) for p in MODULES if not (ast.get_docstring(ast.parse(p.read_text())) or "")
            .strip()]
    assert bare == []


def test_the_architecture_page_names_every_module():
    page = (ROOT / "docs" / "architecture.md").read_text()
    modules = [_name(p) for p in MODULES if p.name != "__init__.py"]
    front_ends = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "js").iterdir())
                  if p.suffix in {".js", ".mjs", ".css"}]
    assert [m for m in modules + front_ends if m not in page] == []


def test_every_public_name_is_defined_where_the_table_says():
    import importlib

    import oda_widgets
    from oda_widgets._public import CLIENT, WIDGETS

    for name, module in {**CLIENT, **WIDGETS}.items():
        value = getattr(oda_widgets, name)
        assert value is getattr(importlib.import_module(module, "oda_widgets"), name)
        assert value.__module__ == "oda_widgets" + module, name
    assert oda_widgets.client.__all__ == sorted(CLIENT)
    assert oda_widgets.widgets.__all__ == sorted(WIDGETS)
    assert set(oda_widgets.__all__) == {*CLIENT, *WIDGETS, "__version__", "client"}


def test_importing_the_package_loads_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys, oda_widgets, oda_widgets.client; print(sorted({m.split('.')[0] for m in "
            "sys.modules if m.split('.')[0] in {'astropy', 'numpy', 'requests', 'ipywidgets', "
            "'bqplot', 'ipyaladin', 'traitlets', 'flask'}}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
