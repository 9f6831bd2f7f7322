"""What the features above customers hand it at start-up, so that customers imports none of them.

Commitments and feedback point to customers and sit above them (README, "Layers"). The customer
list counts a customer's commitments, the customer page shows its commitments and feedback, and a
merge says beforehand what will move: each asks the feature that owns those records through what
it registered here (``app/commitments/listeners.py``, ``app/feedback/listeners.py``). Moving the
records on a merge is theirs too, as handlers of :class:`app.events.CustomerMerged`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.accounts.models import User
from app.core.slots import Slot
from app.customers.models import Customer


@dataclass(frozen=True)
class CommitmentCounts:
    """How many of a customer's commitments the reader may see are open, countersigned, at risk."""

    open: int = 0
    countersigned: int = 0
    at_risk: int = 0


#: ``counter(reader, customer ids)`` → ``{customer id: counts}``, one aggregate query for a page of customers.
Counter = Callable[[User, Sequence[int]], dict[int, CommitmentCounts]]


@dataclass(frozen=True)
class Panel:
    """A part of the customer page a feature fills: its template and what that template reads."""

    order: int
    template: str
    context: dict[str, Any]


#: ``provider(reader, customer)`` → the panel, or None when the reader has nothing to see there.
PanelProvider = Callable[[User, Customer], Panel | None]
#: ``holding(customer id)`` → how many records of that kind point to the customer (what a merge moves).
Holding = Callable[[int], int]


@dataclass
class Registry:
    counter: Slot[Counter] = field(
        default_factory=lambda: Slot("the customer list's commitment counts", "app/commitments/listeners.py"))
    panels: dict[str, PanelProvider] = field(default_factory=dict)
    holdings: dict[str, Holding] = field(default_factory=dict)


_registry = Registry()


def count_commitments_with(counter: Counter) -> None:
    _registry.counter.fill(counter)


def provide_panel(name: str, provider: PanelProvider) -> None:
    """Show ``provider``'s panel on every customer page (registering ``name`` again replaces it)."""
    _registry.panels[name] = provider


def provide_holding(label: str, holding: Holding) -> None:
    """Name, in a merge's preview, how many ``label`` (e.g. "commitments") a customer holds."""
    _registry.holdings[label] = holding


def commitment_counts(user: User, customer_ids: Sequence[int]) -> dict[int, CommitmentCounts]:
    counter = _registry.counter.get_or_none()  # none: customers without commitments count nothing
    return counter(user, customer_ids) if counter is not None and customer_ids else {}


def panels(user: User, customer: Customer) -> list[Panel]:
    shown = (provider(user, customer) for provider in _registry.panels.values())
    return sorted((panel for panel in shown if panel is not None), key=lambda panel: panel.order)


def holdings(customer_id: int) -> dict[str, int]:
    return {label: holding(customer_id) for label, holding in sorted(_registry.holdings.items())}
