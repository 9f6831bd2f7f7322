"""SECURITY.md names a test for each requirement it says is met: every one it names must exist,
so the document cannot keep pointing at a test that was renamed or removed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NAMED = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
_SHORT = re.compile(r"`::(\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test")}


def test_every_test_security_md_names_exists():
    text = (ROOT / "SECURITY.md").read_text()
    missing, named = [], 0
    for line in text.splitlines():
        last_file: Path | None = None
        for match in re.finditer(f"{_NAMED.pattern}|{_SHORT.pattern}", line):
            file, name, short = match.group(1), match.group(2), match.group(3)
            if file:
                last_file = ROOT / file
                if not last_file.exists():
                    missing.append(file)
                    continue
            name = name or short
            if name is None or last_file is None or not last_file.exists():
                continue
            named += 1
            if name not in _tests_in(last_file):
                missing.append(f"{last_file.relative_to(ROOT)}::{name}")
    assert named > 30
    assert missing == []
