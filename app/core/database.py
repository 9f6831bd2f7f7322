"""Engine settings per database."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def configure_engine(engine: sa.Engine) -> None:
    """On SQLite: WAL, so readers never wait on a writer; a busy timeout, so two writers queue
    instead of failing with "database is locked"; and enforced foreign keys."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
