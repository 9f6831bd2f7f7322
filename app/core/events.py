"""Domain events: a service announces what it changed, once; whoever cares subscribes.

A service records a typed event (a frozen dataclass listed in :mod:`app.events`) with
:func:`emit`, in the transaction of the change. Handlers are subscribed once, at start-up, by
the feature that owns the event (its ``listeners.py``: ``app/commitments/listeners.py`` words
the notifications of ``CommitmentStateChanged``), in one of two ways:

- in the transaction (the default): the handler runs at once, in the order of subscription,
  and what it writes (a notification, an audit row) commits or rolls back with the change;
- after the commit (``after_commit=True``): the handler runs only once the transaction
  committed, never if it rolls back, for what must not leave the process before the change
  is saved (a webhook, a cache purge). See :mod:`app.core.transactions`.

So a new consumer of an event (webhooks, a chat channel) is one more subscription, not an
edit of every service. No framework: a dict of event type to handlers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.core import transactions
from app.extensions import db


@dataclass(frozen=True)
class Event:
    """What every domain event is: a frozen dataclass of ids and plain values, named in the past tense."""


E = TypeVar("E", bound=Event)
M = TypeVar("M")
Handler = Callable[[Any], None]


class UnknownEvent(LookupError):
    """An event type the catalogue (:mod:`app.events`) does not list: it is no part of the contract."""


@dataclass
class Registry:
    known: set[type[Event]] = field(default_factory=set)
    in_transaction: dict[type[Event], list[Handler]] = field(default_factory=dict)
    after_commit: dict[type[Event], list[Handler]] = field(default_factory=dict)


_registry = Registry()


def declare(types: Iterable[type[Event]]) -> None:
    """Name the event types there are (the catalogue): only those are emitted or subscribed to."""
    _registry.known.update(types)


def subscribe(event_type: type[E], handler: Callable[[E], None], *, after_commit: bool = False) -> None:
    """Call ``handler(event)`` for every ``event_type`` emitted; subscribing it again adds nothing
    (the tests build several apps, each subscribing its features)."""
    _check(event_type)
    handlers = (_registry.after_commit if after_commit else _registry.in_transaction).setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(event: Event) -> None:
    """Announce ``event`` in the current transaction: in-transaction handlers run now, the others
    once it commits."""
    event_type = type(event)
    _check(event_type)
    for handler in tuple(_registry.in_transaction.get(event_type, ())):
        handler(event)
    for handler in _registry.after_commit.get(event_type, ()):
        transactions.after_commit(db.session(), functools.partial(handler, event))


def named(model: type[M], ident: int) -> M:
    """The record of ``model`` an event names by ``ident``, for its handler. The service that emitted
    the event just changed it, so ``session.get`` finds it in the session without a query."""
    record = db.session.get(model, ident)
    if record is None:  # an event names what its own transaction holds: this would be a bug
        raise LookupError(f"{model.__name__} {ident} named by an event is not in the database")
    return record


def _check(event_type: type[Event]) -> None:
    if event_type not in _registry.known:
        raise UnknownEvent(f"{event_type.__qualname__} is not in the event catalogue (app/events.py)")
