"""What the admin page shows of the background work, and recording each periodic run."""

from __future__ import annotations

import email.policy
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from app.background.models import JobRun
from app.background.queue import get_periodic_queue, get_queue
from app.background.workers import LiveWorker, live_workers
from app.core import clock
from app.core.text import ago
from app.extensions import db
from app.notifications import mail


@dataclass
class Run:
    summary: str = ""


@contextmanager
def recording(name: str) -> Iterator[Run]:
    """Record a periodic job's run (start, end, duration, what it did) for the admin page."""
    run = Run()
    started, clock_start = clock.now(), time.perf_counter()
    yield run
    db.session.rollback()
    row = db.session.get(JobRun, name) or JobRun(name=name)
    row.started_at, row.finished_at = started, clock.now()
    row.duration_ms = int((time.perf_counter() - clock_start) * 1000)
    row.summary = run.summary[:300]
    db.session.add(row)
    db.session.commit()


def last_runs() -> dict[str, JobRun]:
    return {run.name: run for run in db.session.scalars(sa.select(JobRun))}


@dataclass
class QueueState:
    """The queues as Redis sees them; ``error`` says why they could not be read.

    ``queued`` counts both queues (the periodic work and the deliveries); ``started`` counts the
    jobs live workers hold now, not RQ's registry, which keeps a dead worker's job for minutes.
    """

    name: str
    reachable: bool = True
    error: str = ""
    queued: int = 0
    started: int = 0
    scheduled: int = 0
    failed: int = 0
    workers: list[LiveWorker] = field(default_factory=list)
    failed_jobs: list[FailedJob] = field(default_factory=list)


@dataclass(frozen=True)
class FailedJob:
    id: str
    func: str
    args: str
    ended_at: datetime | None
    error: str


def _queues() -> list[Queue]:
    return [get_periodic_queue(), get_queue()]


def queue_state(failed_limit: int = 50) -> QueueState:
    try:
        queues = _queues()
    except RedisError as error:
        return QueueState(name="", reachable=False, error=str(error))
    main = queues[-1]
    state = QueueState(name=main.name)
    try:
        state.workers = live_workers(main.connection, main.name)
        state.started = sum(1 for w in state.workers if w.current)
        for queue in queues:
            state.queued += queue.count
            state.scheduled += ScheduledJobRegistry(queue=queue).count
            registry = FailedJobRegistry(queue=queue)
            state.failed += registry.count
            room = failed_limit - len(state.failed_jobs)
            ids = registry.get_job_ids(0, room - 1) if room > 0 else []
            for job in Job.fetch_many(ids, connection=queue.connection):
                if job is not None:
                    result = job.latest_result()
                    error = ((result.exc_string if result else "") or "").strip().splitlines()
                    state.failed_jobs.append(FailedJob(job.id, job.func_name, _short(job.args), job.ended_at,
                                                       error[-1] if error else ""))
    except RedisError as error:
        state.reachable, state.error = False, str(error)
    return state


def _short(args: object) -> str:
    text = repr(args)
    return text if len(text) <= 80 else text[:77] + "..."


def _failed_registry_of(job_id: str) -> FailedJobRegistry | None:
    """The failed-job registry (of either queue) that holds ``job_id``, if one does."""
    for queue in _queues():
        registry = FailedJobRegistry(queue=queue)
        if job_id in registry:
            return registry
    return None


def retry_failed_job(job_id: str) -> bool:
    """Put a failed job back on its queue; False when Redis no longer has it."""
    registry = _failed_registry_of(job_id)
    if registry is None:
        return False
    registry.requeue(job_id)
    return True


def delete_failed_job(job_id: str) -> bool:
    registry = _failed_registry_of(job_id)
    if registry is None:
        return False
    registry.remove(job_id, delete_job=True)
    return True


# --- the admin page: when the periodic jobs last ran, and whether they keep up ----------------

#: The sweep and the dispatch run every minute; one this far behind means the scheduler stopped.
STALE_AFTER = timedelta(minutes=5)
#: The periodic jobs the admin page reports on, in the order it shows them.
PERIODIC_JOBS = {"sweep": "Reminder sweep", "dispatch": "Email dispatch"}


@dataclass(frozen=True)
class PeriodicStatus:
    """One periodic job as the admin page shows it: its last run, how long ago, and whether that is too long."""

    name: str
    label: str
    run: JobRun | None
    ago: str
    stale: bool


def periodic_statuses(now: datetime | None = None) -> list[PeriodicStatus]:
    """The sweep and the dispatch, each stale when it never ran or last finished over ``STALE_AFTER`` ago."""
    now = now or clock.now()
    runs = last_runs()
    statuses = []
    for name, label in PERIODIC_JOBS.items():
        run = runs.get(name)
        finished = run.finished_at if run is not None else None
        stale = finished is None or now - finished > STALE_AFTER
        statuses.append(PeriodicStatus(name, label, run, ago(finished, now) if finished else "", stale))
    return statuses


# --- the development mailbox: the .eml files the "file" mail transport writes ----------------

#: The mailbox page lists at most this many messages, the newest.
MAILBOX_LIMIT = 200
#: Headers shown first on a message, in this order; the rest follow under "All headers".
MAIN_HEADERS = ("From", "To", "Subject", "Date")


@dataclass(frozen=True)
class MailboxEntry:
    name: str
    saved_at: datetime
    to: str
    subject: str
    size: int


@dataclass
class Mailbox:
    """The development mailbox, or (``transport`` other than "file") why there is none to show."""

    transport: str
    folder: Path
    server: str = ""
    entries: list[MailboxEntry] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class MailboxMessage:
    entry: MailboxEntry
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None


def mailbox(limit: int = MAILBOX_LIMIT) -> Mailbox:
    """The .eml files in ``mailbox_dir()``, newest first; nothing unless the transport is "file"."""
    config = current_app.config
    box = Mailbox(transport=mail.transport(), folder=mail.mailbox_dir(),
                  server=f"{config.get('MAIL_SERVER') or '(MAIL_SERVER unset)'}:{config.get('MAIL_PORT')}")
    if box.transport != "file":
        return box
    files = _mailbox_files(box.folder)
    box.total = len(files)
    newest = sorted(files.items(), key=lambda item: (item[1][1], item[0]), reverse=True)[:limit]
    box.entries = [_entry(path, size, mtime) for _, (path, mtime, size) in newest]
    return box


def mailbox_message(name: str) -> MailboxMessage | None:
    """One message of the mailbox by its file name; None unless that name is in the listing."""
    if mail.transport() != "file":
        return None
    found = _mailbox_files(mail.mailbox_dir()).get(name)
    if found is None:
        return None
    path, mtime, size = found
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    except OSError:
        return None
    headers = [(key, _header_text(message, key)) for key in dict.fromkeys(message.keys())]
    return MailboxMessage(
        entry=_entry_of(name, message, size, mtime), headers=headers,
        text=_part_text(message, "plain"), html=_part_text(message, "html"),
    )


def _mailbox_files(folder: Path) -> dict[str, tuple[Path, float, int]]:
    """Every regular .eml file right in ``folder`` (no links, no sub-folders): name → (path, mtime, size)."""
    files: dict[str, tuple[Path, float, int]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".eml") and entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    files[entry.name] = (Path(entry.path), stat.st_mtime, stat.st_size)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return files


def _entry(path: Path, size: int, mtime: float) -> MailboxEntry:
    try:
        with path.open("rb") as handle:
            headers = BytesParser(policy=email.policy.default).parse(handle, headersonly=True)
    except OSError:
        headers = EmailMessage()
    return _entry_of(path.name, headers, size, mtime)


def _entry_of(name: str, message: Message, size: int, mtime: float) -> MailboxEntry:
    saved_at = datetime.fromtimestamp(mtime, UTC).replace(tzinfo=None)
    return MailboxEntry(name, saved_at, _header_text(message, "To"), _header_text(message, "Subject"), size)


def _header_text(message: Message, name: str) -> str:
    """A header as text, however it was written (a malformed header comes back as it stands)."""
    try:
        values = message.get_all(name) or []
        return ", ".join(str(value) for value in values)
    except (ValueError, TypeError, IndexError, LookupError):
        return ""


def _part_text(message: Message, subtype: str) -> str | None:
    """The message's text/plain or text/html part, decoded; None when it has none."""
    part = message.get_body(preferencelist=(subtype,)) if isinstance(message, EmailMessage) else None
    if part is None or part.get_content_subtype() != subtype:
        return None
    try:
        return str(part.get_content())
    except (LookupError, ValueError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
