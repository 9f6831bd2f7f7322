"""How long a calendar feed takes to serve, cold and as a 304, at 500 and 5,000 events.
Not a test: it prints figures (see bench/README.md).

    .venv/bin/python -m bench.feeds              # 500 and 5,000 events, SQLite file in a temp dir
    .venv/bin/python -m bench.feeds --quick      # fewer repetitions
    .venv/bin/python -m bench.feeds --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

One person's "My calendar" link covers campaigns of 25 milestones, each milestone with one task
(so half the events are milestones, half tasks), among as many campaigns again that they are not
on. Each request goes through the whole app (WSGI, the token check, the fingerprint query, the
build) with Flask's test client:

* **built**: no ``If-None-Match`` and nothing cached: the feed is read and written in full;
* **cached**: no ``If-None-Match``, but Redis holds the feed built for the current ETag (a second
  device, a client that never revalidates): one aggregate query and one Redis GET;
* **304**: the client sends the ETag it has: one aggregate query, nothing built or fetched.

Redis is the local one (``--redis-url``, default ``redis://127.0.0.1:6379/0``), under a queue name
of the run's own, whose keys are deleted afterwards; without a reachable Redis the cached column
is left out.

It also times the two parts of a build alone: reading the rows into events (``feeds.events``) and
writing those events (``ical.render``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from redis import Redis  # noqa: E402
from redis.exceptions import RedisError  # noqa: E402

from app.accounts.models import Role, User  # noqa: E402
from app.background.queue import redis_connection  # noqa: E402
from app.calendars import feeds, ical  # noqa: E402
from app.calendars.models import CalendarFeed  # noqa: E402
from app.calendars.services import hash_secret  # noqa: E402
from app.extensions import db  # noqa: E402
from app.milestones.models import Milestone, Task  # noqa: E402
from app.projects.models import Project, ProjectMember, ProjectRole  # noqa: E402
from bench.common import analyze, bench_app, describe, fresh_schema, insert  # noqa: E402

MILESTONES_PER_CAMPAIGN = 25
SUBSCRIBER, OWNER = 1, 2
SELECTOR, SECRET = "benchbenchbench1", "s" * 43
TOKEN = SELECTOR + SECRET
START = date(2027, 1, 1)


@dataclass
class Figures:
    events: int
    size_kb: float
    cold: list[float]
    cached: list[float]
    not_modified: list[float]
    rows: list[float]
    writer: list[float]


def build(app: Flask, events: int) -> None:
    """A fresh schema and one subscriber whose feed holds ``events`` events."""
    milestones = events // 2
    campaigns = -(-milestones // MILESTONES_PER_CAMPAIGN)
    with app.app_context():
        fresh_schema()
        with db.engine.begin() as connection:
            insert(connection, User.__table__, iter([
                {"id": SUBSCRIBER, "email": "tara@example.com", "name": "Tara Teammate", "password_hash": "!",
                 "role": Role.TEAM_MEMBER, "active": True, "sales_rep": False},
                {"id": OWNER, "email": "sam@example.com", "name": "Sam Seller", "password_hash": "!",
                 "role": Role.SALES_MANAGER, "active": True, "sales_rep": False},
            ]))
            # Twice the campaigns: the subscriber is on the odd ones only, so the feed must filter.
            insert(connection, Project.__table__, ({
                "id": p, "uuid": uuid.uuid4(), "title": f"Bench campaign {p}", "state": "active", "owner_id": OWNER,
                "start_date": START, "end_date": START + timedelta(days=730), "goal_unit": "%",
                "goal_metric": "Customers on the new tier",
            } for p in range(1, 2 * campaigns + 1)))
            insert(connection, ProjectMember.__table__, ({
                "project_id": p, "user_id": user, "role": role,
            } for p in range(1, 2 * campaigns + 1)
                for user, role in ((OWNER, ProjectRole.OWNER), (SUBSCRIBER, ProjectRole.MEMBER)) if user == OWNER or p % 2))
            every = 2 * campaigns * MILESTONES_PER_CAMPAIGN
            insert(connection, Milestone.__table__, ({
                "id": m, "uuid": uuid.uuid4(), "project_id": _campaign(m), "title": f"Bench milestone {m}",
                "description": "", "due_date": START + timedelta(days=m % 700), "state": "open",
                "target_value": 10.0 * (m % 5), "owner_id": OWNER, "position": m % MILESTONES_PER_CAMPAIGN,
            } for m in range(1, every + 1)))
            insert(connection, Task.__table__, ({
                "id": m, "uuid": uuid.uuid4(), "milestone_id": m, "title": f"Bench task {m}",
                "assignee_id": SUBSCRIBER, "due_date": None if m % 3 else START + timedelta(days=m % 650),
                "done": m % 4 == 0, "position": 0,
            } for m in range(1, every + 1)))
            insert(connection, CalendarFeed.__table__, iter([{
                "user_id": SUBSCRIBER, "name": "Bench", "kind": "mine", "only_mine": False,
                "selector": SELECTOR, "secret_hash": hash_secret(SECRET),
            }]))
        analyze()


def _campaign(milestone: int) -> int:
    return 1 + (milestone - 1) // MILESTONES_PER_CAMPAIGN


def _timed(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm-up: caches, the first "last fetched" write
    times = []
    for _ in range(repeat):
        db.session.remove()
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    db.session.remove()
    return times


def measure(app: Flask, events: int, repeat: int) -> Figures:
    build(app, events)
    client = app.test_client()
    path = f"/calendars/v1/{TOKEN}.ics"
    with app.app_context():
        first = client.get(path)
        assert first.status_code == 200, first.status_code
        body = first.get_data()
        count = body.count(b"BEGIN:VEVENT")
        assert count == events, (count, events)
        etag = first.headers["ETag"]

        redis = redis_connection() if app.config["REDIS_URL"] else None

        def cold() -> None:
            if redis is not None:
                redis.delete(*redis.keys(f"{app.config['QUEUE_NAME']}:*") or ["-"])
            assert client.get(path).status_code == 200

        def cached() -> None:
            assert client.get(path).status_code == 200

        def not_modified() -> None:
            assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

        cold_runs = _timed(cold, repeat)
        cached_runs = _timed(cached, repeat * 4) if redis is not None else []
        not_modified_runs = _timed(not_modified, repeat * 4)

        feed = db.session.scalars(sa.select(CalendarFeed)).one()
        collected: list[ical.Event] = []

        def rows_only() -> None:
            collected[:] = feeds.events(feed)

        rows_runs = _timed(rows_only, repeat)
        calendar = ical.Calendar(name="Bench")
        writer_runs = _timed(lambda: ical.render(calendar, collected), repeat)
        if redis is not None:
            redis.delete(*redis.keys(f"{app.config['QUEUE_NAME']}:*") or ["-"])
    return Figures(events, len(body) / 1024, cold_runs, cached_runs, not_modified_runs, rows_runs, writer_runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a throwaway database (wiped!); default: SQLite files in a temp dir")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (5 instead of 15)")
    parser.add_argument("--sizes", default="500,5000", help="events per feed, comma-separated (default 500,5000)")
    parser.add_argument("--repeat", type=int, help="builds per size (default 15; cached and 304: four times as many)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="the Redis of the cache ('' for none)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if any(size < 2 or size % 2 for size in sizes):
        parser.error("sizes must be even: half milestones, half tasks")
    repeat = args.repeat or (5 if args.quick else 15)
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="countersign-bench-") as folder:
        for size in sizes:
            app = bench_app(args.database_url or f"sqlite:///{Path(folder) / f'feeds-{size}.db'}")
            app.config.update(REDIS_URL=_reachable(args.redis_url), QUEUE_NAME=f"bench-feeds-{uuid.uuid4().hex[:8]}")
            print(f"… a feed of {size:,} events on {describe(app)}", flush=True)
            results.append(measure(app, size, repeat))
            with app.app_context():
                db.engine.dispose()
    _report(results)
    return 0


def _reachable(url: str) -> str:
    if not url:
        return ""
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisError as error:
        print(f"(no Redis at {url}: {error}; the cached column is left out)")
        return ""
    return url


def _report(results: list[Figures]) -> None:
    print()
    print("Median (and best) of the runs, in ms; every request through the whole app")
    header = (f"{'events':>7} {'feed kB':>8} {'built':>8} {'(best)':>7} {'cached':>7} {'(best)':>7} {'304':>7} "
              f"{'(best)':>7} {'rows read':>10} {'writer':>8} {'built/304':>10}")
    print(header)
    print("-" * len(header))
    for f in results:
        cold, nm = statistics.median(f.cold), statistics.median(f.not_modified)
        cached = f"{statistics.median(f.cached):>7.2f} {min(f.cached):>7.2f}" if f.cached else f"{'-':>7} {'-':>7}"
        print(f"{f.events:>7,} {f.size_kb:>8.0f} {cold:>8.1f} {min(f.cold):>7.1f} {cached} {nm:>7.2f} "
              f"{min(f.not_modified):>7.2f} {statistics.median(f.rows):>10.1f} {statistics.median(f.writer):>8.1f} "
              f"{cold / nm:>10.0f}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(f"\nbuilt({large.events:,}) / built({small.events:,}) = "
              f"{statistics.median(large.cold) / statistics.median(small.cold):.1f} for {large.events / small.events:.0f}x "
              f"the events; 304({large.events:,}) / 304({small.events:,}) = "
              f"{statistics.median(large.not_modified) / statistics.median(small.not_modified):.2f}")
    for f in results:
        print(f"\nbuilt runs at {f.events:,} (ms): {', '.join(f'{r:.1f}' for r in f.cold)}")
        if f.cached:
            print(f"cached runs at {f.events:,} (ms): {', '.join(f'{r:.2f}' for r in f.cached)}")
        print(f"304 runs at {f.events:,} (ms): {', '.join(f'{r:.2f}' for r in f.not_modified)}")


if __name__ == "__main__":
    sys.exit(main())
