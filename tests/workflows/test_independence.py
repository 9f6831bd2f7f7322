"""The workflows package is plain Python: it must import and run with no web framework or database."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "workflows"
MODULES = (
    "engine", "project", "milestone", "goals", "campaigns", "commitment", "feasibility", "roadmap", "reminders",
    "feedback", "imports",
)
BLOCKED = ("flask", "sqlalchemy", "flask_sqlalchemy", "wtforms", "app")


def test_the_package_lists_the_modules_under_test() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} == {"__init__", *MODULES}


def test_workflows_import_and_run_without_flask_sqlalchemy_or_app() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        [sys.modules.__setitem__(m, None) for m in {BLOCKED!r}]
        import importlib
        for name in {MODULES!r}:
            importlib.import_module("workflows." + name)
        from workflows.campaigns import load_templates
        assert len(load_templates()) == 4
        # Blocking really blocks: each of these imports must fail in this interpreter.
        for name in {BLOCKED!r}:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
            else:
                raise SystemExit("blocking " + name + " did not work")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


SOURCES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_workflows_module_mentions_flask_sqlalchemy_or_app(path: Path) -> None:
    # Case-sensitive on purpose: the package docstring may *name* "SQLAlchemy" to say it is not used.
    source = path.read_text(encoding="utf-8")
    for forbidden in ("import flask", "from flask", "sqlalchemy", "from app"):
        assert forbidden not in source, f"{path.name} mentions {forbidden!r}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_workflows_module_imports_a_blocked_package(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & set(BLOCKED), f"{path.name} imports {sorted(imported & set(BLOCKED))}"
    assert imported <= set(sys.stdlib_module_names) | {"workflows", "__future__"}
