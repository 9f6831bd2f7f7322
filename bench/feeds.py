"""How long a calendar feed takes to serve, cold, cached and as a 304, at 500 and 5,000 events.
Not a test: it prints figures (see bench/README.md).

    .venv/bin/python -m bench.feeds              # 500 and 5,000 events, SQLite file in a temp dir
    .venv/bin/python -m bench.feeds --quick      # fewer repetitions
    .venv/bin/python -m bench.feeds --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch

One person's "My calendar" link covers campaigns of 25 milestones, each milestone with one task
(so half the events are milestones, half tasks), among as many campaigns again that they are not
on, whose 2,000 other people each have a link of their own (to "My calendar" or their campaign's). Each request goes through the whole
app (WSGI, the token check, the build) with Flask's test client, as a calendar client sends it
(``Accept-Encoding: gzip``) unless said otherwise:

* **built**: no ``If-None-Match`` and nothing cached: the feed is read, written and gzipped
  (and kept in Redis);
* **cached**: no ``If-None-Match``, but Redis holds the feed built for the current ETag (a second
  device, a client that never revalidates): the token check and one Redis GET, sent as stored
  (gzip), and decompressed for a client that does not accept gzip (**plain**);
* **304**: the client sends the ETag it has: the token check alone (its queries are counted), nothing
  built or fetched.

Redis is the local one (``--redis-url``, default ``redis://127.0.0.1:6379/0``), under a queue name
of the run's own, whose keys are deleted afterwards; without a reachable Redis the cached columns
are left out.

It also times the two parts of a build alone (reading the rows into events, ``feeds.events``, and
writing them, ``ical.render``) and gzip alone, and a **bump**: the change stamp UPDATE a milestone
edit in one of the subscriber's campaigns sends before its commit (rolled back each time), whose
plan it prints.
"""

from __future__ import annotations

import argparse
import gzip
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
from app.calendars import cache, feeds, ical, stamps  # noqa: E402
from app.calendars.models import CalendarFeed  # noqa: E402
from app.core.tokens import digest as hash_secret  # noqa: E402
from app.extensions import db  # noqa: E402
from app.milestones.models import Milestone, Task  # noqa: E402
from app.projects.models import Project, ProjectMember, ProjectRole  # noqa: E402
from bench.common import analyze, bench_app, describe, explain, fresh_schema, insert  # noqa: E402

MILESTONES_PER_CAMPAIGN = 25
SUBSCRIBER, OWNER = 1, 2
#: Other people with a link each, on the campaigns the subscriber is not on: the bump must find its links among them.
OTHERS = 2000
GZIP = {"Accept-Encoding": "gzip"}
SELECTOR, SECRET = "benchbenchbench1", "s" * 43
TOKEN = SELECTOR + SECRET
START = date(2027, 1, 1)


@dataclass
class Figures:
    events: int
    size_kb: float
    gzip_kb: float
    cold: list[float]
    cached: list[float]
    cached_plain: list[float]
    not_modified: list[float]
    queries_304: int
    rows: list[float]
    writer: list[float]
    gzipping: list[float]
    bump: list[float]
    bump_plan: str


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
            insert(connection, User.__table__, ({
                "id": 10 + n, "email": f"other{n}@example.com", "name": f"Other {n}", "password_hash": "!",
                "role": Role.TEAM_MEMBER, "active": True, "sales_rep": False,
            } for n in range(OTHERS)))
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
            insert(connection, ProjectMember.__table__, ({
                "project_id": 2 * (1 + n % campaigns), "user_id": 10 + n, "role": ProjectRole.MEMBER,
            } for n in range(OTHERS)))
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
            insert(connection, CalendarFeed.__table__, ({  # half "My calendar", half their campaign's calendar
                "user_id": 10 + n, "name": "Phone", "kind": "project" if n % 2 else "mine", "only_mine": False,
                "project_id": 2 * (1 + n % campaigns) if n % 2 else None,
                "selector": f"other{n:011d}", "secret_hash": hash_secret(SECRET),
            } for n in range(OTHERS)))
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
        zipped = client.get(path, headers=GZIP)
        assert zipped.headers.get("Content-Encoding") == "gzip" and gzip.decompress(zipped.get_data()) == body
        etag = zipped.headers["ETag"]

        redis = redis_connection() if app.config["REDIS_URL"] else None

        def cold() -> None:
            if redis is not None:
                redis.delete(*redis.keys(f"{app.config['QUEUE_NAME']}:*") or ["-"])
            assert client.get(path, headers=GZIP).status_code == 200

        def cached() -> None:
            assert client.get(path, headers=GZIP).status_code == 200

        def cached_plain() -> None:
            assert client.get(path).status_code == 200

        def not_modified() -> None:
            assert client.get(path, headers={**GZIP, "If-None-Match": etag}).status_code == 304

        cold_runs = _timed(cold, repeat)
        cached_runs = _timed(cached, repeat * 4) if redis is not None else []
        cached_plain_runs = _timed(cached_plain, repeat * 4) if redis is not None else []
        not_modified_runs = _timed(not_modified, repeat * 4)
        queries = _queries(not_modified)

        feed = db.session.scalars(sa.select(CalendarFeed).where(CalendarFeed.selector == SELECTOR)).one()
        collected: list[ical.Event] = []

        def rows_only() -> None:
            collected[:] = feeds.events(feed)

        rows_runs = _timed(rows_only, repeat)
        calendar = ical.Calendar(name="Bench")
        writer_runs = _timed(lambda: ical.render(calendar, collected), repeat)
        gzip_runs = _timed(lambda: cache.compress(body), repeat)
        bump_runs, plan = _bump(repeat * 4)
        if redis is not None:
            redis.delete(*redis.keys(f"{app.config['QUEUE_NAME']}:*") or ["-"])
    return Figures(events, len(body) / 1024, len(zipped.get_data()) / 1024, cold_runs, cached_runs, cached_plain_runs,
                   not_modified_runs, queries, rows_runs, writer_runs, gzip_runs, bump_runs, plan)


def _queries(run: Callable[[], object]) -> int:
    sent: list[str] = []

    def count(*_args: object) -> None:
        sent.append("")

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


def _bump(repeat: int) -> tuple[list[float], str]:
    """The stamp UPDATE of a milestone edit in the subscriber's first campaign (rolled back), and its plan."""
    changes = stamps.Changes(campaign_calendars={1}, members_of={1})
    times, seen = [], []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object, *_rest: object) -> None:
        seen.append((statement, parameters))

    for n in range(repeat + 1):
        if n == 0:
            sa.event.listen(db.engine, "before_cursor_execute", capture)
        db.session.execute(sa.select(1))  # the transaction is open, as a commit finds it
        started = time.perf_counter()
        stamps.bump(db.session, changes)
        elapsed = (time.perf_counter() - started) * 1000
        if n == 0:
            sa.event.remove(db.engine, "before_cursor_execute", capture)
        else:
            times.append(elapsed)
        db.session.rollback()
    statement, parameters = seen[-1]
    return times, explain(statement, parameters)


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
    print("Median (and best) of the runs, in ms; every request through the whole app, gzip accepted unless 'plain'")
    header = (f"{'events':>7} {'feed kB':>8} {'gzip kB':>8} {'built':>7} {'(best)':>7} {'cached':>7} {'(best)':>7} "
              f"{'plain':>7} {'304':>6} {'(best)':>6} {'q/304':>5} {'rows':>6} {'writer':>7} {'gzip':>6} {'bump':>6}")
    print(header)
    print("-" * len(header))
    for f in results:
        median = statistics.median
        cached = (f"{median(f.cached):>7.2f} {min(f.cached):>7.2f} {median(f.cached_plain):>7.2f}" if f.cached
                  else f"{'-':>7} {'-':>7} {'-':>7}")
        print(f"{f.events:>7,} {f.size_kb:>8.0f} {f.gzip_kb:>8.0f} {median(f.cold):>7.1f} {min(f.cold):>7.1f} {cached} "
              f"{median(f.not_modified):>6.2f} {min(f.not_modified):>6.2f} {f.queries_304:>5} {median(f.rows):>6.1f} "
              f"{median(f.writer):>7.1f} {median(f.gzipping):>6.1f} {median(f.bump):>6.2f}")
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
    print(f"\nThe bump's plan ({OTHERS:,} other links):\n{results[-1].bump_plan}")


if __name__ == "__main__":
    sys.exit(main())
