"""Is this process fit to serve? The checks behind ``/healthz``, ``/readyz`` and ``flask doctor``.

- ``process``: it answers at all (``/healthz``; reads nothing, so a slow database never makes a load
  balancer kill a healthy process);
- ``database``: one ``SELECT 1``;
- ``migrations``: the schema's revision (``alembic_version``) is the head of ``migrations/``: a web
  process of a newer release is not ready until ``flask db upgrade`` ran; an older one stays ready on
  a schema a newer release expanded, during a rolling upgrade (docs/operations.md);
- ``redis``: a ``PING``, when ``REDIS_URL`` is set (without it there is no queue to reach);
- ``sweep``: every periodic run (the reminder sweep, the email dispatch, the webhook sweep, the hourly
  clean-up) finished within ``STALE_AFTER`` of when it was due, as the Jobs page judges it: a
  scheduler and a worker are running somewhere.

Each check is cheap (three queries and a ping) and says what it found in ``detail``; ``error`` keeps
the full text of an exception for ``flask doctor``, while the JSON of the public routes names only
its kind, never a host name or a path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from app.background import services as background
from app.background.queue import redis_connection
from app.core import clock
from app.extensions import db


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    error: str = ""  # an exception's own text: for the command line only

    def public(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail}


def process() -> Check:
    return Check("process", True, "answering")


def database() -> Check:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return _failed("database", "unreachable", error)
    return Check("database", True, f"reachable ({db.engine.dialect.name})")


@functools.cache
def _chain(directory: str) -> tuple[frozenset[str], frozenset[str]]:
    """The head revisions of the migrations, and every revision this code knows (read once per
    process: they change only with a release)."""
    script = ScriptDirectory(directory)
    return frozenset(script.get_heads()), frozenset(revision.revision for revision in script.walk_revisions())


def migrations() -> Check:
    """At head: ready. Behind (a revision this code knows, not its head): not ready until ``flask db
    upgrade``. Ahead (a revision this code does not know): a newer release migrated the database
    during a rolling upgrade; its migrations only expand the schema (docs/operations.md), so this
    older code still runs on it, and is ready."""
    heads, known = _chain(current_app.extensions["migrate"].directory)
    try:
        applied = frozenset(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError as error:
        db.session.rollback()
        return _failed("migrations", "no schema revision found (run flask db upgrade)", error)
    at = ", ".join(sorted(applied)) or "nothing"
    if applied == heads:
        return Check("migrations", True, f"at head ({at})")
    if applied and not applied & known:
        return Check("migrations", True, f"at {at}, ahead of this code's {', '.join(sorted(heads))} "
                                         "(a newer release migrated it)")
    return Check("migrations", False, f"at {at}, the code expects {', '.join(sorted(heads))} (run flask db upgrade)")


def redis() -> Check:
    if not current_app.config.get("REDIS_URL"):
        return Check("redis", True, "not configured (REDIS_URL unset)")
    try:
        redis_connection().ping()
    except RedisError as error:
        return _failed("redis", "unreachable", error)
    return Check("redis", True, "reachable")


def sweep() -> Check:
    try:
        statuses = background.periodic_statuses(clock.now())
    except SQLAlchemyError as error:
        db.session.rollback()
        return _failed("sweep", "its last runs could not be read", error)
    behind = [s for s in statuses if s.stale]
    if not behind:
        return Check("sweep", True, f"{len(statuses)} periodic runs on time")
    words = [f"{s.label} {'last ran ' + s.ago if s.ago else 'never ran'}" for s in behind]
    return Check("sweep", False, f"behind: {'; '.join(words)} (are a scheduler and a worker running?)")


def _failed(name: str, detail: str, error: Exception) -> Check:
    return Check(name, False, f"{detail}: {type(error).__name__}", str(error).strip().splitlines()[0][:300]
                 if str(error).strip() else type(error).__name__)


#: What /readyz and ``flask doctor`` check, in this order.
READINESS: tuple[Callable[[], Check], ...] = (database, migrations, redis, sweep)


def readiness() -> list[Check]:
    checks = [check() for check in READINESS]
    db.session.rollback()  # a read only: leave no transaction open on a pooled connection
    return checks


def status(checks: list[Check]) -> str:
    return "ok" if all(check.ok for check in checks) else "fail"
