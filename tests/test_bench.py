"""The benchmarks in bench/ are not run by the suite (they print figures, and take minutes), but they
must keep up with the code they measure: each one at least imports, so a renamed function breaks a
test here rather than the next person who wants the figures."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("module", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__"))
def test_the_benchmark_imports(module: str) -> None:
    importlib.import_module(f"bench.{module}")
