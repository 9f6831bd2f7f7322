"""Engine settings per database, and one query shape every access module needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.extensions import db


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


def ids_found(query: sa.Select[Any], id_column: sa.ColumnElement[int], ids: Iterable[int | None]) -> set[int]:
    """Which of ``ids`` ``query`` (what a person may see, say) finds: one query, none for no ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(db.session.scalars(query.where(id_column.in_(wanted)).with_only_columns(id_column)))
