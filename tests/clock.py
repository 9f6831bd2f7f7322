"""The clock every test runs on: the application's (``app.core.clock``), frozen at a moment the
test chose, moved only by the test.

Each test starts at :data:`DEFAULT_NOW` (the autouse ``clock`` fixture of tests/conftest.py), an
ordinary weekday morning: outside everyone's default quiet hours (21:00-08:00), mid-month,
mid-quarter, weeks from a daylight-saving change. A test about time names its own moment with
``clock.to(...)``; nothing in tests/ reads the wall clock (ruff's banned-api rule in
pyproject.toml refuses ``date.today()``, ``datetime.now()``, ``time.time()`` and the like).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from app.core import clock as app_clock

#: Tuesday 17 November 2026, 09:30 UTC.
DEFAULT_NOW = datetime(2026, 11, 17, 9, 30)


def outside_a_test() -> datetime:
    """What the application reads between tests: refused, so a test parameter or a module-level
    constant cannot pick up the wall clock (it is built before any test sets its moment)."""
    raise RuntimeError(
        "The clock was read outside a test (at import, collection or in a session fixture): "
        "build the value from tests.clock.DEFAULT_NOW or read it inside the test"
    )


class TestClock:
    """The application's clock, frozen at ``at`` until the test moves it."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, at: datetime = DEFAULT_NOW) -> None:
        self.at = at
        self._runs_from: app_clock.Source | None = None  # while running (see running())

    def now(self) -> datetime:
        return self._runs_from() if self._runs_from is not None else self.at

    def today(self) -> date:
        return self.now().date()

    def to(self, at: datetime) -> datetime:
        if self._runs_from is not None:
            raise RuntimeError("A running clock is shared with worker processes: it cannot be moved")
        self.at = at
        return at

    def advance(self, **delta: float) -> datetime:
        return self.to(self.at + timedelta(**delta))

    @staticmethod
    def slot(due: date, offset: int, hour: int = 9) -> datetime:
        """``hour`` o'clock UTC, ``offset`` days from ``due`` (-7 a week before, 3 three days late)."""
        return datetime.combine(due + timedelta(days=offset), datetime.min.time().replace(hour=hour))

    @contextmanager
    def installed(self) -> Iterator[TestClock]:
        """The application reads this clock inside the block, and whatever it read before after it."""
        previous = app_clock.use(self.now)
        try:
            yield self
        finally:
            app_clock.use(previous)

    @contextmanager
    def running(self) -> Iterator[str]:
        """From here the clock runs at the wall clock's pace, from where it stands; yields the
        ``TEST_CLOCK`` value that puts a worker process on the very same clock.

        For the job suite, whose workers judge leases and lost jobs by time passing.
        """
        anchor = time.time()  # noqa: TID251 - the one wall-clock reading that running clocks share
        self._runs_from = app_clock.running_from(self.at, anchor)
        try:
            yield app_clock.start_text(self.at, anchor)
        finally:
            self.at, self._runs_from = self._runs_from(), None
