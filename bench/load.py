"""A load driver without wrk: threads, each with one keep-alive ``http.client`` connection to one
server, sending a fixed mix of requests as fast as they are answered until a deadline.

Each response's status is checked against what its request expects (a redirect to ``/login`` is
counted apart, as ``LOGIN``: a session that stopped working is not a success). A thread keeps the
ETag of each path it read, as a calendar client does, and revalidates with it when its script
says so; writes carry an ``Idempotency-Key`` of their own, as a careful API client's do.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Statuses the driver records that no server sent.
LOGIN = -2  # a redirect to the sign-in page
BROKEN = -1  # no answer: refused, reset or timed out


@dataclass(frozen=True)
class Call:
    """One request of a script."""

    kind: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expected: frozenset[int] = frozenset({200})
    revalidate: bool = False  # send If-None-Match with the ETag last read for this path
    idempotent: bool = False  # send an Idempotency-Key of its own


@dataclass
class Tally:
    """What one server answered: latencies (ms) and statuses by kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)

    def record(self, call: Call, status: int, elapsed_ms: float) -> None:
        self.latencies.setdefault(call.kind, []).append(elapsed_ms)
        self.statuses[(call.kind, status)] += 1
        if status not in call.expected:
            self.unexpected[(call.kind, status)] += 1

    def add(self, other: Tally) -> None:
        for kind, times in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(times)
        self.statuses.update(other.statuses)
        self.unexpected.update(other.unexpected)

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [t for times in self.latencies.values() for t in times]

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500 or status == BROKEN)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.5 is the median); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Driver(threading.Thread):
    """One connection to ``port`` running ``script`` round and round until ``deadline`` (monotonic),
    or for ``turns`` requests when given."""

    def __init__(self, port: int, script: Sequence[Call], deadline: float, start_at: int = 0,
                 turns: int | None = None) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.script = script
        self.deadline = deadline
        self.start_at = start_at  # threads on one script start at different places in it
        self.turns = turns
        self.tally = Tally()
        self._etags: dict[str, str] = {}

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for turn in itertools.count(self.start_at):
            if time.monotonic() >= self.deadline or (self.turns is not None and turn - self.start_at >= self.turns):
                break
            call = self.script[turn % len(self.script)]
            began = time.perf_counter()
            try:
                status = self._send(connection, call)
            except (OSError, http.client.HTTPException):
                status = BROKEN
                connection.close()  # the next request connects afresh
            self.tally.record(call, status, (time.perf_counter() - began) * 1000)
        connection.close()

    def _send(self, connection: http.client.HTTPConnection, call: Call) -> int:
        headers = dict(call.headers)
        if call.revalidate and call.path in self._etags:
            headers["If-None-Match"] = self._etags[call.path]
        if call.idempotent:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        connection.request(call.method, call.path, body=call.body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status == 200 and call.method == "GET" and (etag := response.getheader("ETag")):
            self._etags[call.path] = etag
        if 300 <= response.status < 400 and "/login" in (response.getheader("Location") or ""):
            return LOGIN
        return response.status
