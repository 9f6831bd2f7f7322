"""app.core.transactions: work handed to a transaction runs when it commits, or when it does not."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from app import create_app
from app.core import transactions
from app.extensions import db
from tests.factories import RegionFactory


def test_after_commit_work_runs_once_in_order_after_the_commit(app: Flask) -> None:
    done: list[str] = []
    session = db.session()
    RegionFactory()
    transactions.after_commit(session, lambda: done.append("first"))
    transactions.after_commit(session, lambda: done.append("second"))
    transactions.after_rollback(session, lambda: done.append("rolled back"))
    session.flush()
    assert done == []
    session.commit()
    assert done == ["first", "second"]
    RegionFactory()
    session.commit()  # the next transaction has work of its own, none left over
    assert done == ["first", "second"]


def test_a_rollback_runs_its_rollback_work_and_never_the_after_commit_work(app: Flask) -> None:
    done: list[str] = []
    session = db.session()
    RegionFactory()
    transactions.after_commit(session, lambda: done.append("committed"))
    transactions.after_rollback(session, lambda: done.append("rolled back"))
    session.rollback()
    assert done == ["rolled back"]
    RegionFactory()
    session.commit()
    assert done == ["rolled back"]


def test_closing_the_session_without_a_commit_counts_as_a_rollback(app: Flask) -> None:
    done: list[str] = []
    session = db.session()
    RegionFactory()
    transactions.after_commit(session, lambda: done.append("committed"))
    transactions.after_rollback(session, lambda: done.append("rolled back"))
    session.close()
    assert done == ["rolled back"]


def test_a_rollback_to_a_savepoint_keeps_the_outer_transactions_work(app: Flask) -> None:
    done: list[str] = []
    session = db.session()
    RegionFactory()
    transactions.after_commit(session, lambda: done.append("committed"))
    savepoint = session.begin_nested()
    transactions.after_rollback(session, lambda: done.append("rolled back"))
    savepoint.rollback()
    assert done == []
    session.commit()
    assert done == ["committed"]


def test_releasing_a_savepoint_is_no_commit(app: Flask) -> None:
    done: list[str] = []
    session = db.session()
    RegionFactory()
    savepoint = session.begin_nested()
    transactions.after_commit(session, lambda: done.append("committed"))
    savepoint.commit()
    assert done == []
    session.commit()
    assert done == ["committed"]


def test_before_commit_work_runs_once_per_key_after_a_last_flush_inside_the_transaction(app: Flask) -> None:
    seen: list[tuple[str, int]] = []
    session = db.session()
    region = RegionFactory.build()
    session.add(region)  # not flushed yet: the hook's flush writes it before the work looks

    def count(name: str) -> transactions.BeforeCommit:
        def work(inner: so.Session) -> None:
            assert inner.in_transaction()
            seen.append((name, inner.scalar(sa.select(sa.func.count()).select_from(type(region))) or 0))
        return work

    transactions.before_commit(session, "a", count("a"))
    transactions.before_commit(session, "a", count("a again"))
    transactions.before_commit(session, "b", count("b"))
    session.commit()
    assert seen == [("a", 1), ("b", 1)]


def test_before_commit_work_may_ask_for_more_work_which_runs_in_the_same_commit(app: Flask) -> None:
    done: list[str] = []
    session = db.session()
    RegionFactory()

    def first(inner: so.Session) -> None:
        done.append("first")
        transactions.before_commit(inner, "second", lambda _s: done.append("second"))

    transactions.before_commit(session, "first", first)
    session.commit()
    assert done == ["first", "second"]


def test_state_lives_for_one_transaction(app: Flask) -> None:
    session = db.session()
    RegionFactory()
    transactions.state(session, "seen", set).add(1)
    assert transactions.state(session, "seen", set) == {1}
    session.rollback()
    assert transactions.state(session, "seen", set) == set()
    transactions.state(session, "seen", set).add(2)
    assert transactions.discard(session, "seen") == {2}
    assert transactions.discard(session, "seen") is None


def test_the_listeners_are_registered_once_however_many_apps_are_made(app: Flask, tmp_path: Path) -> None:
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}", "TESTING": True})
    done: list[str] = []
    session = db.session()
    RegionFactory()
    transactions.after_commit(session, lambda: done.append("committed"))
    session.commit()
    assert done == ["committed"]
    for name, listener in transactions._LISTENERS:
        # SQLAlchemy's own list of what listens to every session: a second app added nothing.
        registered = getattr(so.Session.dispatch, name)._clslevel[so.Session]
        assert [fn for fn in registered if fn is listener] == [listener]
