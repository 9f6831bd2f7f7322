"""The published catalog in the JSON API, read with a publishing token (an intranet, a CRM widget).

Not a person's API: these routes take no session and no personal token, only
``Authorization: Bearer cspub_…`` (``access.reader``). Each answer carries a strong ``ETag`` of its
bytes and answers ``If-None-Match`` with ``304`` (``published.conditional``).

No CORS: a browser widget holding the token in its page would hand it to everyone who opens
the page (and could not keep it out of their browser's history and extensions), so the widget's
server, or the CRM's (an Apex callout), fetches the catalog and shows it; a server needs no CORS.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify

from app.accounts.auth import own_bearer
from app.api import PREFIX, page_json
from app.api.openapi import operation
from app.core.errors import ServiceError
from app.core.pagination import page_request
from app.errors import json_error
from app.extensions import csrf
from app.publishing import published
from app.publishing.access import Refused, reader

bp = Blueprint("api_published", __name__, url_prefix=PREFIX + "/published")
csrf.exempt(bp)
bp.record_once(lambda _state: own_bearer("api_published.catalog", "api_published.product"))


@bp.before_request
def _authenticate() -> tuple[Response, int, dict[str, str]] | None:
    found = reader()
    if isinstance(found, Refused):
        code = "too_many_requests" if found.status == 429 else "unauthorized"
        response, status = json_error(found.status, code, found.message)
        return response, status, found.headers
    return None


@bp.errorhandler(ServiceError)
def _service_error(error: ServiceError) -> tuple[Response, int]:
    return json_error(error.status, error.code, error.message, error.fields)


@bp.get("/catalog")
@operation(published.PublishedProduct, paged=True, security="publishing", conditional=True)
def catalog() -> Response:
    """The published catalog: available, beta and planned products, by name, a page at a time.

    Retired products are left out (they are no longer sold); `/published/products/{id}` still answers
    for one. Each product carries its key traits and differences (a line each), where it may be sold
    (every active region: `sellable`, `not_allowed` with its `reason`, `planned` from `planned_from`, or
    null when nothing is recorded), its price bands and its material. The `ETag` changes with any of
    it: send it back in `If-None-Match` for a `304`.
    """
    page = published.catalog_page(page_request())
    return published.conditional(page_json(page, _json), published.newest(page.items))


@bp.get("/products/<int:product_id>")
@operation(published.PublishedProduct, security="publishing", conditional=True)
def product(product_id: int) -> Response:
    """One published product (a retired one too, marked so), with the same validators as the list."""
    sheet = published.product_sheet(product_id)
    if sheet is None:
        abort(404)
    return published.conditional(jsonify(_json(sheet)), sheet.updated_at)


def _json(sheet: published.Sheet) -> dict[str, Any]:
    return dict(published.published(sheet))

