"""Countersign over HTTP at the size of a real company: gunicorn (2 sync workers) on the large data
set (app/demo/large.py), next to a bare Flask endpoint served the same way in the same run.

    .venv/bin/python -m bench.http                   # the large data set, SQLite in a temp dir
    .venv/bin/python -m bench.http --size huge       # ten times larger
    .venv/bin/python -m bench.http --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch
    .venv/bin/python -m bench.http --quick           # shorter load runs, fewer single requests

It prints, first, the single-request p50 and p95 of every GET route (tests/routes.py) for the admin,
who sees everything, and for the busy project manager (on 200 campaigns at the large size);
then, under load (wrk: 2 threads, 8 connections), req/s, p50 and p99 of the API's campaign list,
the dashboard, a campaign page, the campaign list, a cached calendar feed (gzip) and a feed's
304, each beside the bare endpoint's req/s. Every response's status is checked: a request that
does not answer as expected (a redirect to /login, an error) is counted and reported, and a run
with any such is marked FAILED. Needs ``wrk`` (Debian: apt-get install wrk) and Redis on
127.0.0.1:6379 for the feed cache (``--redis-url``). A ``--database-url`` database is wiped.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.accounts.services import issue_token
from app.demo.large import Size, build
from app.extensions import db
from bench.common import analyze, bench_app, fresh_schema, serve, session_cookie
from tests import routes

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"large": Size.LARGE, "huge": Size.HUGE}


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: dict[str, str]
    expected: int = 200


@dataclass(frozen=True)
class Load:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--quick", action="store_true", help="3 s load runs, 7 single requests per route")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/http.py needs wrk: sudo apt-get install wrk", file=sys.stderr)
        return 2
    seconds, repeat = (3, 7) if args.quick else (10, 21)

    with tempfile.TemporaryDirectory(prefix="countersign-http-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'http.db'}"
        queue = f"bench-http-{uuid.uuid4().hex[:8]}"
        env = _environment(url, args.redis_url, queue, tmp)
        facts = _build(url, SIZES[args.size], env)
        servers = [serve("wsgi:app", env, Path(tmp) / "app.log"), serve("bench.bare:app", env, Path(tmp) / "bare.log")]
        try:
            app_port, bare_port = (port for _process, port in servers)
            facts["pm_cookie"] = session_cookie(app_port, facts["pm_email"])
            facts["admin_cookie"] = session_cookie(app_port, routes.ADMIN_EMAIL)
            print(f"Countersign {args.size}: {facts['summary']}")
            print(f"Database: {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}; gunicorn, 2 sync workers\n")
            failures = _single_requests(app_port, facts, repeat)
            loads = _under_load(app_port, bare_port, facts, seconds)
        finally:
            for process, _port in servers:
                process.terminate()
                process.wait(timeout=10)
    failed = failures + sum(1 for load in loads if load.bad)
    print(f"\n{'FAILED: ' + str(failed) + ' runs had unexpected statuses' if failed else 'Every response as expected.'}")
    return 1 if failed else 0


# --- setting up -------------------------------------------------------------------------------

def _environment(url: str, redis_url: str, queue: str, tmp: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "COUNTERSIGN_"))}
    env.update(COUNTERSIGN_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
               REDIS_URL=redis_url, QUEUE_NAME=queue, COUNTERSIGN_INSTANCE=str(Path(tmp) / "instance"),
               JOBS_INLINE="", PYTHONUNBUFFERED="1")
    return env


def _build(url: str, size: Size, env: dict[str, str]) -> dict[str, Any]:
    """The schema, the data set and what the runs need of it: tokens, the sample campaign, URLs."""
    app = bench_app(url)
    app.config.update(REDIS_URL=env["REDIS_URL"], QUEUE_NAME=env["QUEUE_NAME"])
    with app.app_context():
        fresh_schema()
        began = time.perf_counter()
        summary = build(size)
        db.session.commit()
        analyze()  # planner statistics of a database in use (autovacuum's, in production)
        built = time.perf_counter() - began
        pm = routes.busy_pm()
        project = routes.sample_project(pm)
        _token, api_token = issue_token(pm, "bench/http.py")
        db.session.commit()
        with app.test_request_context():
            paths = routes.get_routes(app, routes.sample_values(project))
        return {
            "summary": f"{summary.rows.get('projects', size.campaigns):,} campaigns, {size.milestones:,} milestones, "
                       f"{size.people:,} people (built in {built:.0f} s)",
            "pm_email": pm.email, "api_token": api_token, "project_id": project.id, "paths": paths,
            "feed_token": summary.feed_tokens.get("mine", ""),
        }


# --- single requests --------------------------------------------------------------------------

def _single_requests(port: int, facts: dict[str, Any], repeat: int) -> int:
    """p50/p95 of every GET route, for the admin and the busy PM; how many answered unexpectedly."""
    failures = 0
    print(f"Single requests, {repeat} each (ms)      admin p50   p95   |  project manager p50   p95")
    for rule, path in facts["paths"]:
        cells = []
        for cookie in (facts["admin_cookie"], facts["pm_cookie"]):
            times, statuses = _time(port, path, {"Cookie": cookie}, repeat)
            # 302: a page that sends this person elsewhere (never to /login: _time checks); 404: not theirs.
            ok = all(s in (200, 302, 404) for s in statuses) and len(set(statuses)) == 1
            failures += 0 if ok else 1
            label = "" if statuses[0] == 200 else f" ({statuses[0]})"
            cells.append(f"{statistics.median(times):7.1f} {_p95(times):5.1f}{label:6}" if ok
                         else f"   statuses {sorted(set(statuses))}")
        print(f"  {rule:44.44} {cells[0]}  |  {cells[1]}")
    return failures


def _time(port: int, path: str, headers: dict[str, str], repeat: int) -> tuple[list[float], list[int]]:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    times, statuses = [], []
    for _ in range(repeat + 1):  # the first warms caches and is not counted
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - began) * 1000)
        signed_out = "/login" in (response.getheader("Location") or "")
        statuses.append(-1 if signed_out else response.status)
    connection.close()
    return times[1:], statuses[1:]


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


# --- under load -------------------------------------------------------------------------------

def _under_load(port: int, bare_port: int, facts: dict[str, Any], seconds: int) -> list[Load]:
    cookie = {"Cookie": facts["pm_cookie"]}
    feed = f"/calendars/v1/{facts['feed_token']}.ics"
    gzip = {"Accept-Encoding": "gzip"}
    etag = _etag(port, feed, gzip) if facts["feed_token"] else ""
    targets = [
        Target("API campaign list (one page)", "/api/v1/projects", {"Authorization": f"Bearer {facts['api_token']}"}),
        Target("dashboard", "/", cookie),
        Target("campaign page", f"/campaigns/{facts['project_id']}", cookie),
        Target("campaign list", "/campaigns/", cookie),
    ]
    if etag:
        targets += [Target("calendar feed, cached, gzip", feed, gzip),
                    Target("calendar feed, 304", feed, {**gzip, "If-None-Match": etag}, expected=304)]
    bare = _wrk(Target("bare Flask: 50 items of JSON", "/items", {}), bare_port, seconds)
    loads = [_wrk(target, port, seconds) for target in targets]
    print(f"\nUnder load: wrk, 2 threads, 8 connections, {seconds} s each")
    print(f"  {'request':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of bare':>8}  unexpected")
    for load in [bare, *loads]:
        share = load.rps / bare.rps * 100 if bare.rps else 0.0
        print(f"  {load.name:34} {load.rps:8.0f} {load.p50_ms:8.1f} {load.p99_ms:8.1f} {share:7.1f}%  {load.bad}")
    return [bare, *loads]


def _etag(port: int, path: str, headers: dict[str, str]) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, f"the feed answered {response.status}"
    return response.getheader("ETag") or ""


def _wrk(target: Target, port: int, seconds: int) -> Load:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(ROOT / "bench" / "status.lua")]
    for key, value in target.headers.items():
        command += ["-H", f"{key}: {value}"]
    command += [f"http://127.0.0.1:{port}{target.path}", "--", str(target.expected)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return Load(target.name, float(_field(out, r"Requests/sec:\s+([\d.]+)")), _ms(out, "50%"), _ms(out, "99%"),
                int(_field(out, r"BAD (\d+)")))


def _field(out: str, pattern: str) -> str:
    found = re.search(pattern, out)
    assert found, f"{pattern!r} not in wrk's output:\n{out}"
    return found.group(1)


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


if __name__ == "__main__":
    sys.exit(main())
