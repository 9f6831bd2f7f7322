"""The email pipeline under chaos: real workers and schedulers on a Redis of its own, while
workers are SIGKILLed, Redis is flushed, stopped and started again, and the scheduler holding the
lock is SIGKILLed with a stand-by waiting.

    .venv/bin/python -m bench.pipeline                       # 1,000 emails, SQLite in a temp dir
    .venv/bin/python -m bench.pipeline --emails 5000 --calm  # no chaos: the sweep under a backlog alone
    .venv/bin/python -m bench.pipeline --emails 5000 --smtp-delay 0.01 --workers 3
    .venv/bin/python -m bench.pipeline --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

It prints: emails delivered, lost (never sent) and sent twice (only ever the message in flight at
a worker kill), the time to drain the backlog, how long the stand-by took to take over, and how
late the sweep ran while the backlog drained (the longest gap between two sweeps, against the
interval, overall and between the chaos events). Needs ``redis-server`` on the PATH; a
``--database-url`` database is wiped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.accounts.models import Role, User
from app.background.models import JobRun
from app.background.scheduler import lock_key
from app.core import clock
from app.extensions import db
from app.notifications.models import Notification
from bench.common import fresh_schema
from tests.jobs.helpers import FlaskProcess, PrivateRedis, SmtpSink, email_backlog

SETTINGS = {
    "MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_USE_TLS": "", "MAIL_USERNAME": "",
    "MAIL_TIMEOUT": "5", "MAIL_LEASE_SECONDS": "10", "RECOVER_AFTER_SECONDS": "5", "MAIL_RETRY_DELAYS": "1,1,1",
    "SCHEDULER_LOCK_SECONDS": "10", "SCHEDULER_POLL_SECONDS": "1", "WORKER_PULSE_SECONDS": "1",
}


@dataclass
class Run:
    """What one run measured."""

    emails: int
    delivered: int = 0
    lost: int = 0
    duplicates: int = 0
    drain_seconds: float = 0.0
    takeover_seconds: float | None = None
    began: datetime | None = None  # on the app's clock, which the sweeps' start times are on
    sweep_starts: list[datetime] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)  # seconds after the start, what happened

    def sweep_seconds(self) -> list[float]:
        assert self.began is not None
        return [(started - self.began).total_seconds() for started in self.sweep_starts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smtp-delay", type=float, default=0.02, help="seconds the mail server takes per message")
    parser.add_argument("--interval", type=int, default=5, help="seconds between sweeps")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--calm", action="store_true", help="no kills, flushes or outages: the backlog alone")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="countersign-pipeline-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'pipeline.db'}"
        redis = PrivateRedis(folder / "redis").start()
        sink = SmtpSink()
        sink.delay = args.smtp_delay
        sink.start()
        try:
            run = _run(args, url, folder, redis, sink)
        finally:
            sink.stop()
            redis.stop()
    _report(run, args)
    return 1 if run.lost else 0


def _run(args: argparse.Namespace, url: str, folder: Path, redis: PrivateRedis, sink: SmtpSink) -> Run:
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "COUNTERSIGN_"))}
    env.update(SETTINGS, DATABASE_URL=url, REDIS_URL=redis.url, QUEUE_NAME=queue, MAIL_PORT=str(sink.port),
               COUNTERSIGN_INSTANCE=str(folder / "instance"), PYTHONUNBUFFERED="1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis.url, "QUEUE_NAME": queue,
                      "JOBS_INLINE": False, "TESTING": False})
    run = Run(emails=args.emails)
    processes: list[FlaskProcess] = []

    def start(kind: str, *extra: str) -> FlaskProcess:
        name = f"{queue}-{kind}{len(processes) + 1}"
        command = ["jobs", kind, *(["--name", name] if kind == "worker" else []), *extra]
        process = FlaskProcess(name, command, env, folder / f"{name}.log")
        processes.append(process)
        return process

    with app.app_context():
        fresh_schema()
        ids = _backlog(args.emails)
        try:
            workers = [start("worker") for _ in range(args.workers)]
            schedulers = [start("scheduler", "--interval", str(args.interval)) for _ in range(2)]
            began, run.began = time.monotonic(), clock.now()
            if not args.calm:
                _chaos(run, redis, workers, schedulers, start, queue, began)
            while time.monotonic() - began < args.timeout and _unsent(ids):
                _sample_sweep(run)
                time.sleep(0.2)
            run.drain_seconds = time.monotonic() - began
            received = sink.ids()
            run.delivered = sum(1 for i in ids if received[f"notification-{i}"])
            run.duplicates = sum(received[f"notification-{i}"] - 1 for i in ids if received[f"notification-{i}"] > 1)
            run.lost = _unsent(ids)
        finally:
            for process in processes:
                process.kill()
                process.close()
    return run


def _backlog(count: int) -> list[int]:
    """``count`` emails due now, to fifty people, enqueued by the dispatch as in production."""
    db.session.execute(sa.insert(User), [
        {"email": f"bench{n}@example.com", "name": f"Bench {n}", "role": Role.TEAM_MEMBER,
         "password_hash": "x", "active": True} for n in range(50)])
    return email_backlog(list(db.session.scalars(sa.select(User.id))), count, subject="Bench")


def _chaos(run: Run, redis: PrivateRedis, workers: list[FlaskProcess], schedulers: list[FlaskProcess],
           start: Callable[..., FlaskProcess], queue: str, began: float) -> None:
    """Kill a worker, flush Redis, stop and start it, kill the scheduler holding the lock."""

    def at(second: float) -> None:
        while time.monotonic() - began < second:
            _sample_sweep(run)
            time.sleep(0.1)

    def note(event: str) -> None:
        run.events.append((time.monotonic() - began, event))

    at(3)
    workers[0].kill()
    note("SIGKILL a worker mid-delivery; a new one starts")
    workers.append(start("worker"))
    at(8)
    redis.connection().flushall()
    note("FLUSHALL")
    at(13)
    redis.stop()
    note("Redis stopped")
    at(16)
    redis.start()
    note("Redis started again")
    at(20)
    connection, lock = redis.connection(), lock_key(queue)
    holder = connection.get(lock)
    # The lock holds the scheduler's token, which it also writes in its log when it takes the lock.
    holding = [s for s in schedulers if holder is not None and holder.decode() in s.log()]
    (holding or schedulers)[0].kill()
    killed = time.monotonic()
    note("SIGKILL the scheduler holding the lock")
    while time.monotonic() - killed < 60:
        current = connection.get(lock)
        if current is not None and current != holder:
            run.takeover_seconds = time.monotonic() - killed
            note("the stand-by holds the lock")
            break
        _sample_sweep(run)
        time.sleep(0.1)


def _sample_sweep(run: Run) -> None:
    db.session.rollback()
    started = db.session.scalar(sa.select(JobRun.started_at).where(JobRun.name == "sweep"))
    if started is not None and started not in run.sweep_starts:
        run.sweep_starts.append(started)


def _unsent(ids: list[int]) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.id.in_(ids), Notification.email_status != "sent")) or 0


def _report(run: Run, args: argparse.Namespace) -> None:
    sweeps = run.sweep_seconds()
    gaps = [(earlier, later) for earlier, later in zip(sweeps, sweeps[1:], strict=False)]
    chaos = [moment for moment, _ in run.events]
    calm = [later - earlier for earlier, later in gaps if not any(earlier < m < later for m in chaos)]
    print(f"Pipeline: {run.emails} emails, {args.workers} workers, 2 schedulers, sweep every {args.interval} s, "
          f"mail server {args.smtp_delay * 1000:.0f} ms per message{', no chaos' if args.calm else ''}")
    for moment, event in run.events:
        print(f"  {moment:6.1f} s  {event}")
    print(f"  sweeps started at  {', '.join(f'{s:.1f}' for s in sweeps)} s")
    print()
    print(f"  delivered          {run.delivered:>8}")
    print(f"  lost               {run.lost:>8}")
    print(f"  sent twice         {run.duplicates:>8}   (only a message in flight at a worker kill may be)")
    print(f"  drain time         {run.drain_seconds:>8.1f} s   ({run.delivered / run.drain_seconds:.0f} emails/s)")
    if not args.calm:
        takeover = f"{run.takeover_seconds:.1f} s" if run.takeover_seconds is not None else "never"
        print(f"  takeover           {takeover:>10}   (lock {SETTINGS['SCHEDULER_LOCK_SECONDS']} s "
              f"+ poll {SETTINGS['SCHEDULER_POLL_SECONDS']} s at most)")
    print(f"  sweeps             {len(sweeps):>8}")
    if gaps:
        longest = max(later - earlier for earlier, later in gaps)
        print(f"  longest gap        {longest:>8.1f} s   ({longest / args.interval:.1f} intervals, outages included)")
    if calm and not args.calm:
        print(f"  longest calm gap   {max(calm):>8.1f} s   ({max(calm) / args.interval:.1f} intervals, "
              "between sweeps with no chaos event in between)")


if __name__ == "__main__":
    sys.exit(main())
