"""How long the reminder sweep takes with nothing due, and with 1,000 schedules due, as the
number of milestones grows. Not a test: it prints figures (see bench/README.md).

    .venv/bin/python -m bench.sweep                 # 10k and 200k milestones, SQLite file in a temp dir
    .venv/bin/python -m bench.sweep --quick         # 1k and 20k: a smoke run in seconds
    .venv/bin/python -m bench.sweep --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

(``.venv/bin/python bench/sweep.py ...`` works too.) A ``--database-url`` database is wiped
and rebuilt for each size: give it a throwaway one.

The data is built with core ``INSERT ... executemany`` in chunks (no ORM objects): users,
active campaigns of ten milestones each with two people, and one reminder schedule per
milestone and person, exactly as the sync would have left them at the sweep's moment
(``NOW``). The idle sweep finds nothing due; the busy one finds ``--due`` schedules due
(spread over the whole table) and writes one reminder for each. Between repetitions the
reminders are deleted and those schedules put back as they were. Enqueueing each email after
the commit is replaced by a counter, so the figures are the database work of the sweep.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from app.accounts.models import Role, User  # noqa: E402
from app.background import queue as job_queue  # noqa: E402
from app.extensions import db  # noqa: E402
from app.milestones.models import Milestone  # noqa: E402
from app.notifications.models import Notification  # noqa: E402
from app.projects.models import Project, ProjectMember, ProjectRole  # noqa: E402
from app.reminders import services as reminders  # noqa: E402
from app.reminders.models import ReminderSchedule, milestone_key  # noqa: E402
from bench.common import analyze, bench_app, describe, explain, fresh_schema, insert  # noqa: E402

#: The sweep's moment: a Tuesday noon UTC (not within anyone's default quiet hours).
NOW = datetime(2030, 1, 15, 12, 0)
#: The due milestones are due tomorrow: their "a day before" slot was at 09:00 today.
DUE_SOON = date(2030, 1, 16)
DUE_SLOT = datetime(2030, 1, 15, 9, 0)  # due-1 at 09:00 UTC: the slot the busy sweep sends
NEXT_SLOT = datetime(2030, 1, 16, 9, 0)  # on the day: where those schedules wait when idle
MILESTONES_PER_CAMPAIGN = 10
PEOPLE_PER_CAMPAIGN = 2  # the owner and one member: two schedules per milestone
USERS = 200
INDEX = "ix_reminder_schedules_next_at"


@dataclass
class Figures:
    milestones: int
    schedules: int
    build_s: float
    idle_ms: float
    idle_runs: list[float]
    scan_ms: float
    due_ms: float
    due_runs: list[float]
    due_written: int
    plan: str
    uses_index: bool


# --- building the data -----------------------------------------------------------------------

def _due_milestones(milestones: int, due: int) -> set[int]:
    """Ids of the milestones whose schedules are due in the busy sweep, spread over the table."""
    count = max(1, due // PEOPLE_PER_CAMPAIGN)
    step = milestones / count
    return {1 + int(i * step) for i in range(count)}


def _people(campaign: int) -> tuple[int, int]:
    owner = 1 + campaign % USERS
    return owner, 1 + (campaign + USERS // 2) % USERS


def build(app: Flask, milestones: int, due: int) -> int:
    """A fresh schema (through the migrations) and the data; returns the number of schedules."""
    with app.app_context():
        fresh_schema()
        campaigns = -(-milestones // MILESTONES_PER_CAMPAIGN)
        soon = _due_milestones(milestones, due)
        start = date(2029, 1, 1)
        with db.engine.begin() as connection:
            insert(connection, User.__table__, ({
                "id": u, "email": f"bench{u}@example.com", "name": f"Bench person {u}", "password_hash": "!",
                "role": Role.TEAM_MEMBER, "active": True, "sales_rep": False,
            } for u in range(1, USERS + 1)))
            insert(connection, Project.__table__, ({
                "id": p, "title": f"Bench campaign {p}", "state": "active", "owner_id": _people(p)[0],
                "start_date": start, "end_date": start + timedelta(days=1095), "goal_unit": "%",
            } for p in range(1, campaigns + 1)))
            insert(connection, ProjectMember.__table__, ({
                "project_id": p, "user_id": user, "role": role,
            } for p in range(1, campaigns + 1)
                for user, role in zip(_people(p), (ProjectRole.OWNER, ProjectRole.MEMBER), strict=True)))
            insert(connection, Milestone.__table__, ({
                "id": m, "project_id": 1 + (m - 1) // MILESTONES_PER_CAMPAIGN, "title": f"Bench milestone {m}",
                "due_date": _due_date(m, soon), "state": "open", "position": (m - 1) % MILESTONES_PER_CAMPAIGN,
            } for m in range(1, milestones + 1)))
            insert(connection, ReminderSchedule.__table__, (
                _schedule(m, user, soon) for m in range(1, milestones + 1)
                for user in _people(1 + (m - 1) // MILESTONES_PER_CAMPAIGN)))
        analyze()
        return milestones * PEOPLE_PER_CAMPAIGN


def _due_date(milestone: int, soon: set[int]) -> date:
    # Everything else is due from ten days on: its first slot (a week before) is after NOW.
    return DUE_SOON if milestone in soon else date(2030, 1, 25) + timedelta(days=milestone % 700)


def _schedule(milestone: int, user: int, soon: set[int]) -> dict[str, Any]:
    due = _due_date(milestone, soon)
    first_slot = datetime.combine(due - timedelta(days=7), datetime.min.time()) + timedelta(hours=9)
    return {
        "user_id": user, "item_key": milestone_key(milestone), "milestone_id": milestone, "task_id": None,
        "due_date": due, "cursor": NOW, "next_at": NEXT_SLOT if milestone in soon else first_slot,
    }


def _set_due(due: bool) -> None:
    """Put the soon-due schedules back before their slot (due) or after it (idle); drop the reminders."""
    db.session.execute(sa.delete(Notification))
    db.session.execute(sa.update(ReminderSchedule).where(ReminderSchedule.due_date == DUE_SOON).values(
        cursor=NOW - timedelta(days=1) if due else NOW, next_at=DUE_SLOT if due else NEXT_SLOT, last_sent_at=None))
    db.session.commit()
    db.session.remove()


# --- measuring -------------------------------------------------------------------------------

def _timed(run: Callable[[], reminders.SweepResult]) -> tuple[float, reminders.SweepResult]:
    db.session.remove()  # a new session each time: nothing cached from the last run
    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    db.session.remove()
    return elapsed * 1000, result


def _plan(app: Flask) -> tuple[str, bool]:
    """The database's plan for the due-schedules query exactly as the sweep sends it."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "FROM reminder_schedules" in statement and "next_at <=" in statement and not seen:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        reminders.sweep(now=NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
        db.session.remove()
    statement, parameters = seen[0]
    plan = explain(statement, parameters)
    query = " ".join(statement.split())
    return f"{query}\n{plan}", INDEX in plan


def measure(app: Flask, milestones: int, due: int, idle_runs: int, due_runs: int) -> Figures:
    started = time.perf_counter()
    schedules = build(app, milestones, due)
    build_s = time.perf_counter() - started
    with app.app_context():
        _set_due(False)
        _timed(lambda: reminders.sweep(now=NOW))  # warm-up: connection, caches, compiled statements
        idle = [_timed(lambda: reminders.sweep(now=NOW))[0] for _ in range(idle_runs)]
        scan = [_scan() for _ in range(max(3, idle_runs // 5))]
        busy: list[float] = []
        written = 0
        for _ in range(due_runs):
            _set_due(True)
            elapsed, result = _timed(lambda: reminders.sweep(now=NOW))
            busy.append(elapsed)
            written = result.sent
            assert result.schedules == due and result.sent == due, result
        _set_due(False)
        plan, uses_index = _plan(app)
    return Figures(milestones, schedules, build_s, statistics.median(idle), idle, statistics.median(scan),
                   statistics.median(busy), busy, written, plan, uses_index)


def _scan() -> float:
    """For comparison: the same question asked so that no index can answer it (a full scan)."""
    unindexed = sa.func.coalesce(ReminderSchedule.next_at, ReminderSchedule.next_at)
    started = time.perf_counter()
    db.session.execute(sa.select(ReminderSchedule.id).where(unindexed <= NOW).order_by(unindexed).limit(500)).all()
    elapsed = time.perf_counter() - started
    db.session.remove()
    return elapsed * 1000


# --- running ---------------------------------------------------------------------------------

def _count_enqueues() -> list[str]:
    """Replace enqueueing after the commit by a counter: the figures are the sweep's own work."""
    enqueued: list[str] = []

    def enqueue_now(func: str, *args: Any, job_id: str | None = None) -> bool:
        enqueued.append(func)
        return True

    job_queue.enqueue_now = enqueue_now  # type: ignore[assignment]
    return enqueued


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a throwaway database (wiped!); default: SQLite files in a temp dir")
    parser.add_argument("--quick", action="store_true", help="small sizes (1k and 20k milestones, 200 due)")
    parser.add_argument("--sizes", help="milestone counts, comma-separated (default 10000,200000)")
    parser.add_argument("--due", type=int, help="schedules due in the busy sweep (default 1000)")
    parser.add_argument("--repeat", type=int, default=25, help="idle sweeps per size (default 25)")
    parser.add_argument("--busy-repeat", type=int, default=5, help="busy sweeps per size (default 5)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("1000,20000" if args.quick else "10000,200000")).split(",")]
    due = args.due or (200 if args.quick else 1000)
    if any(size * PEOPLE_PER_CAMPAIGN < due for size in sizes):
        parser.error("each size needs at least as many schedules as --due")
    enqueued = _count_enqueues()
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="countersign-bench-") as folder:
        for size in sizes:
            url = args.database_url or f"sqlite:///{Path(folder) / f'sweep-{size}.db'}"
            app = bench_app(url)
            print(f"… {size:,} milestones on {describe(app)}: building, then sweeping", flush=True)
            results.append(measure(app, size, due, args.repeat, args.busy_repeat))
            with app.app_context():
                db.engine.dispose()
    _report(results, due, len(enqueued))
    return 0 if all(f.uses_index for f in results) else 1


def _report(results: list[Figures], due: int, enqueued: int) -> None:
    print()
    print(f"Sweep at {NOW:%Y-%m-%d %H:%M} UTC; median of the runs; {PEOPLE_PER_CAMPAIGN} schedules per milestone")
    header = (f"{'milestones':>11} {'schedules':>10} {'build s':>8} {'idle ms':>8} {'(best)':>7} "
              f"{'no-index scan ms':>16} {f'{due:,} due ms':>13} {'ms per due':>10}  index")
    print(header)
    print("-" * len(header))
    for f in results:
        print(f"{f.milestones:>11,} {f.schedules:>10,} {f.build_s:>8.1f} {f.idle_ms:>8.2f} {min(f.idle_runs):>7.2f} "
              f"{f.scan_ms:>16.1f} {f.due_ms:>13.1f} {f.due_ms / max(f.due_written, 1):>10.3f}  "
              f"{'yes' if f.uses_index else 'NO'}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(f"\nidle({large.milestones:,}) / idle({small.milestones:,}) = {large.idle_ms / small.idle_ms:.2f} "
              f"median, {min(large.idle_runs) / min(small.idle_runs):.2f} best "
              f"(flat is ~1; the milestones grew {large.milestones / small.milestones:.0f}x)")
        print(f"no-index scan({large.milestones:,}) / scan({small.milestones:,}) = "
              f"{large.scan_ms / small.scan_ms:.1f} (what the sweep would cost without the index)")
        print(f"due({large.milestones:,}) / due({small.milestones:,}) = {large.due_ms / small.due_ms:.2f}")
    for f in results:
        print(f"\nidle runs at {f.milestones:,} (ms): {', '.join(f'{r:.2f}' for r in f.idle_runs)}")
        print(f"due runs at {f.milestones:,} (ms): {', '.join(f'{r:.1f}' for r in f.due_runs)}")
    print(f"\n({enqueued:,} email jobs counted instead of enqueued)")
    for f in results:
        print(f"\nQuery plan of the due-schedules query at {f.milestones:,} milestones "
              f"({'uses' if f.uses_index else 'does NOT use'} {INDEX}):\n{f.plan}")


if __name__ == "__main__":
    sys.exit(main())
