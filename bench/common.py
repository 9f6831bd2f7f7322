"""What every benchmark here shares: an app on a throwaway database, a fresh schema built by
the migrations, and bulk inserts through core ``INSERT ... executemany`` (no ORM objects)."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from typing import Any

import flask_migrate
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db

CHUNK = 20_000


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
