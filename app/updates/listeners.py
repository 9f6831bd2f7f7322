"""What product updates do when their events happen: every seller hears of a published update.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.events import ProductUpdatePublished
from app.notifications.services import notify
from app.updates.models import KINDS, ProductUpdate
from app.updates.services import audience


def product_update_published(event: ProductUpdatePublished) -> None:
    """The sellers it is for (all of them, a region's or a team's)."""
    update, actor = events.named(ProductUpdate, event.update_id), events.named(User, event.actor_id)
    subject = f"{update.product.name}: {update.title}" + (" (please acknowledge)" if update.requires_ack else "")
    where = f" In {update.region.name}." if update.region is not None else ""
    notify(audience(update), "product_update", subject,
           f"{KINDS[update.kind]} update from {actor.name}.{where}\n\n{update.body}", update.path, skip=actor)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(ProductUpdatePublished, product_update_published)
