"""What every benchmark here shares: an app on a throwaway database, a fresh schema built by
the migrations, bulk inserts through core ``INSERT ... executemany`` (no ORM objects), and the
app served by gunicorn with a signed-in session to ask it as someone."""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from tests import routes

CHUNK = 20_000
ROOT = Path(__file__).resolve().parent.parent


def bench_app(url: str) -> Flask:
    """The app on ``url``, with jobs neither inline nor queued (no Redis)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_INLINE": False, "REDIS_URL": ""})


def fresh_schema() -> None:
    """Drop everything and build the schema through the migrations (inside an app context)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
        flask_migrate.upgrade()
    logging.getLogger("alembic").setLevel(logging.WARNING)


def analyze() -> None:
    """Fresh planner statistics, so the plans are those of a database in use."""
    with db.engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))


def insert(connection: sa.Connection, table: sa.Table, rows: Iterator[dict[str, Any]]) -> None:
    """Insert ``rows`` in chunks, one executemany statement per chunk."""
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            connection.execute(table.insert(), chunk)
            chunk = []
    if chunk:
        connection.execute(table.insert(), chunk)


def describe(app: Flask) -> str:
    """'sqlite 3.40.1' or 'postgresql 15.19': what the figures were measured on."""
    with app.app_context(), db.engine.connect() as connection:
        version = ".".join(str(v) for v in (connection.dialect.server_version_info or ()))
        return f"{connection.dialect.name} {version}"


def explain(statement: str, parameters: Any) -> str:
    """The plan of ``statement`` as sent with ``parameters``: ``EXPLAIN QUERY PLAN`` on SQLite,
    ``EXPLAIN`` on PostgreSQL."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
        else:
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
            plan = "\n".join(str(row[0]) for row in rows)
        connection.rollback()
    return plan


# --- over HTTP --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(target: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn (2 sync workers) serving ``target`` on a free port of 127.0.0.1, once it listens."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         target], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn {target} did not start: see {log}")


def session_cookie(port: int, email: str) -> str:
    """Sign in through the form (CSRF token and all) and return the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login")
    page = connection.getresponse()
    body = page.read().decode()
    cookie = _cookie(page.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        r'name="csrf_token" value="([^"]+)"', body)
    assert token, "no CSRF token on /login"
    form = f"csrf_token={token.group(1)}&email={email}&password={routes.PASSWORD}"
    connection.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    signed_in = connection.getresponse()
    signed_in.read()
    assert signed_in.status == 302 and "/login" not in (signed_in.getheader("Location") or ""), email
    return _cookie(signed_in.getheader("Set-Cookie") or "") or cookie


def _cookie(header: str) -> str:
    return header.split(";", 1)[0]
