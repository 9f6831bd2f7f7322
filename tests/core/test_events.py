"""app.core.events: handlers in subscription order, in the transaction or after its commit, never
after a rollback; only catalogued events; subscriptions made once however many apps are built."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app import events as catalogue
from app.calendars import listeners as calendar_listeners
from app.commitments import listeners as commitment_listeners
from app.core import events
from app.extensions import db
from app.regions.models import Region
from app.webhooks import services as webhooks
from tests.factories import RegionFactory

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@dataclasses.dataclass(frozen=True)
class Happened(events.Event):
    what: str


@dataclasses.dataclass(frozen=True)
class NotInTheCatalogue(events.Event):
    what: str


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[events.Registry]:
    """A registry of the test's own, knowing only ``Happened``: the app's subscriptions stay as they are."""
    fresh = events.Registry()
    monkeypatch.setattr(events, "_registry", fresh)
    events.declare([Happened])
    yield fresh


def test_in_transaction_handlers_run_at_once_in_the_order_subscribed(app: Flask, registry: events.Registry) -> None:
    heard: list[str] = []
    events.subscribe(Happened, lambda e: heard.append(f"first {e.what}"))
    events.subscribe(Happened, lambda e: heard.append(f"second {e.what}"))
    events.emit(Happened("a"))
    assert heard == ["first a", "second a"]


def test_after_commit_handlers_wait_for_the_commit(app: Flask, registry: events.Registry) -> None:
    heard: list[str] = []
    events.subscribe(Happened, lambda e: heard.append(f"committed {e.what}"), after_commit=True)
    events.subscribe(Happened, lambda e: heard.append(f"in transaction {e.what}"))
    RegionFactory()
    events.emit(Happened("a"))
    events.emit(Happened("b"))
    assert heard == ["in transaction a", "in transaction b"]
    db.session.commit()
    assert heard == ["in transaction a", "in transaction b", "committed a", "committed b"]
    db.session.commit()  # once only
    assert len(heard) == 4


def test_nothing_runs_after_a_rollback_and_what_the_transaction_wrote_is_gone(app: Flask,
                                                                            registry: events.Registry) -> None:
    heard: list[str] = []
    events.subscribe(Happened, lambda e: RegionFactory(name=e.what))
    events.subscribe(Happened, lambda e: heard.append(e.what), after_commit=True)
    events.emit(Happened("Written in the transaction"))
    db.session.rollback()
    db.session.commit()
    assert heard == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 0


def test_an_event_without_subscribers_is_fine(app: Flask, registry: events.Registry) -> None:
    events.emit(Happened("unheard"))


def test_an_event_type_the_catalogue_does_not_list_is_refused(app: Flask, registry: events.Registry) -> None:
    with pytest.raises(events.UnknownEvent, match="NotInTheCatalogue"):
        events.emit(NotInTheCatalogue("x"))
    with pytest.raises(events.UnknownEvent, match="NotInTheCatalogue"):
        events.subscribe(NotInTheCatalogue, lambda e: None)


def test_subscribing_the_same_handler_again_adds_nothing(app: Flask, registry: events.Registry) -> None:
    heard: list[str] = []

    def handler(event: Happened) -> None:
        heard.append(event.what)

    events.subscribe(Happened, handler)
    events.subscribe(Happened, handler)
    events.emit(Happened("once"))
    assert heard == ["once"]


def test_another_app_from_the_factory_subscribes_nothing_twice(app: Flask, tmp_path: Path) -> None:
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.db'}", "TESTING": True})
    registry = events._registry
    assert registry.known >= set(catalogue.CATALOGUE)
    for handlers in (*registry.in_transaction.values(), *registry.after_commit.values()):
        assert len(handlers) == len(set(handlers))
    # Its own listener, the calendars' invitations, then the webhooks' outbox, which publishes what the
    # others wrote (the order of app/__init__.py).
    assert registry.in_transaction[catalogue.CommitmentStateChanged] == [
        commitment_listeners.commitment_state_changed, calendar_listeners.commitment_state_changed,
        webhooks.record_event]


# --- the catalogue --------------------------------------------------------------------------------

def _emitted_classes() -> dict[str, list[str]]:
    """Each class name passed to ``emit(...)`` anywhere in app/, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted(APP_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and _name(node.func) == "emit"):
                continue
            assert len(node.args) == 1 and isinstance(node.args[0], ast.Call), \
                f"{path}:{node.lineno}: emit an event built on the spot, emit(SomeEvent(...))"
            found.setdefault(_name(node.args[0].func), []).append(f"{path.relative_to(APP_DIR)}:{node.lineno}")
    return found


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_the_catalogue_lists_every_event_class_emitted_and_nothing_else() -> None:
    emitted = _emitted_classes()
    listed = {cls.__name__ for cls in catalogue.CATALOGUE}
    assert set(emitted) - listed == set(), "emitted but missing from app/events.py's CATALOGUE"
    assert listed - set(emitted) == set(), "in the catalogue but emitted nowhere"


def test_every_event_class_of_the_catalogue_module_is_listed_and_is_a_documented_frozen_dataclass() -> None:
    defined = {obj for obj in vars(catalogue).values()
               if isinstance(obj, type) and issubclass(obj, events.Event) and obj is not events.Event}
    assert defined == set(catalogue.CATALOGUE)
    for cls in catalogue.CATALOGUE:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("), f"{cls.__name__} says what it means"
        assert dataclasses.fields(cls), cls


def test_no_service_calls_notify_itself() -> None:
    """Services announce events; only a feature's listeners (``app/<feature>/listeners.py``, subscribed
    to its events) turn them into notifications."""
    callers = []
    for path in sorted(APP_DIR.rglob("*.py")):
        if path.name == "listeners.py" and path.parent.parent == APP_DIR:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) == "notify":
                callers.append(f"{path.relative_to(APP_DIR)}:{node.lineno}")
    assert callers == []
