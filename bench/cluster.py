"""Countersign as it is deployed, on loopback: two web instances, two workers, two schedulers, one
PostgreSQL and one Redis, under load while a worker and the leading scheduler are SIGKILLed.

    .venv/bin/python -m bench.cluster                 # 120 s of load, 3,000 reminders falling due
    .venv/bin/python -m bench.cluster --quick         # 40 s, 1,000 reminders
    .venv/bin/python -m bench.cluster --database-url postgresql+psycopg://postgres@127.0.0.1:5432/other

It creates the PostgreSQL database of ``--database-url`` (refusing one that exists) and drops it at
the end; it uses the Redis database of ``--redis-url`` (refusing one that holds keys) and empties it
at the end. On it: the large data set (app/demo/large.py), and bench people whose reminders fall due
one after another all through the load. Then two gunicorn instances (2 sync workers each), two
``flask jobs worker`` and two ``flask jobs scheduler`` (a sweep every 5 s, a lock of 10 s asked for
every second) mailing a local SMTP server, while threads send reads and writes to both instances
with one session (the web processes keep no state). Halfway, one worker and the scheduler holding
the lock are SIGKILLed; after the load it waits for every due reminder to be delivered.

It prints req/s, p50 and p99 per instance and per request, every unexpected status, how long the
stand-by took to hold the lock and to sweep, and the reminders: due, delivered, lost, sent twice,
how late after their due time. Exit 1 on any 5xx (or a connection dropped) or a lost reminder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from redis import Redis

from app.accounts.models import Role, User
from app.accounts.services import issue_token
from app.background.models import JobRun
from app.background.scheduler import lock_key
from app.background.workers import live_workers
from app.core import clock
from app.demo.large import BUSY_PM_EMAIL, Size, build
from app.extensions import db
from app.milestones.models import Milestone
from app.notifications.models import Notification, NotificationPreference
from app.projects.models import Project, ProjectMember, ProjectRole
from app.reminders.models import ReminderSchedule
from bench.common import analyze, bench_app, describe, fresh_schema, serve, session_cookie
from bench.load import BROKEN, LOGIN, Call, Driver, Tally, percentile
from tests.jobs.helpers import FlaskProcess, SmtpSink, wait_for
from workflows import reminders
from workflows.milestone import MilestoneState
from workflows.project import ProjectState

SWEEP_INTERVAL = 5  # the scheduler's shortest
SETTINGS = {
    "MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_USE_TLS": "", "MAIL_USERNAME": "",
    "MAIL_TIMEOUT": "10", "MAIL_LEASE_SECONDS": "10", "RECOVER_AFTER_SECONDS": "5", "MAIL_RETRY_DELAYS": "1,1,1",
    "SCHEDULER_LOCK_SECONDS": "10", "SCHEDULER_POLL_SECONDS": "1", "WORKER_PULSE_SECONDS": "1",
}
#: The bench people, each on every bench campaign: a reminder per milestone and person.
PEOPLE = 20
MILESTONES_PER_CAMPAIGN = 15
#: The bench people's local hour at the start (their zone is picked for it): far from their quiet hours.
LOCAL_HOUR = 13
#: The busy project manager's campaigns the load reads and writes.
LOAD_CAMPAIGNS = 20
#: Seconds without a reminder sent after which the wait for the rest gives up.
STALLED = 60


@dataclass
class Seeded:
    """The reminders falling due during the run: schedule id → (person, item key)."""

    schedules: dict[int, tuple[int, str]]
    people: list[int]
    slot: reminders.Slot  # the slot each owes (the day before its milestone, at the person's hour)
    due_at: dict[tuple[int, str], datetime] = field(default_factory=dict)  # set when the load starts


@dataclass
class Timeline:
    began: float = 0.0  # monotonic, when the load started
    load: tuple[datetime, datetime] | None = None  # when it started and stopped, on the app's clock
    events: list[tuple[float, str]] = field(default_factory=list)
    killed_at: datetime | None = None
    lock_taken_at: datetime | None = None
    sweeps: list[datetime] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.events.append((time.monotonic() - self.began, what))


# --- the throwaway database and Redis ---------------------------------------------------------

@contextlib.contextmanager
def throwaway_database(url: str) -> Iterator[None]:
    """Create the database of ``url`` (never one that exists) and drop it afterwards."""
    target = sa.engine.make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        raise SystemExit(f"--database-url must name a PostgreSQL database, not {url!r}")
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = target.database
    with admin.connect() as connection:
        if connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            raise SystemExit(f"The database {name} exists: the run creates and drops its own; drop it or pick "
                             "another name with --database-url")
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def empty_redis(url: str) -> Iterator[Redis]:
    """The Redis database of ``url``, which must hold nothing, emptied again afterwards."""
    connection = Redis.from_url(url)
    if connection.dbsize():
        raise SystemExit(f"The Redis database {url} holds keys: pick an empty one with --redis-url")
    try:
        yield connection
    finally:
        connection.flushdb()


# --- the data ---------------------------------------------------------------------------------

def zone_for(local_hour: int, now: datetime) -> str:
    """An IANA zone where it is ``local_hour`` o'clock at ``now`` (UTC, naive): Etc/GMT-2 is UTC+2."""
    offset = (local_hour - now.hour + 12) % 24 - 12
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def seed_reminders(count: int) -> Seeded:
    """Bench people on bench campaigns whose milestones are due tomorrow where they live: each
    (milestone, person) owes the "a day before" slot of today, already past. Written as the services
    would (the listener syncs the schedules at the commit); :func:`fall_due` then puts each schedule's
    next time within the run, as a change of settings does (``reschedule_person``)."""
    now = clock.now()
    zone = zone_for(LOCAL_HOUR, now)
    prefs = reminders.ReminderPrefs(time_zone=zone, hour=LOCAL_HOUR)
    today = reminders.local(now, prefs).date()
    people = [User(email=f"cluster{n}@example.com", name=f"Cluster person {n}", password_hash="!",
                   role=Role.TEAM_MEMBER) for n in range(PEOPLE)]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all(NotificationPreference(
        user_id=p.id, time_zone=zone, reminder_hour=prefs.hour, quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end, email_digest=False, reminders_email=True) for p in people)
    milestones = -(-count // PEOPLE)
    for c in range(-(-milestones // MILESTONES_PER_CAMPAIGN)):
        project = Project(title=f"Cluster bench campaign {c + 1}", state=ProjectState.ACTIVE, owner_id=people[0].id,
                          start_date=today - timedelta(days=30), end_date=today + timedelta(days=60))
        project.memberships = [ProjectMember(user_id=p.id, role=ProjectRole.OWNER if p is people[0]
                                             else ProjectRole.MEMBER) for p in people]
        project.milestones = [Milestone(title=f"Cluster milestone {c + 1}.{m + 1}", due_date=today + timedelta(days=1),
                                        state=MilestoneState.OPEN, position=m)
                              for m in range(min(MILESTONES_PER_CAMPAIGN, milestones - c * MILESTONES_PER_CAMPAIGN))]
        db.session.add(project)
    db.session.commit()
    rows = db.session.execute(sa.select(ReminderSchedule.id, ReminderSchedule.user_id, ReminderSchedule.item_key)
                              .where(ReminderSchedule.user_id.in_([p.id for p in people]))).all()
    slot = reminders.latest_slot(today + timedelta(days=1), prefs, now - timedelta(days=1), now)
    assert slot is not None and slot.offset == -1, slot
    return Seeded({row.id: (row.user_id, row.item_key) for row in rows}, [p.id for p in people], slot)


def fall_due(seeded: Seeded, first: datetime, last: datetime) -> None:
    """Each seeded schedule falls due at its own moment between ``first`` and ``last``, evenly."""
    ids = sorted(seeded.schedules)
    step = (last - first) / max(1, len(ids) - 1)
    values = []
    for n, schedule_id in enumerate(ids):
        due = first + step * n
        seeded.due_at[seeded.schedules[schedule_id]] = due
        values.append({"id": schedule_id, "cursor": seeded.slot.at - timedelta(minutes=1), "next_at": due})
    db.session.execute(sa.update(ReminderSchedule), values)
    db.session.commit()


@dataclass(frozen=True)
class Targets:
    """What the load asks for, as the busy project manager."""

    api_token: str
    feed_token: str
    campaigns: list[tuple[int, int]]  # (campaign, an open milestone of it): under way, theirs to report on


def load_targets(feed_token: str) -> Targets:
    pm = db.session.scalars(sa.select(User).where(User.email == BUSY_PM_EMAIL)).one()
    _token, api_token = issue_token(pm, "bench/cluster.py")
    db.session.commit()
    campaigns = db.session.execute(
        sa.select(Project.id, sa.func.min(Milestone.id)).join(Milestone, Milestone.project_id == Project.id)
        .where(Project.project_manager_id == pm.id, Project.state == ProjectState.ACTIVE,
               Milestone.state == MilestoneState.OPEN)
        .group_by(Project.id).order_by(Project.id).limit(LOAD_CAMPAIGNS)).tuples().all()
    assert campaigns, "the busy project manager leads no campaign under way"
    return Targets(api_token, feed_token, list(campaigns))


def script(targets: Targets, cookie: str) -> list[Call]:
    """Reads of every kind with a write after every six: a goal actual, a comment, a task in turn."""
    session = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {targets.api_token}", "Content-Type": "application/json"}
    feed = f"/calendars/v1/{targets.feed_token}.ics"
    gzip = {"Accept-Encoding": "gzip"}
    calls: list[Call] = []
    for n, (project_id, milestone_id) in enumerate(targets.campaigns):
        reads = [
            Call("dashboard", "GET", "/", session),
            Call("campaign list", "GET", "/campaigns/", session),
            Call("campaign page", "GET", f"/campaigns/{project_id}", session),
            Call("API campaign list", "GET", "/api/v1/projects", api),
            Call("calendar feed", "GET", feed, gzip),
            Call("calendar feed, revalidated", "GET", feed, gzip, expected=frozenset({200, 304}), revalidate=True),
        ]
        writes = [
            Call("POST goal actual (API)", "POST", f"/api/v1/projects/{project_id}/actuals", api,
                 json.dumps({"value": n, "note": "bench/cluster.py"}).encode(), frozenset({201}), idempotent=True),
            Call("POST comment (API)", "POST", f"/api/v1/campaigns/{project_id}/comments", api,
                 json.dumps({"body": "Checked by bench/cluster.py.", "mention_ids": []}).encode(),
                 frozenset({201}), idempotent=True),
            Call("POST task (API)", "POST", f"/api/v1/projects/{project_id}/milestones/{milestone_id}/tasks", api,
                 json.dumps({"title": f"Bench task {n}"}).encode(), frozenset({201}), idempotent=True),
        ]
        calls += [*reads, writes[n % len(writes)]]
    return calls


# --- the processes ----------------------------------------------------------------------------

class Cluster:
    """Every process of the run, stopped together whatever happens."""

    def __init__(self, folder: Path, env: dict[str, str], queue: str) -> None:
        self.folder, self.env, self.queue = folder, env, queue
        self.web: list[tuple[subprocess.Popen[bytes], int]] = []
        self.workers: list[FlaskProcess] = []
        self.schedulers: list[FlaskProcess] = []

    def start(self) -> None:
        for n in (1, 2):
            self.web.append(serve("wsgi:app", self.env, self.folder / f"web{n}.log"))
            self.workers.append(self._flask(f"worker{n}", "worker", "--name", f"{self.queue}-worker{n}"))
            self.schedulers.append(self._flask(f"scheduler{n}", "scheduler", "--interval", str(SWEEP_INTERVAL)))

    def _flask(self, name: str, *command: str) -> FlaskProcess:
        return FlaskProcess(name, ["jobs", *command], self.env, self.folder / f"{name}.log")

    @property
    def ports(self) -> list[int]:
        return [port for _process, port in self.web]

    def leader(self, redis: Redis) -> tuple[FlaskProcess | None, bytes | None]:
        """The scheduler holding the lock (its token is in its log when it takes it), and the token."""
        token = redis.get(lock_key(self.queue))
        holding = [s for s in self.schedulers if token is not None and token.decode() in s.log()]
        return (holding[0] if holding else None), token

    def took_lock_at(self, token: str) -> datetime | None:
        """When the scheduler of ``token`` logged that it holds the lock (UTC, naive, as the app's clock)."""
        for scheduler in self.schedulers:
            for line in scheduler.log().splitlines():
                if f"holds the lock (token {token})" in line:
                    # logging's asctime: local time, milliseconds after a comma.
                    local = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
                    return local.astimezone(UTC).replace(tzinfo=None)
        return None

    def stop(self) -> None:
        for process, _port in self.web:
            with contextlib.suppress(OSError):
                process.terminate()
        for flask in [*self.workers, *self.schedulers]:
            flask.kill()
            flask.close()
        for process, _port in self.web:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


# --- the run ----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=120, help="seconds of load (default 120)")
    parser.add_argument("--reminders", type=int, default=3000,
                        help=f"reminders falling due during the load (default 3000; a multiple of {PEOPLE})")
    parser.add_argument("--quick", action="store_true", help="40 s of load and 1,000 reminders")
    parser.add_argument("--connections", type=int, default=8, help="load threads, half on each instance")
    parser.add_argument("--drain-timeout", type=float, default=600,
                        help="seconds to wait at most after the load for every due reminder (default 600; it "
                             f"gives up sooner when none is sent for {STALLED} s)")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/countersign_cluster",
                        help="a PostgreSQL database the run creates and drops (it must not exist)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13",
                        help="an empty Redis database, emptied again at the end")
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs (always kept on failure)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.reminders = 40, 1000
    if args.seconds < 20 or args.reminders < PEOPLE or args.connections < 2:
        parser.error("at least 20 seconds, 20 reminders and 2 connections")

    # SIGTERM as Ctrl-C: the same clean-up (processes, database, Redis) runs.
    def interrupted(_signal: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    folder = Path(tempfile.mkdtemp(prefix="countersign-cluster-"))
    failed = True
    try:
        with throwaway_database(args.database_url), empty_redis(args.redis_url) as redis:
            failed = _run(args, folder, redis)
    finally:
        if failed or args.keep_logs:
            print(f"\nThe processes' logs are kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


def _run(args: argparse.Namespace, folder: Path, redis: Redis) -> bool:
    queue = f"bench-cluster-{uuid.uuid4().hex[:8]}"
    app = bench_app(args.database_url)
    sink = SmtpSink()
    sink.start()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "COUNTERSIGN_"))}
    env.update(SETTINGS, COUNTERSIGN_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=args.database_url,
               REDIS_URL=args.redis_url, QUEUE_NAME=queue, MAIL_PORT=str(sink.port), JOBS_INLINE="",
               COUNTERSIGN_INSTANCE=str(folder / "instance"), PYTHONUNBUFFERED="1")
    cluster = Cluster(folder, env, queue)
    try:
        with app.app_context():
            print(f"Building the large data set on {describe(app)} ...", flush=True)
            fresh_schema()
            began = time.perf_counter()
            summary = build(Size.LARGE)
            db.session.commit()
            seeded = seed_reminders(args.reminders)
            analyze()
            built = time.perf_counter() - began
            targets = load_targets(summary.feed_tokens["mine"])
            cluster.start()
            wait_for(lambda: cluster.leader(redis)[0] is not None, "a scheduler to hold the lock", timeout=60)
            wait_for(lambda: len(live_workers(redis, queue)) == 2, "both workers to register", timeout=60)
            cookie = session_cookie(cluster.ports[0], BUSY_PM_EMAIL)
            timeline = Timeline()
            first = clock.now() + timedelta(seconds=1)
            fall_due(seeded, first, first + timedelta(seconds=args.seconds - 2))
            tallies = _load(args, cluster, redis, script(targets, cookie), timeline)
            _drain(seeded, timeline, args.drain_timeout)
            print(f"\nCluster on {describe(app)}: the large data set ({Size.LARGE.campaigns:,} campaigns, "
                  f"{Size.LARGE.milestones:,} milestones, {Size.LARGE.people:,} people) and {len(seeded.schedules):,} "
                  f"bench reminders, built in {built:.0f} s; {os.cpu_count()} CPUs")
            errors = _report_http(args, cluster, tallies)
            lost = _report_reminders(seeded, sink, timeline)
            db.session.remove()
            db.engine.dispose()
    finally:
        cluster.stop()
        sink.stop()
    failed = errors or lost
    print(f"\n{'FAILED: ' if failed else ''}{errors} server errors or dropped connections, {lost} reminders lost.")
    return bool(failed)


def _load(args: argparse.Namespace, cluster: Cluster, redis: Redis, calls: list[Call],
          timeline: Timeline) -> list[Tally]:
    """Drive both instances for ``--seconds``; halfway, SIGKILL a worker and the leading scheduler."""
    timeline.began, started = time.monotonic(), clock.now()
    end = timeline.began + args.seconds
    drivers = [Driver(cluster.ports[n % 2], calls, end, start_at=n * 7) for n in range(args.connections)]
    for driver in drivers:
        driver.start()
    timeline.note(f"load starts: {args.connections} connections, half on each instance")
    killed_token: bytes | None = None
    while time.monotonic() < end:
        _sample_sweep(timeline)
        if killed_token is None and time.monotonic() - timeline.began >= args.seconds / 2:
            leader, killed_token = cluster.leader(redis)
            assert leader is not None and killed_token is not None, "no scheduler holds the lock"
            cluster.workers[0].kill()
            timeline.killed_at = clock.now()
            leader.kill()
            timeline.note(f"SIGKILL {cluster.workers[0].name} and the leading scheduler ({leader.name})")
        elif killed_token is not None and timeline.lock_taken_at is None:
            holder = redis.get(lock_key(cluster.queue))
            if holder is not None and holder != killed_token:
                # When it took the lock, as it logged it: this loop notices later, by up to a database
                # query under load, by which time the first sweep it enqueued may have started.
                timeline.lock_taken_at = cluster.took_lock_at(holder.decode()) or clock.now()
                timeline.note("the stand-by scheduler holds the lock (noticed)")
        time.sleep(0.05)
    for driver in drivers:
        driver.join()
    timeline.load = (started, clock.now())
    timeline.note("load stops")
    tallies = [Tally(), Tally()]
    for driver in drivers:
        tallies[cluster.ports.index(driver.port)].add(driver.tally)
    return tallies


def _sample_sweep(timeline: Timeline) -> None:
    db.session.rollback()
    started = db.session.scalar(sa.select(JobRun.started_at).where(JobRun.name == "sweep"))
    if started is not None and started not in timeline.sweeps:
        timeline.sweeps.append(started)


def _sent(seeded: Seeded) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == "reminder", Notification.user_id.in_(seeded.people), Notification.email_status == "sent")) or 0


def _drain(seeded: Seeded, timeline: Timeline, timeout: float) -> None:
    """Wait for every due reminder to be sent: until ``timeout``, or until none was for a minute
    (more than a lease and a recovery: nothing more is coming)."""
    deadline = time.monotonic() + timeout
    count, progressed = _sent(seeded), time.monotonic()
    while count < len(seeded.schedules) and time.monotonic() < min(deadline, progressed + STALLED):
        _sample_sweep(timeline)
        time.sleep(0.2)
        if (now := _sent(seeded)) > count:
            count, progressed = now, time.monotonic()
    timeline.note("every due reminder sent" if count >= len(seeded.schedules)
                  else f"gave up waiting: {len(seeded.schedules) - count} not sent")


# --- the figures ------------------------------------------------------------------------------

def _report_http(args: argparse.Namespace, cluster: Cluster, tallies: list[Tally]) -> int:
    both = Tally()
    for tally in tallies:
        both.add(tally)
    print(f"\nHTTP: 2 gunicorn instances x 2 sync workers, {args.connections} connections for {args.seconds} s, "
          "one session for both instances")
    print(f"  {'':34} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'unexpected':>11}")
    rows = [(f"instance {n + 1} (:{port})", t) for n, (port, t) in enumerate(zip(cluster.ports, tallies, strict=True))]
    for name, tally in [*rows, ("both", both)]:
        times = tally.all_latencies()
        print(f"  {name:34} {len(times):9,} {len(times) / args.seconds:7.1f} {percentile(times, 0.5):8.1f} "
              f"{percentile(times, 0.99):8.1f} {sum(tally.unexpected.values()):11}")
    print("  by request, both instances:")
    for kind, times in both.latencies.items():
        unexpected = sum(n for (k, _status), n in both.unexpected.items() if k == kind)
        print(f"    {kind:32} {len(times):9,} {len(times) / args.seconds:7.1f} {percentile(times, 0.5):8.1f} "
              f"{percentile(times, 0.99):8.1f} {unexpected:11}")
    names = {LOGIN: "redirect to /login", BROKEN: "no answer"}
    for (kind, status), count in sorted(both.unexpected.items()):
        print(f"  unexpected: {kind}: {names.get(status, status)} x {count}")
    return both.server_errors


def _report_reminders(seeded: Seeded, sink: SmtpSink, timeline: Timeline) -> int:
    db.session.rollback()
    rows = db.session.execute(
        sa.select(Notification.id, Notification.user_id, Notification.dedupe_key, Notification.created_at,
                  Notification.email_sent_at)
        .where(Notification.kind == "reminder", Notification.user_id.in_(seeded.people))).all()
    received = sink.ids()
    written: list[float] = []  # seconds from due to the sweep writing it
    late: list[float] = []  # seconds from due to the mail server accepting it
    sent: list[datetime] = []
    first = min(seeded.due_at.values())
    by_quarter: list[list[tuple[float, float]]] = [[], [], [], []]  # (written, delivered) by when due
    delivered = duplicates = 0
    for row in rows:
        due = seeded.due_at[(row.user_id, (row.dedupe_key or "").split(":")[1])]
        written.append((row.created_at - due).total_seconds())
        emails = received[f"notification-{row.id}"]
        duplicates += max(0, emails - 1)
        if emails and row.email_sent_at is not None:
            delivered += 1
            late.append((row.email_sent_at - due).total_seconds())
            sent.append(row.email_sent_at)
            quarter = min(3, int((due - first) / (max(seeded.due_at.values()) - first) * 4))
            by_quarter[quarter].append((written[-1], late[-1]))
    due_count = len(seeded.schedules)
    print("\nTimeline")
    for moment, what in timeline.events:
        print(f"  {moment:7.1f} s  {what}")
    print(f"  sweeps every {SWEEP_INTERVAL} s; the longest gap between two: {_longest_gap(timeline.sweeps):.1f} s")
    if timeline.killed_at is not None:
        lock = (f"{(timeline.lock_taken_at - timeline.killed_at).total_seconds():.1f} s"
                if timeline.lock_taken_at else "never")
        after = [s for s in timeline.sweeps if timeline.lock_taken_at and s >= timeline.lock_taken_at]
        sweep = f"{(min(after) - timeline.killed_at).total_seconds():.1f} s" if after else "never"
        print(f"\nScheduler takeover: the stand-by held the lock {lock} after the kill (at most lock "
              f"{SETTINGS['SCHEDULER_LOCK_SECONDS']} s + poll {SETTINGS['SCHEDULER_POLL_SECONDS']} s); "
              f"the first sweep it enqueued started {sweep} after the kill")
    print(f"\nReminders (the slot {seeded.slot.key} of each bench milestone, for each of {PEOPLE} people)")
    print(f"  due during the load   {due_count:8,}")
    print(f"  written               {len(rows):8,}   after their due time: {_spread(written)}")
    print(f"  delivered             {delivered:8,}   after their due time: {_spread(late)}")
    if timeline.load is not None and sent:
        began, stopped = timeline.load
        during = sum(1 for at in sent if at <= stopped)
        after = (max(sent) - stopped).total_seconds()
        print(f"    {during:,} during the load ({during / (stopped - began).total_seconds():.1f}/s), "
              f"{delivered - during:,} after it ({(delivered - during) / after if after > 0 else 0:.1f}/s)")
    for n, quarter in enumerate(by_quarter):
        if quarter:
            print(f"    due in quarter {n + 1} of the load: written {_spread([w for w, _ in quarter])}; "
                  f"delivered {_spread([d for _, d in quarter])}")
    print(f"  lost                  {due_count - delivered:8,}")
    print(f"  sent twice            {duplicates:8,}   (only an email in flight at the worker kill may be)")
    others = len(sink.received()) - sum(received[f"notification-{r.id}"] for r in rows)
    print(f"  other emails          {others:8,}   (the comments' notifications, the large set's own reminders)")
    return due_count - delivered


def _spread(seconds: list[float]) -> str:
    return (f"p50 {percentile(seconds, 0.5):.1f} s, p99 {percentile(seconds, 0.99):.1f} s, "
            f"slowest {max(seconds, default=0.0):.1f} s")


def _longest_gap(starts: list[datetime]) -> float:
    ordered = sorted(starts)
    return max(((b - a).total_seconds() for a, b in zip(ordered, ordered[1:], strict=False)), default=0.0)


if __name__ == "__main__":
    sys.exit(main())
