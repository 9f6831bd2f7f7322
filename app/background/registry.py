"""What the features hand the background infrastructure at start-up, so that it imports none of them.

- a :class:`PeriodicJob` (the reminders' sweep): the scheduler enqueues it, ``flask jobs run-once``
  runs it, and the admin page says when each run it records last finished;
- the :class:`Outbox` (the notifications' email delivery): what the admin page and
  ``flask jobs status`` show of the emails and do to them, and the development mailbox.

Each feature registers from its ``jobs.py`` in the app factory. Registering the same again changes nothing
(the tests build several apps, each registering its features).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.core.slots import Slot


@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler enqueues every sweep interval, on the periodic queue.

    ``func`` is an RQ job function taking no arguments and returning a summary; ``runs`` are the
    runs it records (``background.services.recording``) as (name, label), in the order the admin
    page shows them.
    """

    func: Callable[[], str]
    runs: tuple[tuple[str, str], ...]
    timeout: int = 600
    #: How often the job does its work, when less often than every interval: it is still enqueued
    #: every interval and skips until its time (its runs are late only this long after the last one).
    every: timedelta = timedelta(0)


@dataclass(frozen=True)
class Outbox:
    """The emails, as the admin page on background work shows them and acts on them.

    The values it returns go to the page's template as they are; ``summary`` is the one line of
    ``flask jobs status``.
    """

    backlog: Callable[[datetime], Any]
    failed: Callable[[], Sequence[Any]]
    summary: Callable[[], str]
    retry_failed: Callable[[list[int] | None], int]
    discard_failed: Callable[[list[int]], int]
    mailbox: Callable[..., Any]
    mailbox_message: Callable[[str], Any]


@dataclass
class Registry:
    periodic: dict[Callable[[], str], PeriodicJob] = field(default_factory=dict)
    outbox: Slot[Outbox] = field(default_factory=lambda: Slot("the email outbox", "app/notifications/jobs.py"))


_registry = Registry()


def add_periodic(job: PeriodicJob) -> None:
    """Have the scheduler enqueue ``job`` every interval (once, however often it is added)."""
    _registry.periodic.setdefault(job.func, job)


def periodic_jobs() -> tuple[PeriodicJob, ...]:
    """The periodic jobs, in the order they were added."""
    return tuple(_registry.periodic.values())


def set_outbox(outbox: Outbox) -> None:
    """Name the emails' outbox the admin page and ``flask jobs status`` show."""
    _registry.outbox.fill(outbox)


def outbox() -> Outbox:
    return _registry.outbox.get()
