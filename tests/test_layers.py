"""The dependency direction of DESIGN.md: web -> services -> (db, scoring) -> domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "matcher"

#: layer -> modules it must never import (prefix match on dotted names).
FORBIDDEN = {
    "scoring": ("flask", "sqlalchemy", "alembic", "matcher.db", "matcher.services",
                "matcher.web", "matcher.importing", "matcher.cli", "werkzeug", "jinja2"),
    "db": ("flask_wtf", "matcher.services", "matcher.web", "matcher.cli", "matcher.scoring"),
    "services": ("matcher.web", "matcher.cli"),
    "importing": ("matcher.web", "matcher.cli", "matcher.services"),
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _layer_files(layer: str) -> list[Path]:
    target = PACKAGE / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [PACKAGE / f"{layer}.py"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_never_imports_upward(layer):
    offenders = []
    for path in _layer_files(layer):
        if "migrations" in path.parts:
            continue
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


def test_domain_uses_only_the_standard_library():
    allowed_roots = {"__future__", "dataclasses", "datetime", "enum", "math", "unicodedata",
                     "typing", "collections"}  # fmt: skip
    roots = {name.split(".")[0] for name in _imports(PACKAGE / "domain.py")}
    assert roots <= allowed_roots


def test_the_purity_check_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from sqlalchemy import select\nimport flask\n")
    assert {"sqlalchemy", "flask"} <= _imports(sample)


# --------------------------------------------------------------------------- module graph

MAX_MODULE_LINES = 600


def _module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {
        _module_name(path, root): path
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.relative_to(root).parts
    }


def _edges(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports anywhere in its body (functions included):
    ``from a.b import c`` is an edge to ``a.b.c`` when that is a module, else to ``a.b``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else base)
    return {t for t in targets if t in known and t != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    modules = _modules(root)
    known = set(modules)
    return {name: _edges(name, path, known) for name, path in modules.items()}


def test_no_two_modules_import_each_other():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle_hidden_in_a_function(tmp_path):
    package = tmp_path / "matcher"
    (package / "jobs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "jobs" / "__init__.py").write_text("")
    (package / "jobs" / "a.py").write_text("from matcher.jobs import b\n")
    (package / "jobs" / "b.py").write_text("def later():\n    from . import a\n")
    (package / "jobs" / "c.py").write_text("import matcher.jobs.a\n")
    assert _cycles(_graph(package)) == [["matcher.jobs.a", "matcher.jobs.b"]]


def test_no_module_is_longer_than_one_sitting():
    long = {
        name: count
        for name, path in _modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_scoring_is_split_by_job():
    """Each job's engine is a sub-package; only what every job shares stays at the top."""
    jobs = {p.name for p in (PACKAGE / "scoring").iterdir() if (p / "__init__.py").is_file()}
    shared = {p.stem for p in (PACKAGE / "scoring").glob("*.py")}
    assert jobs == {"partners", "calls", "schedule"}
    assert shared == {"__init__", "names", "display_names", "vocabulary"}


def test_test_modules_have_unique_names():
    """Test folders have no ``__init__.py``, so two test files of one name cannot both load."""
    names = [path.name for path in (PACKAGE.parent / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
