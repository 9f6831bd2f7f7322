"""CRM imports: parsing, mapping, preview, the all-or-nothing import, its job, its pages and its API."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()

