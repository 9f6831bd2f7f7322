"""Catalog rules: product managers keep their products current; everyone reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlparse

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.catalog.access import can_add_products, require_editor
from app.catalog.models import COVERAGE, PRODUCT_STATUSES, MarketCoverage, PriceBand, Product, ProductLink
from app.core import clock, events
from app.core.errors import InvalidInput, NotAllowed, StaleEdit
from app.core.models import touch
from app.core.pagination import Page, PageRequest, asc, paginate
from app.core.slots import Slot
from app.core.text import date_label
from app.events import ProductChanged
from app.extensions import db
from app.regions.models import Region


@dataclass(frozen=True)
class ProductInput:
    name: str
    status: str
    summary: str = ""
    key_traits: str = ""
    differences: str = ""
    available_from: date | None = None
    currency: str = "EUR"
    owner_ids: Sequence[int] = field(default_factory=tuple)


#: How the catalog lists products: retired ones last, each part by name.
CATALOG_ORDER = (Product.status == "retired", Product.name, Product.id)


def products(asked: PageRequest, status: str = "") -> Page[Product]:
    """A page of the catalog (retired products last), with what its page shows, in a handful of
    queries; ``status`` narrows it to one status."""
    query = sa.select(Product).options(
        so.selectinload(Product.owners), so.selectinload(Product.bands), so.selectinload(Product.links),
        so.selectinload(Product.coverage).joinedload(MarketCoverage.region))
    if status:
        query = query.where(Product.status == status)
    return paginate(query, [asc(key) for key in CATALOG_ORDER], asked)


#: Per product, how many of the commitments the reader may see are in each open state. Commitments sit
#: above the catalog: they register the counter at start-up (app/commitments/listeners.py), so that the
#: catalog page shows them without importing that feature.
PromiseCounter = Callable[[User, Sequence[int]], dict[int, dict[str, int]]]
_promise_counter: Slot[PromiseCounter] = Slot("the catalog's promise counts", "app/commitments/listeners.py")


def count_promises_with(counter: PromiseCounter) -> None:
    """Let ``counter`` count the catalog page's open commitments (registering again replaces it)."""
    _promise_counter.fill(counter)


def promise_counts(user: User, product_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """``{product id: {state: count}}`` of the open commitments ``user`` may see: one aggregate for the page."""
    counter = _promise_counter.get_or_none()  # none: a catalog without commitments counts nothing
    return counter(user, product_ids) if counter is not None and product_ids else {}


def pickable_products() -> Sequence[Product]:
    """Every product, in catalog order, and nothing else loaded: what a form's product picker offers."""
    return db.session.scalars(sa.select(Product).order_by(*CATALOG_ORDER)).all()


def last_changed(product_ids: Sequence[int]) -> dict[int, datetime]:
    """When each product last changed in any way (details, bands, links, coverage), from the audit trail.

    Bands, links and coverage deliberately leave the product's version alone, so that an edit of
    its details does not clash with an unrelated price change; the trail knows every change.
    """
    rows = db.session.execute(
        sa.select(AuditEvent.entity_id, sa.func.max(AuditEvent.at))
        .where(AuditEvent.entity == "product", AuditEvent.entity_id.in_(product_ids))
        .group_by(AuditEvent.entity_id)
    ).all()
    return {entity_id: at for entity_id, at in rows if entity_id is not None}


def create_product(actor: User, data: ProductInput) -> Product:
    if not can_add_products(actor):
        raise NotAllowed("Only product managers and admins add products.")
    owner_ids = data.owner_ids or ((actor.id,) if actor.role is Role.PRODUCT_MANAGER else ())
    product = Product()
    _apply(product, ProductInput(**{**data.__dict__, "owner_ids": owner_ids}))
    db.session.add(product)
    db.session.flush()
    audit.record(actor, "product.created", f"Added product {product.name} ({product.status_label})",
                 entity="product", entity_id=product.id)
    _announce(actor, product, "created")
    return product


def update_product(actor: User, product: Product, data: ProductInput, expected_version: int) -> Product:
    require_editor(actor, product)
    if expected_version != product.version:
        raise StaleEdit("product")
    before = _snapshot(product)
    _apply(product, data)
    changed = audit.changes(before, _snapshot(product))
    if changed:
        touch(product)  # owners live in another table: still bump the version
        db.session.flush()
        audit.record(actor, "product.updated", f"Edited product {product.name}: {audit.describe(changed)}",
                     entity="product", entity_id=product.id, details={"changes": changed})
        facts = [FACTS[name] for name in changed if name in FACTS]
        if facts:  # its managers alone changed: nothing sales may promise did
            _announce(actor, product, *facts)
    return product


def save_band(actor: User, product: Product, band: PriceBand | None, tier: str, list_price: Decimal,
              minimum_price: Decimal, unit: str) -> PriceBand:
    """Add (``band`` None) or change a price band; its minimum may not exceed its list price."""
    require_editor(actor, product)
    tier = tier.strip()
    errors: dict[str, list[str]] = {}
    if not tier:
        errors["tier"] = ["Name the tier."]
    if minimum_price > list_price:
        errors["minimum_price"] = ["The minimum cannot be above the list price."]
    if any(b.tier.lower() == tier.lower() and b is not band for b in product.bands):
        errors["tier"] = ["This product already has a band for that tier."]
    if errors:
        raise InvalidInput("The price band was not saved.", errors)
    created = band is None
    if band is None:
        band = PriceBand(product=product)
        db.session.add(band)
    elif (band.tier, band.list_price, band.minimum_price, band.unit) == (tier, list_price, minimum_price, unit.strip()):
        return band  # nothing changes: nothing to audit
    band.tier, band.list_price, band.minimum_price, band.unit = tier, list_price, minimum_price, unit.strip()
    db.session.flush()
    audit.record(actor, "product.band_saved",
                 f"{'Added' if created else 'Changed'} the {tier} band of {product.name}: list {list_price:,.2f}, "
                 f"minimum {minimum_price:,.2f} {product.currency}", entity="product", entity_id=product.id)
    _announce(actor, product, "price_bands")
    return band


def delete_band(actor: User, product: Product, band: PriceBand) -> None:
    require_editor(actor, product)
    audit.record(actor, "product.band_deleted", f"Removed the {band.tier} band of {product.name}",
                 entity="product", entity_id=product.id)
    product.bands.remove(band)
    db.session.flush()
    _announce(actor, product, "price_bands")


def add_link(actor: User, product: Product, title: str, url: str) -> ProductLink:
    require_editor(actor, product)
    errors: dict[str, list[str]] = {}
    parsed = urlparse(url.strip())
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        errors["url"] = ["Use a full web address starting with https://"]
    if not title.strip():
        errors["title"] = ["Say what the material is, e.g. “Sales deck”."]
    if errors:
        raise InvalidInput("The link was not added.", errors)
    link = ProductLink(product=product, title=title.strip(), url=url.strip())
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "product.link_added", f"Added material “{link.title}” to {product.name}",
                 entity="product", entity_id=product.id)
    _announce(actor, product, "material")
    return link


def delete_link(actor: User, product: Product, link: ProductLink) -> None:
    require_editor(actor, product)
    audit.record(actor, "product.link_removed", f"Removed material “{link.title}” from {product.name}",
                 entity="product", entity_id=product.id)
    product.links.remove(link)
    db.session.flush()
    _announce(actor, product, "material")


def set_coverage(actor: User, product: Product, region: Region, status: str, reason: str = "",
                 planned_from: date | None = None) -> MarketCoverage | None:
    """Say whether ``product`` may be sold in ``region``; status '' removes the entry."""
    require_editor(actor, product)
    existing = product.coverage_in(region.id)
    if not status:
        if existing is not None:
            product.coverage.remove(existing)
            db.session.flush()
            audit.record(actor, "product.coverage", f"{product.name} in {region.name}: no longer recorded",
                         entity="product", entity_id=product.id)
            _announce(actor, product, "regions")
        return None
    errors: dict[str, list[str]] = {}
    if status not in COVERAGE:
        errors["status"] = [f"One of: {', '.join(COVERAGE)}."]
    if status == "not_allowed" and not reason.strip():
        errors["reason"] = ["Say why it may not be sold there (e.g. not certified under local rules)."]
    if status == "planned" and planned_from is None:
        errors["planned_from"] = ["Give the date it becomes sellable there."]
    elif status == "planned" and planned_from is not None and planned_from <= clock.today():
        errors["planned_from"] = ["That date has come: mark it sellable instead."]
    if errors:
        raise InvalidInput("The market coverage was not saved.", errors)
    coverage = existing or MarketCoverage(product=product, region=region)
    if existing is None:
        db.session.add(coverage)
    coverage.status = status
    coverage.reason = reason.strip() if status == "not_allowed" else ""
    coverage.planned_from = planned_from if status == "planned" else None
    db.session.flush()
    audit.record(actor, "product.coverage", f"{product.name} in {region.name}: {COVERAGE[status].lower()}"
                 + (f" ({coverage.reason})" if coverage.reason else "")
                 + (f" from {date_label(planned_from)}" if coverage.planned_from else ""),
                 entity="product", entity_id=product.id)
    _announce(actor, product, "regions")
    return coverage


#: The product's own fields that are facts sales may promise, by the name ProductChanged gives them.
FACTS = {"name": "name", "status": "status", "summary": "summary", "key_traits": "traits",
         "differences": "differences", "available_from": "available_from", "currency": "currency"}


def _announce(actor: User, product: Product, *changes: str) -> None:
    """Say, in the change's transaction, that ``product``'s facts changed (webhooks publish it)."""
    events.emit(ProductChanged(product.id, actor.id, tuple(changes)))


def _apply(product: Product, data: ProductInput) -> None:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = ["Name the product."]
    clash = db.session.scalar(sa.select(Product).where(sa.func.lower(Product.name) == name.lower()))
    if clash is not None and clash is not product:
        errors["name"] = ["Another product has this name."]
    if data.status not in PRODUCT_STATUSES:
        errors["status"] = [f"One of: {', '.join(PRODUCT_STATUSES)}."]
    owners = list(db.session.scalars(
        sa.select(User).where(User.id.in_(data.owner_ids), User.role == Role.PRODUCT_MANAGER)
    ))
    if len(owners) != len(set(data.owner_ids)):
        errors["owner_ids"] = ["Owners must be product managers."]
    if not owners:
        errors.setdefault("owner_ids", ["Name at least one product manager who keeps this product current."])
    if errors:
        raise InvalidInput("The product was not saved.", errors)
    product.name, product.status = name, data.status
    product.summary, product.key_traits, product.differences = data.summary.strip(), data.key_traits.strip(), data.differences.strip()
    product.available_from = data.available_from if data.status in {"planned", "beta"} else None
    product.currency = data.currency.upper()
    product.owners = owners


def _snapshot(product: Product) -> dict[str, object]:
    return {
        "name": product.name, "status": product.status, "summary": product.summary,
        "key_traits": product.key_traits, "differences": product.differences,
        "available_from": product.available_from, "currency": product.currency,
        "owners": sorted(u.id for u in product.owners),
    }
