"""Bulk writing for the large data set: chunks of rows in one statement each, in the caller's transaction.

No ORM object per row and no service per row: a row is a dict, a chunk is one ``INSERT ...
executemany`` (on PostgreSQL one ``COPY``). SQLAlchemy's own executemany spends more time on each
row's parameters than the database spends storing it, so a chunk goes to the driver as plain
tuples, each value converted by the column type's own bind processor for this database (exactly
what SQLAlchemy would send), through ``exec_driver_sql``. Rows that later rows point at get their
ids here (the next free ones), so nothing has to be read back; PostgreSQL's sequences are moved
past them at the end (:meth:`Bulk.finish`). The largest tables' indexes can be made once after the
load instead of row by row (:meth:`Bulk.defer_indexes`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from app.extensions import db

#: Rows per statement: large enough to amortise the statement, small enough to keep memory flat.
CHUNK = 10_000
#: SQLite's page cache while loading, in KiB.
SQLITE_CACHE_KIB = 64 * 1024
#: Converted values remembered per column (see _converted), at most.
MEMO_SIZE = 100_000
#: How each driver paramstyle writes one placeholder.
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


@dataclass(frozen=True)
class _Statement:
    """One table's INSERT for one set of columns, and how each value is converted for the driver."""

    sql: str
    #: On PostgreSQL, the COPY that loads the same columns: several times quicker than any INSERT.
    copy: str | None
    #: The rows' own columns with the type's bind processor for this database (None: sent as it is).
    given: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    #: Columns the rows leave out that have a Python-side default, filled in as SQLAlchemy would.
    filled: tuple[tuple[sa.ColumnDefault, Callable[[Any], Any] | None], ...]
    #: Per given column, the values already converted (a load repeats its dates across chunks).
    known: tuple[dict[Any, Any], ...]

    def parameters(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The rows as the driver takes them: column by column, so each distinct value is converted once
        and everything else runs at C speed (a per-value Python loop would cost more than the database)."""
        keys = [key for key, _ in self.given]
        pick = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
        columns: list[Sequence[Any]] = list(zip(*map(pick, rows), strict=True))
        for index, (_, process) in enumerate(self.given):
            if process is not None:
                columns[index] = _converted(columns[index], process, self.known[index])
        # A callable default is read once per chunk rather than per row (clock.now: the same moment).
        columns += [[_default(default, process)] * len(rows) for default, process in self.filled]
        return list(zip(*columns, strict=True))


def _converted(column: Sequence[Any], process: Callable[[Any], Any], known: dict[Any, Any]) -> Sequence[Any]:
    """``column`` converted, each value not met before through ``process`` once."""
    try:
        new = set(column).difference(known)
    except TypeError:  # unhashable values (JSON documents): one by one
        return [None if value is None else process(value) for value in column]
    if len(known) + len(new) > MEMO_SIZE:
        known.clear()
        new = set(column)
    known.update((value, None if value is None else process(value)) for value in new)
    return list(map(known.__getitem__, column))


def _iso_datetime(value: datetime) -> str:
    text = value.isoformat(" ")
    return text if value.microsecond else text + ".000000"


#: (type, C-speed formatter, samples): dates and times as text through ``isoformat`` rather than
#: SQLAlchemy's string formatting (a third of a row's cost on SQLite), where they give the same text.
_QUICK: tuple[tuple[type, Callable[[Any], str], tuple[Any, ...]], ...] = (
    (datetime, _iso_datetime, (datetime(2026, 11, 17, 9, 30), datetime(2026, 11, 17, 9, 30, 5, 250))),
    (date, date.isoformat, (date(2026, 11, 17), date(1999, 1, 2))),
)


def _faster(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A quicker equivalent of a date or time bind processor, if it gives the very same text; else the processor."""
    if process is None:
        return None
    for kind, quick, samples in _QUICK:
        try:
            same = all(process(sample) == quick(sample) for sample in samples)
        except Exception:  # a processor refusing a sample (an enum, a number) is not one for dates
            same = False
        if same:
            def faster(value: Any, kind: type = kind, quick: Callable[[Any], str] = quick) -> Any:
                # Exactly that type (a datetime is also a date), naive: anything else goes the long way.
                if type(value) is kind and getattr(value, "tzinfo", None) is None:
                    return quick(value)
                return process(value)
            return faster
    return process


def _default(default: sa.ColumnDefault, process: Callable[[Any], Any] | None) -> Any:
    # A callable default (clock.now) is wrapped by SQLAlchemy to take an execution context it does not use here.
    value = default.arg(None) if default.is_callable else default.arg  # type: ignore[operator]
    return value if process is None or value is None else process(value)


class Bulk:
    """Inserts rows through the session's connection (so they commit or roll back with it) and counts them."""

    def __init__(self) -> None:
        self.connection = db.session.connection()
        self.rows: Counter[str] = Counter()
        self._next: dict[str, int] = {}
        self._cache_size: int | None = None
        self._deferred: list[str] = []  # CREATE INDEX statements to run again in finish()
        if self.connection.dialect.name == "sqlite":
            # Indexes of a few hundred thousand rows outgrow SQLite's default 2 MB page cache, and
            # every insert then reads pages back from disk; a larger one, for this connection and this load.
            self._cache_size = self.connection.exec_driver_sql("PRAGMA cache_size").scalar()
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def insert(self, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
        """Insert ``rows`` (an iterable of dicts with the same keys, consumed lazily) in chunks; returns how many."""
        statement: _Statement | None = None
        chunk: list[dict[str, Any]] = []
        count = 0
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                statement = statement or self._statement(table, chunk[0])
                count += self._write(statement, chunk)
                chunk = []
        if chunk:
            count += self._write(statement or self._statement(table, chunk[0]), chunk)
        self.rows[table.name] += count
        return count

    def _write(self, statement: _Statement, chunk: list[dict[str, Any]]) -> int:
        rows = statement.parameters(chunk)
        if statement.copy is None:
            self.connection.exec_driver_sql(statement.sql, rows)
        else:  # psycopg's COPY, on the very connection (and transaction) the session uses
            raw = self.connection.connection.dbapi_connection
            with raw.cursor() as cursor, cursor.copy(statement.copy) as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        return len(chunk)

    def _statement(self, table: sa.Table, sample: dict[str, Any]) -> _Statement:
        dialect = self.connection.dialect
        missing = [c for c in table.c if c.key not in sample and isinstance(c.default, sa.ColumnDefault)]
        keys = [*sample, *(c.key for c in missing)]
        quote = dialect.identifier_preparer.quote
        columns = f"{quote(table.name)} ({', '.join(quote(k) for k in keys)})"
        sql = f"INSERT INTO {columns} VALUES ({', '.join(PLACEHOLDERS[dialect.paramstyle] for _ in keys)})"
        copy = f"COPY {columns} FROM STDIN" if dialect.name == "postgresql" and dialect.driver == "psycopg" else None

        def processor(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
            return _faster(column.type.dialect_impl(dialect).bind_processor(dialect))

        return _Statement(sql, copy, tuple((key, processor(table.c[key])) for key in sample),
                          tuple((c.default, processor(c)) for c in missing),  # type: ignore[misc]
                          tuple({} for _ in sample))

    def defer_indexes(self, tables: Iterable[sa.Table]) -> None:
        """Drop the plain indexes of ``tables`` until :meth:`finish` makes them again from their own DDL.

        Building an index once from the loaded rows is a single sort; keeping it up to date row by
        row costs more than storing the rows (three times as much for the reminder schedules).
        Indexes that back a constraint (primary keys, unique constraints) stay, and so do their checks.
        DDL is transactional on SQLite and PostgreSQL: if the load fails, the indexes come back with the
        rollback. Until the commit, other connections wait for these tables (a load is for a quiet database).
        """
        quote = self.connection.dialect.identifier_preparer.quote
        for table in tables:
            for name, ddl in self._indexes(table.name):
                self.connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
                self._deferred.append(ddl)

    def _indexes(self, table: str) -> list[tuple[str, str]]:
        """(name, the exact CREATE INDEX statement) of each index of ``table`` that no constraint owns."""
        dialect = self.connection.dialect.name
        if dialect == "sqlite":
            query = ("SELECT name, sql FROM sqlite_master "
                     "WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL")  # NULL: a constraint's own
        elif dialect == "postgresql":
            query = ("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                     "AND tablename = :table AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        else:
            return []  # elsewhere the indexes simply stay
        return [(row[0], row[1]) for row in self.connection.execute(sa.text(query), {"table": table})]

    def next_id(self, table: sa.Table) -> int:
        """The next free id of ``table``: the first call reads the largest one, later calls count on."""
        if table.name not in self._next:
            self._next[table.name] = (self.connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def finish(self) -> None:
        """Make the deferred indexes again, move each PostgreSQL sequence we handed ids out of past the
        largest id now in its table (SQLite hands out max(rowid) + 1 by itself), give SQLite its page cache back."""
        for ddl in self._deferred:
            self.connection.exec_driver_sql(ddl)
        self._deferred = []
        if self._cache_size is not None:
            self.connection.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
        if self.connection.dialect.name != "postgresql":
            return
        for name in self._next:
            self.connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))


def analyze() -> None:
    """Fresh planner statistics after a bulk load, so queries are planned as on a database in use."""
    with db.engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
