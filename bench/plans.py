"""The query plans behind every GET route, on the large data set: which queries read a whole table.

    .venv/bin/python -m bench.plans --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch
    .venv/bin/python -m bench.plans --size huge --database-url ...
    .venv/bin/python -m bench.plans            # SQLite in a temp dir (EXPLAIN QUERY PLAN)

Every GET route (tests/routes.py) is requested as the admin and as the busy project manager;
each SELECT they send is explained with its own parameters (``EXPLAIN ANALYZE`` on PostgreSQL,
after ``ANALYZE``). It prints the slowest statements with their time and plan, and every
statement that scans a large table (``Seq Scan`` / ``SCAN``) whole. A ``--database-url``
database is wiped.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.demo.large import Size, build
from app.extensions import db
from bench.common import analyze, bench_app, fresh_schema
from tests import routes

SIZES = {"large": Size.LARGE, "huge": Size.HUGE}
#: Tables small enough that reading them whole is the right plan.
SMALL_TABLES = {"regions", "products", "calendar_settings", "price_bands", "market_coverage", "product_owners",
                "product_links", "users", "alembic_version", "notification_preferences", "product_updates",
                "briefings", "briefing_products", "briefing_attendees", "briefing_materials"}


@dataclass
class Explained:
    route: str
    statement: str
    plan: str
    ms: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="countersign-plans-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'plans.db'}"
        app = bench_app(url)
        with app.app_context():
            fresh_schema()
            build(SIZES[args.size])
            db.session.commit()
            analyze()
            pm = routes.busy_pm()
            values = routes.sample_values(routes.sample_project(pm))
            people = [(routes.ADMIN_EMAIL, "admin"), (pm.email, "project manager")]
            engine = db.engine
            db.session.remove()
        captured = _capture(app, engine, values, people)  # requests in contexts of their own, as served
        with app.app_context():
            postgres = db.engine.dialect.name == "postgresql"
            explained = [_explain(route, statement, parameters, postgres) for route, statement, parameters in captured]
    _report(explained, args.top)
    return 0


def _capture(app: Any, engine: sa.Engine, values: dict[str, Any],
             people: list[tuple[str, str]]) -> list[tuple[str, str, Any]]:
    """(route, SQL, parameters) of every distinct SELECT the GET routes send."""
    seen: set[str] = set()
    captured: list[tuple[str, str, Any]] = []
    current = {"route": ""}

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and statement not in seen:
            seen.add(statement)
            captured.append((current["route"], statement, parameters))

    for email, who in people:
        client = app.test_client()
        client.post("/login", data={"email": email, "password": routes.PASSWORD})
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            for rule, url in routes.get_routes(app, values):  # noqa: B007 (``current`` reads it)
                current["route"] = f"{who}: {rule}"
                client.get(url)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
    return captured


def _explain(route: str, statement: str, parameters: Any, postgres: bool) -> Explained:
    prefix = "EXPLAIN ANALYZE " if postgres else "EXPLAIN QUERY PLAN "
    connection = db.session.connection().connection.driver_connection
    cursor = connection.cursor()  # type: ignore[union-attr]
    cursor.execute(prefix + statement, parameters)
    lines = [" ".join(str(cell) for cell in row) for row in cursor.fetchall()]
    cursor.close()
    plan = "\n".join(lines)
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return Explained(route, statement, plan, float(found.group(1)) if found else 0.0)


def _whole_scans(plan: str) -> list[str]:
    tables = re.findall(r"Seq Scan on (\w+)", plan) + re.findall(r"SCAN (\w+)(?! USING)", plan)
    return sorted({t for t in tables if t not in SMALL_TABLES})


def _report(explained: list[Explained], top: int) -> None:
    print(f"{len(explained)} distinct SELECTs explained.\n")
    timed = sorted((e for e in explained if e.ms), key=lambda e: e.ms, reverse=True)[:top]
    if timed:
        print(f"The {len(timed)} slowest:")
        for e in timed:
            print(f"  {e.ms:8.2f} ms  {e.route}\n      {' '.join(e.statement.split())[:220]}")
    scans = [(e, _whole_scans(e.plan)) for e in explained]
    scans = [(e, tables) for e, tables in scans if tables]
    print(f"\nStatements reading a large table whole: {len(scans)}")
    for e, tables in scans:
        print(f"  {', '.join(tables)}  ({e.ms:.2f} ms)  {e.route}\n      {' '.join(e.statement.split())[:220]}")


if __name__ == "__main__":
    sys.exit(main())
