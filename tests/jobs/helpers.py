"""The pieces of the job suite: a local SMTP server, a real RQ worker process, and waiting.

Nothing here sleeps for a fixed time to let something happen: :func:`wait_for` polls a
condition until it holds or a deadline passes, and says what it was waiting for if not.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING
from redis import Redis
from redis.exceptions import RedisError

from app.background.workers import live_workers
from app.core import clock
from app.extensions import db
from app.notifications import delivery
from app.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def wait_for(condition: Callable[[], T], what: str, timeout: float = 30.0, every: float = 0.05,
             details: Callable[[], str] | None = None) -> T:
    """Poll ``condition`` until it returns something true (returned), or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details is not None else ""
            raise AssertionError(f"Gave up after {timeout:g} s waiting for {what}{extra}")
        time.sleep(every)


# --- the mail server ---------------------------------------------------------------------------

class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts, in memory.

    ``refuse`` makes it answer the message with 451 (a mail server that is down for a while);
    ``delay`` makes it take that long over each message, *after* keeping it: a worker killed
    meanwhile has had its message accepted but has not yet marked the row sent, which is the
    one duplicate the outbox allows. ``quit_reply`` answers QUIT with something other than 221.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused = 0
        self.refuse = False
        self.delay = 0.0
        self.quit_reply: str | None = None  # e.g. "421 ..." instead of "221 Bye"
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        if self.refuse:
            with self._lock:
                self.refused += 1
            return "451 4.3.0 Mail server temporarily unavailable, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> Any:  # noqa: N802 - aiosmtpd's hook
        return self.quit_reply if self.quit_reply is not None else MISSING

    def start(self) -> None:
        for _ in range(5):  # a free port can be taken between finding it and binding it
            self.port = free_port()
            controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="localhost")
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self._controller = controller
            return
        raise RuntimeError("Could not start the SMTP sink on a free port")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)

    def ids(self) -> Counter[str]:
        """How many times each X-Countersign-Id ("notification-12") arrived."""
        return Counter(str(m["X-Countersign-Id"]) for m in self.received())

    def of(self, notification_id: int) -> list[EmailMessage]:
        return [m for m in self.received() if m["X-Countersign-Id"] == f"notification-{notification_id}"]


def email_backlog(user_ids: list[int], count: int, subject: str = "Backlog") -> list[int]:
    """``count`` emails due now to ``user_ids`` in turn, written in bulk and enqueued by the
    dispatch, a batch at a time, as in production; their notification ids."""
    now = clock.now()
    db.session.execute(sa.insert(Notification), [
        {"user_id": user_ids[n % len(user_ids)], "kind": "decision", "subject": f"{subject} {n}", "link": "/inbox/",
         "created_at": now, "email_status": "pending", "email_due_at": now} for n in range(count)])
    db.session.commit()
    while delivery.dispatch().emails:
        pass
    return list(db.session.scalars(sa.select(Notification.id).where(Notification.subject.startswith(f"{subject} "))))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a real worker -----------------------------------------------------------------------------

class FlaskProcess:
    """``flask <args>`` in a process of its own, configured only through its environment."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no cleanup, the job in hand abandoned."""
        if self.running():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM, as a deployment stops it, and wait for it to exit; its exit status."""
        if self.running():
            self.process.terminate()
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        self._log.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return f"--- {self.name} log ---\n" + "\n".join(self.log().splitlines()[-lines:])


class WorkerProcess(FlaskProcess):
    """``flask jobs worker`` on the test's queue."""

    def __init__(self, name: str, env: dict[str, str], log_path: Path, connection: Redis, queue_name: str) -> None:
        super().__init__(name, ["jobs", "worker", "--name", name], env, log_path)
        self.connection = connection
        self.queue_name = queue_name

    def registered(self) -> bool:
        """Alive, as the Jobs page sees it: its pulse is in Redis."""
        return any(w.name == self.name for w in live_workers(self.connection, self.queue_name))

    def wait_until_ready(self, timeout: float = 30.0) -> WorkerProcess:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"Worker {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            return self.registered()

        wait_for(ready, f"worker {self.name} to register", timeout=timeout, details=self.log_tail)
        return self



# --- a Redis of a test's own, to stop, start again and flush --------------------------------------

class PrivateRedis:
    """A ``redis-server`` on a free port that only this test uses, so that it may be stopped,
    started again on the same port, and flushed whole (FLUSHALL), as production Redis can be."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def connection(self) -> Redis:
        return Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=2)

    def start(self) -> PrivateRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                return bool(self.connection().ping())
            except RedisError:  # refused until it listens
                return False

        wait_for(answers, f"the private Redis on port {self.port} to answer", timeout=15)
        return self

    def stop(self) -> None:
        """Gone, as a crashed or restarted Redis is: connections refused, everything in it lost."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
