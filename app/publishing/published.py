"""What the catalog publishes, and how a reader knows it has not changed: the one place that reads it.

The JSON of ``api.py`` and the sales sheet of ``views.py`` both read a product through here, so an
intranet page and a CRM widget show the same facts as the catalog. A page of products costs the
same handful of queries however many products and regions there are: the page, its bands, links
and coverage (each one ``IN`` query), the regions, and when each product last changed.

**Which products.** The list holds what a seller may talk about: available products, those in
beta and those planned (with the day they become generally available). Retired products leave
the list, as they leave what sales may promise; asked for by id, a retired product still answers,
marked retired, so a CRM record that names it shows why it is gone rather than an error.

**Validators.** The ETag is the SHA-256 of the very bytes sent (Flask writes JSON keys sorted, so
equal content is equal bytes), so it changes with anything the
reader sees (a band, a region's name, a product leaving the list) and with nothing else.
``Last-Modified`` says when the newest product shown last changed; it is informative only, and
``If-Modified-Since`` is not answered, since a product leaving the list changes the list without
any product shown having changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypedDict

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, request

from app.api import money_text, timestamp
from app.api.schemas import IsoDate, Money, OneOf, Timestamp
from app.catalog import services as catalog
from app.catalog.models import COVERAGE, PRODUCT_STATUSES, MarketCoverage, Product
from app.core.pagination import Page, PageRequest, asc, paginate
from app.extensions import db
from app.regions.models import Region
from app.regions.services import active_regions

#: What the list publishes: everything a seller may talk about. Retired products answer by id only.
LISTED_STATUSES = ("available", "beta", "planned")
#: A widget may show what it fetched for a minute, then asks again with its ETag (a 304 is cheap).
CACHE_CONTROL = "private, max-age=60"


class PublishedRegion(TypedDict):
    """Whether the product may be sold in a region; status null: nothing recorded, ask its product manager."""

    id: int
    code: str
    name: str
    status: Annotated[str, OneOf(COVERAGE)] | None
    status_label: str
    reason: str
    planned_from: IsoDate | None


class PublishedBand(TypedDict):
    tier: str
    list_price: Money
    minimum_price: Money
    unit: str


class PublishedMaterial(TypedDict):
    title: str
    url: str


class PublishedProduct(TypedDict):
    """A product as the catalog publishes it."""

    id: int
    name: str
    status: Annotated[str, OneOf(PRODUCT_STATUSES)]
    status_label: str
    summary: str
    key_traits: list[str]
    differences: list[str]
    available_from: IsoDate | None
    currency: str
    regions: list[PublishedRegion]
    price_bands: list[PublishedBand]
    material: list[PublishedMaterial]
    updated_at: Timestamp
    version: int


@dataclass(frozen=True)
class Sheet:
    """One product with what its published form and sales sheet show."""

    product: Product
    regions: list[tuple[Region, MarketCoverage | None]]
    updated_at: datetime


def _loaded() -> sa.Select[tuple[Product]]:
    return sa.select(Product).options(
        so.selectinload(Product.bands), so.selectinload(Product.links),
        so.selectinload(Product.coverage).joinedload(MarketCoverage.region))


def catalog_page(asked: PageRequest) -> Page[Sheet]:
    """A page of the published list, in the catalog's order (by name), each product with its regions."""
    page = paginate(_loaded().where(Product.status.in_(LISTED_STATUSES)),
                    [asc(Product.name), asc(Product.id)], asked)
    sheets = _sheets(page.items)
    return Page(sheets, page.next_cursor, page.limit)


def product_sheet(product_id: int) -> Sheet | None:
    """One product (a retired one too), or None when there is no such product."""
    product = db.session.scalar(_loaded().where(Product.id == product_id))
    return _sheets([product])[0] if product is not None else None


def _sheets(products: Sequence[Product]) -> list[Sheet]:
    """Each product with every active region (and any other its coverage names) and when it last changed."""
    if not products:
        return []
    regions = active_regions()
    listed = {r.id for r in regions}
    changed = catalog.last_changed([p.id for p in products])
    sheets = []
    for product in products:
        others = sorted((c.region for c in product.coverage if c.region_id not in listed), key=lambda r: r.name)
        sheets.append(Sheet(
            product,
            [(region, product.coverage_in(region.id)) for region in [*regions, *others]],
            max(product.updated_at, changed.get(product.id, product.updated_at)),
        ))
    return sheets


def published(sheet: Sheet) -> PublishedProduct:
    product = sheet.product
    return {
        "id": product.id,
        "name": product.name,
        "status": product.status,
        "status_label": product.status_label,
        "summary": product.summary,
        "key_traits": product.trait_lines,
        "differences": product.difference_lines,
        "available_from": product.available_from.isoformat() if product.available_from else None,
        "currency": product.currency,
        "regions": [_region(region, coverage) for region, coverage in sheet.regions],
        "price_bands": [{"tier": b.tier, "list_price": money_text(b.list_price) or "0.00",
                         "minimum_price": money_text(b.minimum_price) or "0.00", "unit": b.unit}
                        for b in product.bands],
        "material": [{"title": link.title, "url": link.url} for link in product.links],
        "updated_at": timestamp(sheet.updated_at) or "",
        "version": product.version,
    }


def _region(region: Region, coverage: MarketCoverage | None) -> PublishedRegion:
    return {
        "id": region.id,
        "code": region.code,
        "name": region.name,
        "status": coverage.status if coverage else None,
        "status_label": coverage.status_label if coverage else "Unknown: ask the product manager",
        "reason": coverage.reason if coverage else "",
        "planned_from": coverage.planned_from.isoformat() if coverage and coverage.planned_from else None,
    }


# --- validators ----------------------------------------------------------------------------------

def conditional(response: Response, last_modified: datetime | None) -> Response:
    """``response`` with its strong ETag (the SHA-256 of its body), ``Last-Modified`` and caching
    headers; a ``304`` without the body when ``If-None-Match`` names that ETag."""
    tag = hashlib.sha256(response.get_data()).hexdigest()[:32]
    response.set_etag(tag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Authorization")
    if request.if_none_match.contains_weak(tag):  # RFC 9110 §13.1.2: If-None-Match compares weakly
        response.status_code = 304
        response.set_data(b"")
        for header in ("Content-Type", "Content-Length"):
            response.headers.pop(header, None)
    return response


def newest(sheets: Sequence[Sheet]) -> datetime | None:
    return max((sheet.updated_at for sheet in sheets), default=None)
