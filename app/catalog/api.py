"""The catalog in the JSON API: everyone signed in reads it; a product's product managers (and admins) change it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypedDict

from flask import Response, abort, jsonify, request
from flask_login import current_user

from app.api import Versioned, api_blueprint, expected_version, json_body, money_text, page_json, timestamp, validated
from app.api.openapi import NEW_ID, Body, follow, from_path, operation
from app.api.schemas import IsoDate, Money, OneOf, Timestamp
from app.catalog import services
from app.catalog.access import get_band_or_404, get_link_or_404, get_product_or_404, require_editor
from app.catalog.forms import CoverageForm, LinkForm, PriceBandForm, ProductForm
from app.catalog.models import COVERAGE, PRODUCT_STATUSES, MarketCoverage, PriceBand, Product, ProductLink
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.extensions import db
from app.regions.models import Region
from app.regions.services import active_regions

bp = api_blueprint("catalog", __name__)


class ProductFields(TypedDict):
    """The editable fields, named as the form names them."""

    name: str
    status: Annotated[str, OneOf(PRODUCT_STATUSES)]
    summary: str
    key_traits: str
    differences: str
    available_from: IsoDate | None
    currency: str
    owner_ids: list[int]


class BandJson(TypedDict):
    id: int
    tier: str
    list_price: Money
    minimum_price: Money
    unit: str


class LinkJson(TypedDict):
    id: int
    title: str
    url: str


class CoverageJson(TypedDict):
    """Whether it may be sold in a region; status null: nothing recorded, sales must ask."""

    region_id: int
    region: str
    status: Annotated[str, OneOf(COVERAGE)] | None
    reason: str
    planned_from: IsoDate | None


class OwnerJson(TypedDict):
    id: int
    name: str
    email: str


class ProductJson(ProductFields):
    id: int
    version: int
    updated_at: Timestamp
    owners: list[OwnerJson]
    bands: list[BandJson]
    coverage: list[CoverageJson]
    links: list[LinkJson]


class StatusFilter(TypedDict, total=False):
    status: Annotated[str, OneOf(PRODUCT_STATUSES)]


class CoverageStatus(TypedDict):
    status: Annotated[str, OneOf(["", *COVERAGE])]  # "": remove what was recorded


def product_fields(product: Product) -> ProductFields:
    """The editable fields, named as the form names them (a PATCH sends any subset)."""
    return {
        "name": product.name,
        "status": product.status,
        "summary": product.summary,
        "key_traits": product.key_traits,
        "differences": product.differences,
        "available_from": product.available_from.isoformat() if product.available_from else None,
        "currency": product.currency,
        "owner_ids": [u.id for u in product.owners],
    }


def band_json(band: PriceBand) -> BandJson:
    return {"id": band.id, "tier": band.tier, "list_price": money_text(band.list_price),
            "minimum_price": money_text(band.minimum_price), "unit": band.unit}


def link_json(link: ProductLink) -> LinkJson:
    return {"id": link.id, "title": link.title, "url": link.url}


def coverage_json(region: Region, coverage: MarketCoverage | None) -> CoverageJson:
    """Whether it may be sold in ``region``; status null: nothing recorded, sales must ask."""
    return {
        "region_id": region.id,
        "region": region.name,
        "status": coverage.status if coverage else None,
        "reason": coverage.reason if coverage else "",
        "planned_from": coverage.planned_from.isoformat() if coverage and coverage.planned_from else None,
    }


def product_json(product: Product, regions: Sequence[Region]) -> ProductJson:
    """A product as the catalog page shows it: every active region, plus any other its coverage names."""
    listed = {r.id for r in regions}
    others = sorted((c.region for c in product.coverage if c.region_id not in listed), key=lambda r: r.name)
    return {
        "id": product.id,
        "version": product.version,
        **product_fields(product),
        "updated_at": timestamp(product.updated_at),
        "owners": [{"id": u.id, "name": u.name, "email": u.email} for u in product.owners],
        "bands": [band_json(b) for b in product.bands],
        "coverage": [coverage_json(r, product.coverage_in(r.id)) for r in [*regions, *others]],
        "links": [link_json(k) for k in product.links],
    }


@bp.get("/products")
@operation(ProductJson, paged=True, query=StatusFilter)
def list_products() -> Response:
    """The catalog: every product with its bands, coverage per region and material."""
    regions = active_regions()
    status = request.args.get("status", "")
    if status and status not in PRODUCT_STATUSES:
        raise InvalidInput(f"Unknown status {status!r}.", {"status": [f"One of: {', '.join(PRODUCT_STATUSES)}."]})
    return page_json(services.products(page_request(), status), lambda p: product_json(p, regions))


@bp.post("/products")
@operation(ProductJson, status=201, body=Body(ProductForm, exclude=frozenset({"version"})), errors=(403, 409),
           links=follow("api_catalog.get_product", "api_catalog.update_product", "api_catalog.create_band",
                        "api_catalog.create_link", product_id=NEW_ID))
def create_product() -> tuple[Response, int]:
    """Add a product (product managers and admins)."""
    form = validated(ProductForm, json_body())
    product = services.create_product(current_user, form.to_input())
    commit("product")
    return jsonify(product_json(product, active_regions())), 201


@bp.get("/products/<int:product_id>")
@operation(ProductJson)
def get_product(product_id: int) -> Response:
    """One product."""
    return jsonify(product_json(get_product_or_404(product_id), active_regions()))


@bp.patch("/products/<int:product_id>")
@operation(ProductJson, body=Body(ProductForm, extra=Versioned, partial=True), errors=(403, 409))
def update_product(product_id: int) -> Response:
    """Edit a product you manage: any subset of its fields, with the ``version`` you are editing."""
    product = _editable_product_or_404(product_id)
    payload = json_body()
    version = expected_version(payload)
    form = validated(ProductForm, {**product_fields(product), **payload}, product=product)
    services.update_product(current_user, product, form.to_input(), version)
    commit("product")
    return jsonify(product_json(product, active_regions()))


@bp.post("/products/<int:product_id>/bands")
@operation(BandJson, status=201, body=PriceBandForm, errors=(403, 409),
           links=follow("api_catalog.update_band", "api_catalog.delete_band",
                        product_id=from_path("product_id"), band_id=NEW_ID))
def create_band(product_id: int) -> tuple[Response, int]:
    """Add a price band."""
    product = _editable_product_or_404(product_id)
    band = _save_band(product, None, json_body())
    commit("product")
    return jsonify(band_json(band)), 201


@bp.patch("/products/<int:product_id>/bands/<int:band_id>")
@operation(BandJson, body=Body(PriceBandForm, partial=True), errors=(403, 409))
def update_band(product_id: int, band_id: int) -> Response:
    """Edit a price band: any subset of its fields."""
    product = _editable_product_or_404(product_id)
    band = get_band_or_404(product, band_id)
    current = {"tier": band.tier, "list_price": money_text(band.list_price),
               "minimum_price": money_text(band.minimum_price), "unit": band.unit}
    _save_band(product, band, {**current, **json_body()})
    commit("product")
    return jsonify(band_json(band))


@bp.delete("/products/<int:product_id>/bands/<int:band_id>")
@operation(status=204, errors=(403, 409))
def delete_band(product_id: int, band_id: int) -> tuple[str, int]:
    """Remove a price band."""
    product = get_product_or_404(product_id)
    services.delete_band(current_user, product, get_band_or_404(product, band_id))
    commit("product")
    return "", 204


@bp.put("/products/<int:product_id>/coverage/<int:region_id>")
@operation(CoverageJson, body=Body(CoverageForm, extra=CoverageStatus, exclude=frozenset({"region_id"})),
           errors=(403, 409))
def set_coverage(product_id: int, region_id: int) -> Response:
    """Say whether the product may be sold in a region (``not_allowed`` with a ``reason``, ``planned`` with a date)."""
    product = _editable_product_or_404(product_id)
    region = db.session.get(Region, region_id) or abort(404)
    payload = json_body()
    if "status" not in payload:  # an omitted status must not quietly erase what was recorded
        raise InvalidInput("Say the status.", {"status": ['Required: sellable, not_allowed, planned, or "" to remove.']})
    form = validated(CoverageForm, {**payload, "region_id": region.id})
    coverage = services.set_coverage(current_user, product, region, form.status.data or "",
                                     form.reason.data or "", form.planned_from.data)
    commit("product")
    return jsonify(coverage_json(region, coverage))


@bp.post("/products/<int:product_id>/links")
@operation(LinkJson, status=201, body=LinkForm, errors=(403, 409))
def create_link(product_id: int) -> tuple[Response, int]:
    """Add marketing material: a title and a URL."""
    product = _editable_product_or_404(product_id)
    form = validated(LinkForm, json_body())
    link = services.add_link(current_user, product, form.title.data or "", form.url.data or "")
    commit("product")
    return jsonify(link_json(link)), 201


@bp.delete("/products/<int:product_id>/links/<int:link_id>")
@operation(status=204, errors=(403, 409))
def delete_link(product_id: int, link_id: int) -> tuple[str, int]:
    """Remove marketing material."""
    product = get_product_or_404(product_id)
    link = get_link_or_404(product, link_id)
    services.delete_link(current_user, product, link)
    commit("product")
    return "", 204


def _editable_product_or_404(product_id: int) -> Product:
    """A product the reader keeps: everyone reads the catalog, so another's product is a 403, checked
    before the body is read (a 400 would first answer questions about a change they may not make)."""
    product = get_product_or_404(product_id)
    require_editor(current_user, product)
    return product


def _save_band(product: Product, band: PriceBand | None, payload: dict[str, Any]) -> PriceBand:
    form = validated(PriceBandForm, payload)
    assert form.list_price.data is not None and form.minimum_price.data is not None  # InputRequired
    return services.save_band(current_user, product, band, form.tier.data or "", form.list_price.data,
                              form.minimum_price.data, form.unit.data or "")
