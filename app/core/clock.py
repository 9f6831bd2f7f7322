"""The one place the application asks for the time, so tests can set it.

In production it is the wall clock. A test sets its own with :func:`use`: a moment frozen in
place, or (for the worker processes a test starts, which must agree with it) a clock running
from a chosen moment, handed over in the ``CLOCK_START`` setting (``TEST_CLOCK`` in the
environment of the testing configuration only; see :func:`parse_start`).

Everything else reads :func:`now` or :func:`today` at call time, so a model default such as
``default=clock.now`` follows whatever clock is in use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

Source = Callable[[], datetime]

_source: Source | None = None


def wall() -> datetime:
    """The real time in UTC, naive: stored alike on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def now() -> datetime:
    """The current time in UTC, naive (the wall clock unless a test set another)."""
    return _source() if _source is not None else wall()


def today() -> date:
    """Today's date in UTC."""
    return now().date()


def use(source: Source | None) -> Source | None:
    """Read the time from ``source`` from now on (None: the wall clock again); returns the one before."""
    global _source
    previous, _source = _source, source
    return previous


def running_from(moment: datetime, anchor: float) -> Source:
    """A clock that read ``moment`` when ``time.time()`` read ``anchor`` and runs at the wall clock's pace.

    Processes that share ``moment`` and ``anchor`` read the same time at the same instant.
    """

    def read() -> datetime:
        return moment + timedelta(seconds=time.time() - anchor)

    return read


def parse_start(text: str) -> Source:
    """``2026-11-17T09:30:00@1763371800.25``: running from that moment, taken at that ``time.time()``."""
    moment, _, anchor = text.partition("@")
    try:
        return running_from(datetime.fromisoformat(moment), float(anchor))
    except ValueError as error:
        raise ValueError(f"CLOCK_START must read <ISO moment>@<unix time>, not {text!r}") from error


def start_text(moment: datetime, anchor: float) -> str:
    """The ``CLOCK_START`` value for :func:`running_from` with these arguments."""
    return f"{moment.isoformat()}@{anchor!r}"


def init_app(app: Flask) -> None:
    """A process started by a test runs on the test's clock (``CLOCK_START``, set only when testing)."""
    start = app.config.get("CLOCK_START", "")
    if start and app.testing:
        use(parse_start(start))
