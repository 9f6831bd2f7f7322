"""Product updates in the JSON API: everyone reads them; a product's managers (and admins) publish; sellers acknowledge.

Who has acknowledged an update is shown to its product's managers (and admins) only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from app.api import api_blueprint, int_arg, json_body, page_json, person, timestamp, validated
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.extensions import db
from app.updates import services
from app.updates.forms import UpdateForm
from app.updates.models import ProductUpdate

bp = api_blueprint("updates", __name__)


def update_json(update: ProductUpdate, awaiting: set[int], acknowledged: Mapping[int, datetime],
                with_status: bool = False) -> dict[str, Any]:
    """``awaiting`` and ``acknowledged``: the reader's, read once for a whole list (services.awaiting, acknowledged_at)."""
    body: dict[str, Any] = {
        "id": update.id,
        "product_id": update.product_id,
        "product": update.product.name,
        "kind": update.kind,
        "kind_label": update.kind_label,
        "title": update.title,
        "body": update.body,
        "region_id": update.region_id,
        "region": update.region.name if update.region else None,
        "requires_ack": update.requires_ack,
        "published_by": person(update.published_by),
        "published_at": timestamp(update.published_at),
        "awaiting_my_ack": update.id in awaiting,
        "acknowledged_at": timestamp(acknowledged.get(update.id)),
    }
    if with_status:
        body["acknowledgements"] = status_json(update) if services.can_see_status(current_user, update) else None
    return body


def status_json(update: ProductUpdate) -> dict[str, Any]:
    status = services.ack_status(update)
    return {
        "audience": status.audience,
        "percent": None if status.percent is None else round(status.percent, 1),
        "acknowledged": [{**(person(user) or {}), "acknowledged_at": timestamp(at)} for user, at in status.acknowledged],
        "pending": [person(user) for user in status.pending],
    }


@bp.get("/product-updates")
def list_updates() -> Response:
    """``?product_id=`` (optional) narrows to one product."""
    errors: dict[str, list[str]] = {}
    product_id = int_arg("product_id", errors)
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    page = services.updates(product_id, page_request())
    shown = [u.id for u in page.items]
    awaiting, acknowledged = services.awaiting(current_user, shown), services.acknowledged_at(current_user, shown)
    return page_json(page, lambda u: update_json(u, awaiting, acknowledged))


@bp.post("/product-updates")
def publish_update() -> tuple[Response, int]:
    form = validated(UpdateForm, json_body(), current_user)
    update = services.publish_update(current_user, form.to_input())
    commit("update")
    return jsonify(update_json(update, set(), {}, with_status=True)), 201


@bp.get("/product-updates/<int:update_id>")
def get_update(update_id: int) -> Response:
    update = db.get_or_404(ProductUpdate, update_id)
    return jsonify(update_json(update, services.awaiting(current_user, [update.id]),
                               services.acknowledged_at(current_user, [update.id]), with_status=True))


@bp.post("/product-updates/<int:update_id>/acknowledge")
def acknowledge(update_id: int) -> Response:
    """Idempotent: acknowledging again answers with the first acknowledgement's time."""
    update = db.get_or_404(ProductUpdate, update_id)
    ack = services.acknowledge(current_user, update)
    commit("acknowledgement")
    return jsonify({"update_id": update.id, "user": person(current_user), "acknowledged_at": timestamp(ack.acknowledged_at)})
