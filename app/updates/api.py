"""Product updates in the JSON API: everyone reads them; a product's managers (and admins) publish; sellers acknowledge.

Who has acknowledged an update is shown to its product's managers (and admins) only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, TypedDict

from flask import Response, jsonify
from flask_login import current_user

from app.api import PersonRef, api_blueprint, int_arg, json_body, page_json, person, timestamp, validated
from app.api.openapi import NEW_ID, Body, follow, operation
from app.api.schemas import IdArg, OneOf, Timestamp
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.extensions import db
from app.updates import services
from app.updates.forms import UpdateForm
from app.updates.models import KINDS, ProductUpdate

bp = api_blueprint("updates", __name__)


class UpdateJson(TypedDict):
    id: int
    product_id: int
    product: str
    kind: Annotated[str, OneOf(KINDS)]
    kind_label: str
    title: str
    body: str
    region_id: int | None
    region: str | None
    audience_region_id: int | None  # who it is for: a region's sellers (with audience_team_id: the team's region)
    audience_team_id: int | None  # a team's sellers; both null: every seller
    audience: str
    requires_ack: bool
    published_by: PersonRef | None
    published_at: Timestamp
    awaiting_my_ack: bool
    acknowledged_at: Timestamp | None


class AcknowledgedJson(PersonRef):
    acknowledged_at: Timestamp


class AckStatusJson(TypedDict):
    audience: int
    percent: float | None
    acknowledged: list[AcknowledgedJson]
    pending: list[PersonRef]


class UpdateDetailJson(UpdateJson):
    acknowledgements: AckStatusJson | None  # only for the product's managers (and admins)


class AcknowledgementJson(TypedDict):
    update_id: int
    user: PersonRef | None
    acknowledged_at: Timestamp


class ProductFilter(TypedDict, total=False):
    product_id: IdArg


def update_json(update: ProductUpdate, awaiting: set[int], acknowledged: Mapping[int, datetime]) -> UpdateJson:
    """``awaiting`` and ``acknowledged``: the reader's, read once for a whole list (services.awaiting, acknowledged_at)."""
    return {
        "id": update.id,
        "product_id": update.product_id,
        "product": update.product.name,
        "kind": update.kind,
        "kind_label": update.kind_label,
        "title": update.title,
        "body": update.body,
        "region_id": update.region_id,
        "region": update.region.name if update.region else None,
        "audience_region_id": update.audience_region_id,
        "audience_team_id": update.audience_team_id,
        "audience": update.audience_label,
        "requires_ack": update.requires_ack,
        "published_by": person(update.published_by),
        "published_at": timestamp(update.published_at),
        "awaiting_my_ack": update.id in awaiting,
        "acknowledged_at": timestamp(acknowledged.get(update.id)),
    }


def update_detail_json(update: ProductUpdate, awaiting: set[int], acknowledged: Mapping[int, datetime]) -> UpdateDetailJson:
    """An update with who has acknowledged it, for those who may see that."""
    return {**update_json(update, awaiting, acknowledged),
            "acknowledgements": status_json(update) if services.can_see_status(current_user, update) else None}


def status_json(update: ProductUpdate) -> AckStatusJson:
    status = services.ack_status(update)
    return {
        "audience": status.audience,
        "percent": None if status.percent is None else round(status.percent, 1),
        "acknowledged": [{"id": user.id, "name": user.name, "acknowledged_at": timestamp(at)}
                         for user, at in status.acknowledged],
        "pending": [{"id": user.id, "name": user.name} for user in status.pending],
    }


@bp.get("/product-updates")
@operation(UpdateJson, paged=True, query=ProductFilter)
def list_updates() -> Response:
    """Product updates, newest first, with whether each waits for your acknowledgement.

    ``?product_id=`` (optional) narrows to one product.
    """
    errors: dict[str, list[str]] = {}
    product_id = int_arg("product_id", errors)
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    page = services.updates(product_id, page_request())
    shown = [u.id for u in page.items]
    awaiting, acknowledged = services.awaiting(current_user, shown), services.acknowledged_at(current_user, shown)
    return page_json(page, lambda u: update_json(u, awaiting, acknowledged))


@bp.post("/product-updates")
@operation(UpdateDetailJson, status=201, body=UpdateForm, errors=(403, 409),
           links=follow("api_updates.get_update", "api_updates.acknowledge", update_id=NEW_ID))
def publish_update() -> tuple[Response, int]:
    """Publish an update about a product you manage to every seller, a region's (``audience_region_id``) or a team's (``audience_team_id``)."""
    form = validated(UpdateForm, json_body(), current_user)
    update = services.publish_update(current_user, form.to_input())
    commit("update")
    return jsonify(update_detail_json(update, set(), {})), 201


@bp.get("/product-updates/<int:update_id>")
@operation(UpdateDetailJson)
def get_update(update_id: int) -> Response:
    """One update; for its product's managers, who has acknowledged it and who has not yet."""
    update = db.get_or_404(ProductUpdate, update_id)
    return jsonify(update_detail_json(update, services.awaiting(current_user, [update.id]),
                                      services.acknowledged_at(current_user, [update.id])))


@bp.post("/product-updates/<int:update_id>/acknowledge")
@operation(AcknowledgementJson, body=Body(), errors=(403, 409))
def acknowledge(update_id: int) -> Response:
    """Say you read an update.

    Idempotent: acknowledging again answers with the first acknowledgement's time.
    """
    update = db.get_or_404(ProductUpdate, update_id)
    ack = services.acknowledge(current_user, update)
    commit("acknowledgement")
    body: AcknowledgementJson = {"update_id": update.id, "user": person(current_user),
                                 "acknowledged_at": timestamp(ack.acknowledged_at)}
    return jsonify(body)
