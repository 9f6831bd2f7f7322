"""A real HTTP receiver of webhooks on 127.0.0.1, in a thread, that verifies every signature with the
Standard Webhooks library, as a customer's receiver would.

``answers`` scripts its replies (statuses in order, then 200); ``hold`` makes it keep each request
open, unanswered, until released (a worker killed meanwhile has sent the message but not seen the
answer). The library checks a message's timestamp against the wall clock; here the receiver's clock
is the test's (``app.core.clock``), so :class:`TestClockWebhook` checks it against that instead.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.core import clock

TOLERANCE = timedelta(minutes=5)


class TestClockWebhook(Webhook):
    """The library's verification, with "now" read from the test's clock."""

    __test__ = False

    def _Webhook__verify_timestamp(self, timestamp_header: str) -> datetime:  # noqa: N802 - the library's mangled name
        now = clock.now().replace(tzinfo=UTC)
        timestamp = datetime.fromtimestamp(float(timestamp_header), tz=UTC)
        if not now - TOLERANCE <= timestamp <= now + TOLERANCE:
            raise WebhookVerificationError("Message timestamp too old or too new")
        return timestamp


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: Any  # the verified JSON, or None
    error: str  # why it did not verify, "" when it did


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.answer_body = "ok"
        self.hold = threading.Event()
        self.hold.set()  # set: answer at once
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver._keep(dict(self.headers.items()), body)
                receiver.hold.wait(timeout=60)
                status = receiver._next_status()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                text = receiver.answer_body.encode()
                self.send_header("Content-Length", str(len(text)))
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender is gone (a killed worker)
                    self.wfile.write(text)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()

    def _next_status(self) -> int:
        with self._lock:
            return self.answers.pop(0) if self.answers else 200

    def _keep(self, headers: dict[str, str], body: bytes) -> None:
        payload, error = None, ""
        try:
            payload = TestClockWebhook(self.secret).verify(body, headers)
        except Exception as problem:  # noqa: BLE001 - kept for the test to assert on
            error = f"{type(problem).__name__}: {problem}"
        with self._lock:
            self.received.append(Received({k.lower(): v for k, v in headers.items()}, body, payload, error))
        self.arrived.set()

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def ids(self) -> list[str]:
        return [m.headers["webhook-id"] for m in self.messages()]

