"""Briefings in the JSON API: everyone signed in reads them; product managers and admins log them.

Decks are uploaded through the briefing's page (a multipart form); here each one is listed with
the URL it downloads from.
"""

from __future__ import annotations

from typing import TypedDict

from flask import Response, jsonify, url_for
from flask_login import current_user

from app.api import (
    PersonRef,
    ProductRef,
    Versioned,
    api_blueprint,
    date_arg,
    expected_version,
    int_arg,
    json_body,
    page_json,
    person,
    product_ref,
    timestamp,
    validated,
)
from app.api.openapi import NEW_ID, Body, follow, operation
from app.api.schemas import IdArg, IsoDate, Timestamp
from app.briefings import services
from app.briefings.forms import BriefingForm
from app.briefings.models import Briefing, BriefingMaterial
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.extensions import db

bp = api_blueprint("briefings", __name__)


class BriefingFields(TypedDict):
    """The editable fields, named as the form names them."""

    title: str
    region_id: int
    sales_team: str  # the team as written; with team_id, that team's name
    team_id: int | None  # the team on record, if it is one
    held_on: IsoDate
    duration_minutes: int
    presenter_id: int
    product_ids: list[int]
    attendee_ids: list[int]
    guest_names: str
    key_points: str
    notes: str
    material_url: str


class MaterialJson(TypedDict):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: PersonRef | None
    uploaded_at: Timestamp
    download_url: str


class BriefingJson(BriefingFields):
    id: int
    version: int
    region: str
    presenter: PersonRef | None
    products: list[ProductRef]
    attendees: list[PersonRef]
    guests: list[str]
    attendee_count: int
    key_point_lines: list[str]
    materials: list[MaterialJson]
    created_by: PersonRef | None
    created_at: Timestamp
    updated_at: Timestamp
    can_edit: bool


class BriefingFilters(TypedDict, total=False):
    region_id: IdArg
    product_id: IdArg
    date_from: IsoDate
    date_to: IsoDate


def briefing_fields(briefing: Briefing) -> BriefingFields:
    """The editable fields, named as the form names them (a PATCH sends any subset)."""
    return {
        "title": briefing.title,
        "region_id": briefing.region_id,
        "sales_team": briefing.sales_team,
        "team_id": briefing.team_id,
        "held_on": briefing.held_on.isoformat(),
        "duration_minutes": briefing.duration_minutes,
        "presenter_id": briefing.presenter_id,
        "product_ids": [p.id for p in briefing.products],
        "attendee_ids": [u.id for u in briefing.attendees],
        "guest_names": briefing.guest_names,
        "key_points": briefing.key_points,
        "notes": briefing.notes,
        "material_url": briefing.material_url,
    }


def material_json(material: BriefingMaterial) -> MaterialJson:
    return {
        "id": material.id,
        "filename": material.filename,
        "content_type": material.content_type,
        "size_bytes": material.size_bytes,
        "sha256": material.sha256,
        "uploaded_by": person(material.uploaded_by),
        "uploaded_at": timestamp(material.uploaded_at),
        "download_url": url_for("briefings.download", briefing_id=material.briefing_id, material_id=material.id),
    }


def briefing_json(briefing: Briefing) -> BriefingJson:
    return {
        "id": briefing.id,
        "version": briefing.version,
        **briefing_fields(briefing),
        "region": briefing.region.name,
        "presenter": person(briefing.presenter),
        "products": [product_ref(p) for p in briefing.products],
        "attendees": [{"id": u.id, "name": u.name} for u in briefing.attendees],
        "guests": briefing.guests,
        "attendee_count": briefing.attendee_count,
        "key_point_lines": briefing.key_point_lines,
        "materials": [material_json(m) for m in briefing.materials],
        "created_by": person(briefing.created_by),
        "created_at": timestamp(briefing.created_at),
        "updated_at": timestamp(briefing.updated_at),
        "can_edit": services.can_edit(current_user, briefing),
    }


@bp.get("/briefings")
@operation(BriefingJson, paged=True, query=BriefingFilters)
def list_briefings() -> Response:
    """Briefings, newest first, with their decks' ``download_url``.

    ``?region_id=&product_id=&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD``, each optional.
    """
    errors: dict[str, list[str]] = {}
    region_id, product_id = int_arg("region_id", errors), int_arg("product_id", errors)
    date_from, date_to = date_arg("date_from", errors), date_arg("date_to", errors)
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = ["The end of the range is before its start."]
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    filters = services.BriefingFilters(region_id, product_id, date_from, date_to)
    return page_json(services.briefings(filters, page_request()), briefing_json)


@bp.post("/briefings")
@operation(BriefingJson, status=201, errors=(403, 409), body=Body(
    BriefingForm, optional=frozenset({"presenter_id"}), exclude=frozenset({"version"})),
           links=follow("api_briefings.get_briefing", "api_briefings.update_briefing",
                        "api_briefings.delete_briefing", briefing_id=NEW_ID))
def create_briefing() -> tuple[Response, int]:
    """Log a briefing given to a sales team (the presenter defaults to you); decks are uploaded on its page."""
    payload = json_body()
    form = validated(BriefingForm, {"presenter_id": current_user.id, **payload})
    briefing = services.log_briefing(current_user, form.to_input())
    commit("briefing")
    return jsonify(briefing_json(briefing)), 201


@bp.get("/briefings/<int:briefing_id>")
@operation(BriefingJson)
def get_briefing(briefing_id: int) -> Response:
    """One briefing."""
    return jsonify(briefing_json(db.get_or_404(Briefing, briefing_id)))


@bp.patch("/briefings/<int:briefing_id>")
@operation(BriefingJson, body=Body(BriefingForm, extra=Versioned, partial=True), errors=(403, 409))
def update_briefing(briefing_id: int) -> Response:
    """Edit a briefing: any subset of its fields, with the ``version`` you are editing."""
    briefing = db.get_or_404(Briefing, briefing_id)
    services.require_editor(current_user, briefing)  # everyone reads it: a 403 before the body is read
    payload = json_body()
    version = expected_version(payload)
    form = validated(BriefingForm, {**briefing_fields(briefing), **payload}, briefing=briefing)
    services.update_briefing(current_user, briefing, form.to_input(), version)
    commit("briefing")
    return jsonify(briefing_json(briefing))


@bp.delete("/briefings/<int:briefing_id>")
@operation(status=204, errors=(403, 409))
def delete_briefing(briefing_id: int) -> tuple[str, int]:
    """Delete a briefing and its decks."""
    services.delete_briefing(current_user, db.get_or_404(Briefing, briefing_id))
    commit("briefing")
    return "", 204

