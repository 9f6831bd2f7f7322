"""Shift the wall clock of this Python process, and of every Python process it starts, by one offset.

Used by ``scripts/test-at`` to prove that no test reads the wall clock: the suite must pass at
02:30, at 23:59:30 on the last day of a month, on 29 February, on the night of a DST change.
Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``, so putting this folder on it
reaches pytest and the ``flask jobs worker`` / ``scheduler`` processes a test starts alike.

``TEST_WALL_CLOCK`` names the moment the first process starts at: ``2028-02-29T23:59:30Z`` (UTC)
or ``02:30`` (today, UTC). That process turns it into ``TEST_WALL_CLOCK_OFFSET`` (seconds), which its
children inherit, so all of them read the same shifted time at the same instant; the clock then
runs on at its real pace. Monotonic clocks are left alone (time-machine does not move them), so
timeouts and polling deadlines stay true.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime


def _target(text: str) -> datetime:
    if "T" not in text:  # "02:30": that time of day, today
        hours, minutes = (int(part) for part in text.split(":")[:2])
        return datetime.now(UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shift() -> None:
    offset = os.environ.get("TEST_WALL_CLOCK_OFFSET")
    if offset is None:
        wanted = os.environ.get("TEST_WALL_CLOCK")
        if not wanted:
            return
        offset = repr(_target(wanted).timestamp() - time.time())
        os.environ["TEST_WALL_CLOCK_OFFSET"] = offset  # inherited by every process started from here
    import time_machine

    time_machine.travel(time.time() + float(offset), tick=True).start()


try:
    _shift()
except Exception as error:  # a typo in TEST_WALL_CLOCK must not pass as an unshifted run
    sys.stderr.write(f"tests/timetravel: cannot shift the wall clock to {os.environ.get('TEST_WALL_CLOCK')!r}: {error}\n")
    os._exit(2)
