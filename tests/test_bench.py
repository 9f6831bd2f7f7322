"""The benchmarks in bench/ are not run by the suite (they print figures, and take minutes), but they
must keep up with the code they measure: each one at least imports, so a renamed function breaks a
test here rather than the next person who wants the figures. Where a benchmark's figures rest on a
premise of its own (bench/cluster.py's reminders falling due one by one during the run and going out
at once, its load driver counting every unexpected status), the premise is tested here too."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from app.reminders import services
from bench.cluster import LOCAL_HOUR, PEOPLE, fall_due, seed_reminders, zone_for
from bench.load import BROKEN, LOGIN, Call, Driver
from tests.clock import DEFAULT_NOW
from workflows import reminders

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("module", sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__"))
def test_the_benchmark_imports(module: str) -> None:
    importlib.import_module(f"bench.{module}")


# --- bench/cluster.py and bench/load.py: the pieces that decide what they measure ---------------

@pytest.mark.parametrize("hour", range(24))
def test_the_cluster_people_live_where_it_is_early_afternoon(hour: int) -> None:
    at = DEFAULT_NOW.replace(hour=hour, minute=59)
    zone = zone_for(LOCAL_HOUR, at)
    prefs = reminders.ReminderPrefs(time_zone=zone, hour=LOCAL_HOUR)
    assert reminders.is_time_zone(zone)
    assert reminders.local(at, prefs).hour == LOCAL_HOUR
    assert not reminders.problems(prefs) and reminders.quiet_until(at, prefs) is None


@pytest.mark.parametrize("hour", [2, 9, 22])
def test_the_cluster_reminders_fall_due_one_by_one_and_each_goes_out_at_once(app, clock, hour: int) -> None:
    """What bench/cluster.py counts on: each seeded schedule is owed one reminder from its own moment
    on (not before), whatever the hour the run starts at, and its email is neither held for quiet
    hours nor kept for a digest."""
    clock.to(DEFAULT_NOW.replace(hour=hour))
    seeded = seed_reminders(2 * PEOPLE)
    start = clock.now()
    fall_due(seeded, start + timedelta(seconds=1), start + timedelta(seconds=40))
    assert len(seeded.schedules) == len(seeded.due_at) == 2 * PEOPLE

    def sent() -> list[Notification]:
        db.session.expire_all()
        return list(db.session.scalars(sa.select(Notification).where(Notification.user_id.in_(seeded.people))))

    assert services.sweep().sent == 0
    clock.advance(seconds=20)
    half = services.sweep().sent
    assert half == sum(1 for due in seeded.due_at.values() if due <= clock.now())
    clock.advance(seconds=20)
    assert half + services.sweep().sent == 2 * PEOPLE
    notes = sent()
    assert {(n.kind, n.email_status, n.email_digest) for n in notes} == {("reminder", "sent", False)}
    assert {n.dedupe_key.rsplit(":", 1)[1] for n in notes} == {seeded.slot.key}
    clock.advance(seconds=60)
    assert services.sweep().sent == 0  # the next slot is tomorrow's


def test_the_load_driver_checks_each_status_and_revalidates() -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path == "/feed" and self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
            elif self.path == "/feed":
                self.send_response(200)
                self.send_header("ETag", '"v1"')
            elif self.path == "/page":
                self.send_response(302)
                self.send_header("Location", "/login?next=/page")
            else:
                self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        script = [Call("feed", "GET", "/feed", {}), Call("revalidated", "GET", "/feed", {},
                                                        expected=frozenset({200, 304}), revalidate=True),
                  Call("page", "GET", "/page", {}), Call("broken", "GET", "/broken", {})]
        driver = Driver(port, script, deadline=float("inf"), turns=8)
        driver.run()
    finally:
        server.shutdown()
        server.server_close()
    tally = driver.tally
    assert tally.requests == 8
    assert tally.statuses == {("feed", 200): 2, ("revalidated", 304): 2, ("page", LOGIN): 2, ("broken", 500): 2}
    assert tally.unexpected == {("page", LOGIN): 2, ("broken", 500): 2}
    assert tally.server_errors == 2 and BROKEN not in {status for _kind, status in tally.statuses}
