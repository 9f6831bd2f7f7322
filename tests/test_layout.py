"""How the test tree is laid out: fixtures reach a test through pytest, never through an import.

pytest imports every ``conftest.py`` itself, by path; importing one by name as well gives a second
copy of the module, and ties a folder's tests to another folder's set-up. What several folders
share lives in ``tests/fixtures`` (plugins listed in ``tests/conftest.py``), and what one folder's
modules share in a plain module beside them (``helpers.py``).
"""

from __future__ import annotations

import ast
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
