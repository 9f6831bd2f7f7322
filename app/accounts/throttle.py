"""Failed attempts counted per key, with lockouts that grow: the mechanism behind sign-in throttling.

A *policy* says how many failures a key (an email as typed, a client address) may have within a
window before it locks, and for how long each lockout in a row lasts (1, 5, 15 minutes, then an
hour each time). A key that has had no attempt for ``FORGET_AFTER`` starts afresh.

The counts are rows of ``throttles`` (see the model for why not Flask-Limiter's memory or Redis
storage: that library reads the wall clock, has no growing lockouts, and cannot say "locked until"
to an admin). :func:`hold` creates the rows and, on PostgreSQL, locks them until the request
commits, so parallel attempts on one key queue behind each other and every failure is counted
before the next password is checked.

No Flask request in here: callers pass the key; the policies are read from the app's settings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import Throttle
from app.core import clock
from app.extensions import db

FORGET_AFTER = timedelta(hours=24)
KEY_LENGTH = 254

SIGNIN_ACCOUNT = "signin-account"
SIGNIN_ADDRESS = "signin-address"
TOKEN_ADDRESS = "token-address"
RESET_ACCOUNT = "reset-account"
RESET_ADDRESS = "reset-address"


@dataclass(frozen=True)
class Policy:
    scope: str
    allowed: int  # failures within ``window``; the last of them locks the key
    window: timedelta
    lockouts: tuple[timedelta, ...]  # the 1st, 2nd, ... lockout in a row; the last one repeats


@dataclass(frozen=True)
class Lock:
    scope: str
    key: str
    until: datetime

    def seconds_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))

    def wait_text(self, now: datetime) -> str:
        """'1 minute', '15 minutes', '1 hour': rounded up, so the wait is never shorter than said."""
        minutes = math.ceil(self.seconds_left(now) / 60)
        if minutes >= 60 and minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours > 1 else ''}"
        return f"{minutes} minute{'s' if minutes > 1 else ''}"


def policy(scope: str) -> Policy:
    """The limit of ``scope``, from the settings (THROTTLE_*): accounts allow fewer failures than addresses."""
    config = current_app.config
    per_account = scope in {SIGNIN_ACCOUNT, RESET_ACCOUNT}
    allowed = config["THROTTLE_ACCOUNT_FAILURES"] if per_account else config["THROTTLE_ADDRESS_FAILURES"]
    return Policy(
        scope=scope, allowed=int(allowed), window=timedelta(seconds=int(config["THROTTLE_WINDOW_SECONDS"])),
        lockouts=tuple(timedelta(seconds=int(s)) for s in config["THROTTLE_LOCKOUTS"]),
    )


def hold(keys: Sequence[tuple[str, str]]) -> list[Throttle]:
    """The rows of these (scope, key) pairs, created if new and locked for this transaction.

    Always called with accounts before addresses, so two requests never wait on each other in a circle.
    """
    keys = [(scope, key[:KEY_LENGTH]) for scope, key in keys]
    now = clock.now()
    values = [{"scope": scope, "key": key, "failures": 0, "lockouts": 0, "refused": 0, "seen_at": now}
              for scope, key in keys]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(Throttle).values(values).on_conflict_do_nothing(index_elements=["scope", "key"]))
    rows = db.session.scalars(
        sa.select(Throttle).where(sa.tuple_(Throttle.scope, Throttle.key).in_(keys))
        .order_by(Throttle.scope, Throttle.key).with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        row.seen_at = now
    by_key = {(row.scope, row.key): row for row in rows}
    return [by_key[k] for k in keys]


def find(scope: str, key: str) -> Throttle | None:
    """The row of one key, not locked (for reading: an admin's page, a quick check)."""
    return db.session.scalar(sa.select(Throttle).where(Throttle.scope == scope, Throttle.key == key[:KEY_LENGTH]))


def lock_of(row: Throttle | None, now: datetime | None = None) -> Lock | None:
    """The lock on ``row`` if it still holds."""
    now = now or clock.now()
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return Lock(row.scope, row.key, row.locked_until)


def first_lock(rows: Sequence[Throttle]) -> Lock | None:
    """The lock that ends last among ``rows`` (the wait to tell), or None; counts the refusal on each locked row."""
    now = clock.now()
    locks = [lock for row in rows if (lock := lock_of(row, now)) is not None]
    for row in rows:
        if lock_of(row, now) is not None:
            row.refused += 1
    return max(locks, key=lambda lock: lock.until, default=None)


def fail(row: Throttle, rule: Policy) -> Lock | None:
    """Count one failure against ``row``; the lock it brought on, if this failure was one too many."""
    now = clock.now()
    if row.window_start is None or now - row.window_start >= rule.window:
        row.failures, row.window_start = 0, now
    if row.locked_until is not None and now - row.locked_until >= FORGET_AFTER:
        row.lockouts = 0  # a lockout long ago does not make today's first one longer
    row.failures += 1
    if row.failures < rule.allowed:
        return None
    wait = rule.lockouts[min(row.lockouts, len(rule.lockouts) - 1)]
    row.locked_until = now + wait
    row.lockouts += 1
    row.failures, row.window_start = 0, None
    return Lock(row.scope, row.key, row.locked_until)


def clear(row: Throttle) -> None:
    """Forget the failures and lift the lock (a successful sign-in, an admin's unlock)."""
    row.failures, row.window_start, row.lockouts, row.locked_until, row.refused = 0, None, 0, None, 0


def prune() -> None:
    """Delete the rows of keys idle for a day and not locked: an attacker's made-up emails do not pile up."""
    now = clock.now()
    db.session.execute(sa.delete(Throttle).where(
        Throttle.seen_at < now - FORGET_AFTER,
        sa.or_(Throttle.locked_until.is_(None), Throttle.locked_until < now),
    ))
