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
