"""Product update rules: a product's managers (and admins) publish updates to sales; sellers acknowledge them.

The audience of an update is the active sellers (sales managers, and team members who sell) it is
addressed to: all of them, a region's or a team's (:mod:`app.teams`), as they stand now. Only they
are told when it is published and asked to acknowledge it; its managers see who of them has read
it and who has not yet, and the percentage counts only them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit import services as audit
from app.catalog.access import can_edit
from app.catalog.models import Product, product_owners
from app.core import events
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, desc, ordered, paginate
from app.events import ProductUpdatePublished
from app.extensions import db
from app.regions.models import Region
from app.teams import services as teams
from app.teams.models import Team
from app.updates.models import KINDS, ProductUpdate, UpdateAcknowledgement


@dataclass(frozen=True)
class UpdateInput:
    product_id: int
    kind: str
    title: str
    body: str = ""
    region_id: int | None = None
    requires_ack: bool = False
    audience_region_id: int | None = None
    audience_team_id: int | None = None


@dataclass(frozen=True)
class AckStatus:
    """Who acknowledged an update (with when), and who among its audience has not yet."""

    acknowledged: list[tuple[User, datetime]]
    pending: list[User]
    #: The ids of those who acknowledged and are in the audience today (not those who left it since).
    counted: frozenset[int] = frozenset()

    @property
    def audience(self) -> int:
        return len(self.pending) + len(self.counted)

    @property
    def percent(self) -> float | None:
        """The share of today's audience that acknowledged; None when nobody sells."""
        if not self.audience:
            return None
        return 100 * (self.audience - len(self.pending)) / self.audience


def sellers() -> Sequence[User]:
    """Every active seller: sales managers, and active team members who sell."""
    return db.session.scalars(sa.select(User).where(teams.seller_condition()).order_by(User.name, User.id)).all()


def audience(update: ProductUpdate) -> Sequence[User]:
    """The sellers ``update`` is for, as they stand now, by name."""
    ids = teams.audience_ids(update.audience_region_id, update.audience_team_id)
    return db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.name, User.id)).all()


def in_audience(user: User, update: ProductUpdate) -> bool:
    ids = teams.audience_ids(update.audience_region_id, update.audience_team_id)
    return db.session.scalar(sa.select(sa.literal(True)).where(sa.literal(user.id).in_(ids))) is not None


def publishable_products(user: User) -> Sequence[Product]:
    """The products ``user`` may publish updates about: their own (every product for admins)."""
    query = sa.select(Product).order_by(Product.name)
    if not user.is_admin:
        if user.role is not Role.PRODUCT_MANAGER:
            return []
        query = query.join(product_owners).where(product_owners.c.user_id == user.id)
    return db.session.scalars(query).all()


def can_publish(user: User, product: Product) -> bool:
    """Updates about a product are published by those who keep it: its product managers, and admins."""
    return can_edit(user, product)


def can_see_status(user: User, update: ProductUpdate) -> bool:
    """Who read an update is for the managers of its product (and admins)."""
    return can_publish(user, update.product)


def _list_reads() -> tuple[Any, ...]:
    """What a list of updates shows of each (built when asked: the mappers are all configured by then)."""
    return (so.joinedload(ProductUpdate.product), so.joinedload(ProductUpdate.region),
            so.joinedload(ProductUpdate.published_by), so.joinedload(ProductUpdate.audience_region),
            so.joinedload(ProductUpdate.audience_team))

_NEWEST_FIRST = [desc(ProductUpdate.published_at), desc(ProductUpdate.id)]


def updates(product_id: int | None = None, asked: PageRequest = FIRST_PAGE) -> Page[ProductUpdate]:
    """A page of updates, newest first, with what the list shows loaded."""
    query = sa.select(ProductUpdate).options(*_list_reads())
    if product_id is not None:
        query = query.where(ProductUpdate.product_id == product_id)
    return paginate(query, _NEWEST_FIRST, asked)


def products_with_updates() -> Sequence[Product]:
    """The products the list's filter offers: those with at least one update."""
    return db.session.scalars(
        sa.select(Product).where(Product.id.in_(sa.select(ProductUpdate.product_id))).order_by(Product.name)
    ).all()


def _awaiting(user: User) -> list[sa.ColumnElement[bool]]:
    """Where updates ask ``user`` for an acknowledgement not yet given."""
    given = sa.select(UpdateAcknowledgement.update_id).where(UpdateAcknowledgement.user_id == user.id)
    return [ProductUpdate.requires_ack, ProductUpdate.id.not_in(given),
            teams.reaches(user.id, ProductUpdate.audience_region_id, ProductUpdate.audience_team_id)]


def awaiting(user: User, among: Sequence[int]) -> set[int]:
    """Which of the updates ``among`` ask ``user`` (a seller) for an acknowledgement not yet given."""
    if not _is_seller(user) or not among:
        return set()
    return set(db.session.scalars(sa.select(ProductUpdate.id).where(*_awaiting(user), ProductUpdate.id.in_(among))))


def awaiting_count(user: User) -> int:
    """How many updates ask ``user`` for an acknowledgement not yet given (one aggregate)."""
    if not _is_seller(user):
        return 0
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProductUpdate).where(*_awaiting(user))) or 0


def awaiting_updates(user: User, limit: int) -> Sequence[ProductUpdate]:
    """The ``limit`` newest updates waiting for ``user``'s acknowledgement, with what a list shows."""
    if not _is_seller(user):
        return []
    return db.session.scalars(
        ordered(sa.select(ProductUpdate).where(*_awaiting(user)).options(*_list_reads()), _NEWEST_FIRST).limit(limit)
    ).all()


def acknowledged_at(user: User, among: Sequence[int]) -> dict[int, datetime]:
    """When ``user`` acknowledged each of the updates ``among`` they did, by update id (one query)."""
    if not among:
        return {}
    return dict(db.session.execute(
        sa.select(UpdateAcknowledgement.update_id, UpdateAcknowledgement.acknowledged_at)
        .where(UpdateAcknowledgement.user_id == user.id, UpdateAcknowledgement.update_id.in_(among))
    ).tuples().all())


def publish_update(actor: User, data: UpdateInput) -> ProductUpdate:
    """Publish an update about a product; every active seller is told."""
    product = db.session.get(Product, data.product_id) if data.product_id else None
    if product is None:
        raise InvalidInput("The update was not published.", {"product_id": ["Choose a product from the catalog."]})
    if not can_publish(actor, product):
        raise NotAllowed(f"Only the product managers of {product.name} (or an admin) publish updates about it.")
    errors: dict[str, list[str]] = {}
    title, body = data.title.strip(), data.body.strip()
    if data.kind not in KINDS:
        errors["kind"] = [f"One of: {', '.join(KINDS)}."]
    if not title:
        errors["title"] = ["Say what changed, e.g. “New price band for Pro”."]
    region = db.session.get(Region, data.region_id) if data.region_id else None
    if data.region_id and (region is None or not region.active):
        errors["region_id"] = ["Choose an active region, or none for every region."]
    team = db.session.get(Team, data.audience_team_id) if data.audience_team_id else None
    audience_region = db.session.get(Region, data.audience_region_id) if data.audience_region_id else None
    if data.audience_team_id and team is None:
        errors["audience_team_id"] = ["Choose a team from the list, or none."]
    if data.audience_region_id and (audience_region is None or not audience_region.active):
        errors["audience_region_id"] = ["Choose an active region, or none for every seller."]
    elif team is not None and audience_region is not None and audience_region.id != team.region_id:
        errors["audience_region_id"] = [f"{team.name} is in {team.region.name}: name the team or a region, not both."]
    if errors:
        raise InvalidInput("The update was not published.", errors)
    if team is not None:
        audience_region = team.region  # kept should the team go: see ProductUpdate.audience_region_id
    update = ProductUpdate(product=product, kind=data.kind, title=title, body=body, region=region,
                           requires_ack=data.requires_ack, published_by=actor,
                           audience_team=team, audience_region=audience_region)
    db.session.add(update)
    db.session.flush()
    audit.record(actor, "product_update.published", f"Published “{title}” about {product.name} to "
                 + update.audience_label + (" (acknowledgement asked)" if data.requires_ack else ""),
                 entity="product_update", entity_id=update.id)
    events.emit(ProductUpdatePublished(update.id, product.id, actor.id, update.requires_ack))
    return update


def acknowledge(user: User, update: ProductUpdate) -> UpdateAcknowledgement:
    """Record that ``user`` read ``update``; acknowledging twice keeps the first time."""
    if not update.requires_ack:
        raise InvalidInput("This update asks for no acknowledgement.")
    if not user.sells:
        raise NotAllowed("Acknowledgements are asked of sales: sales managers and team members who sell.")
    if not in_audience(user, update):
        raise NotAllowed(f"This update was sent to {update.audience_label} only.")
    existing = db.session.get(UpdateAcknowledgement, (update.id, user.id))
    if existing is not None:
        return existing
    ack = UpdateAcknowledgement(update=update, user=user)
    db.session.add(ack)
    db.session.flush()
    audit.record(user, "product_update.acknowledged", f"Acknowledged “{update.title}” about {update.product.name}",
                 entity="product_update", entity_id=update.id)
    return ack


def ack_status(update: ProductUpdate) -> AckStatus:
    """Who acknowledged (earliest first, including people who no longer sell or left its audience) and
    who of its audience today has not; the audience's size counts only today's audience."""
    acks = db.session.scalars(
        sa.select(UpdateAcknowledgement).where(UpdateAcknowledgement.update_id == update.id)
        .options(so.joinedload(UpdateAcknowledgement.user)).order_by(UpdateAcknowledgement.acknowledged_at, UpdateAcknowledgement.user_id)
    ).all()
    done = {ack.user_id for ack in acks}
    people = audience(update)
    return AckStatus(acknowledged=[(ack.user, ack.acknowledged_at) for ack in acks],
                     pending=[u for u in people if u.id not in done],
                     counted=frozenset(u.id for u in people if u.id in done))


def _is_seller(user: User) -> bool:
    return user.active and user.sells
