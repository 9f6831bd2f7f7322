"""Jobs for the tests' real worker: imported by dotted path, as RQ imports every job."""

from __future__ import annotations


def fail(what: str) -> None:
    """A job that always fails, leaving a failed job (with this message) in RQ's registry."""
    raise RuntimeError(f"boom: {what}")
