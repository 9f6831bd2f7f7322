"""Work that belongs to a database transaction: done just before it commits, after it commits,
or if it does not.

Jobs must not leave the process before the rows they read are committed, a deck written for a
briefing that is rolled back must not stay on disk, reminder schedules and calendar stamps must
follow the items changed in the same transaction. Each of those asks this module, instead of listening to the
session on its own: the SQLAlchemy listeners are registered here once, and code hands over
work per transaction.

- :func:`before_commit` runs once per transaction and key, after a last flush (so what that
  flush writes is seen), still inside the transaction;
- :func:`after_commit` runs once the outermost transaction committed (not when a savepoint is
  released), in the order given;
- :func:`after_rollback` runs when the outermost transaction ends without a commit (rolled
  back, or the session closed): a rollback to a savepoint keeps the outer transaction's work;
- :func:`state` is data gathered over one transaction (what it touched), forgotten when it ends.

The work is kept in ``session.info``, so it belongs to one session: a job run inline opens its
own session, with work of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so

T = TypeVar("T")
Work = Callable[[], None]
BeforeCommit = Callable[[so.Session], None]

_KEY = "countersign.transaction"


@dataclass
class _Pending:
    before: dict[str, BeforeCommit] = field(default_factory=dict)
    after: list[Work] = field(default_factory=list)
    rollback: list[Work] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


def _pending(session: so.Session) -> _Pending:
    return session.info.setdefault(_KEY, _Pending())  # type: ignore[no-any-return]


def before_commit(session: so.Session, key: str, work: BeforeCommit) -> None:
    """Run ``work(session)`` just before ``session`` commits; the same ``key`` again adds nothing."""
    _pending(session).before.setdefault(key, work)


def after_commit(session: so.Session, work: Work) -> None:
    """Run ``work()`` once ``session`` committed; forget it if the transaction does not commit."""
    _pending(session).after.append(work)


def after_rollback(session: so.Session, work: Work) -> None:
    """Run ``work()`` if ``session``'s transaction ends without a commit; forget it on a commit."""
    _pending(session).rollback.append(work)


def state(session: so.Session, key: str, factory: Callable[[], T]) -> T:
    """The data kept under ``key`` for the current transaction, made by ``factory`` when it has none."""
    kept = _pending(session).state
    if key not in kept:
        kept[key] = factory()
    return kept[key]  # type: ignore[no-any-return]


def discard(session: so.Session, key: str) -> Any:
    """Take ``key``'s data out of the current transaction (None when it has none)."""
    pending: _Pending | None = session.info.get(_KEY)
    return pending.state.pop(key, None) if pending is not None else None


def _before_commit(session: so.Session) -> None:
    # SQLAlchemy flushes only after this hook; flushing first lets everything pending announce
    # itself (and ask for work) before the work runs. Work may flush and ask for more: run that too.
    session.flush()
    pending = _pending(session)
    while pending.before:
        key = next(iter(pending.before))
        pending.before.pop(key)(session)


def _after_commit(session: so.Session) -> None:
    if session.in_nested_transaction():
        return  # SQLAlchemy says "after commit" when a savepoint is released too: nothing is saved yet
    # Taken out first: the work is done once, and whatever it starts belongs to a new transaction.
    pending: _Pending | None = session.info.pop(_KEY, None)
    for work in pending.after if pending is not None else ():
        work()


def _after_transaction_end(session: so.Session, transaction: so.SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    pending: _Pending | None = session.info.pop(_KEY, None)  # after a commit, already taken
    for work in pending.rollback if pending is not None else ():
        work()


_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_commit", _before_commit),
    ("after_commit", _after_commit),
    ("after_transaction_end", _after_transaction_end),
)


def init_app() -> None:
    """Listen to every session, once however many apps are made (the tests make several)."""
    for name, listener in _LISTENERS:
        if not sa.event.contains(so.Session, name, listener):
            sa.event.listen(so.Session, name, listener)
