"""How the test tree is laid out: fixtures reach a test through pytest, never through an import.

pytest imports every ``conftest.py`` itself, by path; importing one by name as well gives a second
copy of the module, and ties a folder's tests to another folder's set-up. What several folders
share lives in ``tests/fixtures`` (plugins listed in ``tests/conftest.py``), and what one folder's
modules share in a plain module beside them (``helpers.py``).
"""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _conftest_imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):  # "from tests.x.conftest import y", or "from tests.x import conftest"
            modules = [node.module or ""] if "conftest" in (node.module or "").split(".") else \
                [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        names += [f"line {node.lineno}: {module}" for module in modules if "conftest" in module.split(".")]
    return names


def test_no_module_imports_a_conftest():
    found = {str(path.relative_to(TESTS)): names for path in sorted(TESTS.rglob("*.py"))
             if "node_modules" not in path.parts and (names := _conftest_imports(path))}
    assert found == {}, "import from tests/fixtures or a helpers module instead: " + repr(found)


def test_the_rule_sees_both_kinds_of_import(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text("from tests.reports.conftest import Dataset\nimport tests.conftest\nfrom tests import conftest\n")
    assert _conftest_imports(module) == ["line 1: tests.reports.conftest", "line 2: tests.conftest",
                                         "line 3: tests.conftest"]


# --- the application's own layout -------------------------------------------------------------

APP = TESTS.parent / "app"
#: The file names every feature shares, each with one role (README, "How the code is laid out").
ROLES = frozenset({"__init__", "models", "services", "access", "forms", "views", "api", "jobs", "listeners", "cli"})


def _layout_names() -> set[str]:
    """The ``*.py`` names the README's layout section speaks of (``large_*.py`` stands for a family)."""
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"[\w*]+\.py", section))


def test_every_module_beyond_the_shared_roles_is_described() -> None:
    described = _layout_names()
    unnamed = sorted(f"app/{path.parent.name}/{path.name}" for path in APP.glob("*/*.py")
                     if path.stem not in ROLES and not any(fnmatch(path.name, name) for name in described))
    assert not unnamed, "say in the README's layout section what these modules are for: " + ", ".join(unnamed)


def test_the_layout_section_is_found() -> None:
    assert {"axes.py", "large_*.py", "timeline.py"} <= _layout_names()
