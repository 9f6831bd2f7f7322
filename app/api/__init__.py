"""The JSON API under ``/api/v1``: shared plumbing for every feature's ``api.py``.

Each feature builds its blueprint with :func:`api_blueprint`, which gives it the same
authentication (session cookie or ``Authorization: Bearer``), the same JSON errors,
and CSRF exemption. Writes must be ``application/json``: a cross-site HTML form
cannot send that without a CORS preflight, which this API never grants, so the
session cookie cannot be ridden by another site. Every POST honours an ``Idempotency-Key``
(app/api/idempotency.py), once signed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypedDict, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user
from flask_wtf import FlaskForm

from app.api import idempotency
from app.core.errors import InvalidInput, ServiceError, TransitionRefused
from app.core.forms import ReasonForm, json_to_formdata
from app.core.pagination import Page
from app.core.query import arg_number
from app.errors import json_error
from app.extensions import csrf, db

PREFIX = "/api/v1"
FormT = TypeVar("FormT", bound=FlaskForm)
T = TypeVar("T")


def api_blueprint(name: str, import_name: str) -> Blueprint:
    bp = Blueprint(f"api_{name}", import_name, url_prefix=PREFIX)
    csrf.exempt(bp)
    bp.before_request(_authenticate)
    bp.before_request(idempotency.claim)  # after the authentication: a key belongs to its user
    bp.after_request(idempotency.store)
    bp.register_error_handler(ServiceError, _service_error)
    return bp


def _authenticate() -> tuple[Response, int] | None:
    if not current_user.is_authenticated:
        return json_error(401, "unauthorized", "Sign in, or send Authorization: Bearer <token>.")
    if request.method in {"POST", "PUT", "PATCH"} and not request.is_json and not _takes_this_upload():
        return json_error(415, "unsupported_media_type", "Send the body as application/json.")
    return None


def _takes_this_upload() -> bool:
    """A multipart body sent to an operation whose OpenAPI description says it takes one (``Body(files=...)``)."""
    if request.mimetype != "multipart/form-data":
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    body = getattr(getattr(view, "openapi", None), "body", None)
    return bool(body is not None and body.files)


def _service_error(error: ServiceError) -> tuple[Response, int]:
    db.session.rollback()
    extra = {"reasons": error.reasons} if isinstance(error, TransitionRefused) else {}
    return json_error(error.status, error.code, error.message, error.fields, **extra)


# --- how values read in every response ------------------------------------------------------

def money_text(amount: Decimal | None) -> str | None:
    """Amounts as exact decimal strings with cents ("1600.00", "0.00"): never floats."""
    return None if amount is None else str(Decimal(amount).quantize(Decimal("0.01")))


def timestamp(moment: datetime | None) -> str | None:
    """Stored times are naive UTC: ISO 8601 with a "Z"."""
    return None if moment is None else moment.isoformat() + "Z"


class Versioned(TypedDict):
    """A PATCH body's part that every versioned record asks for."""

    version: int  # the version being edited: a stale one is a 409


class TransitionBody(TypedDict):
    """A step of a record's workflow, by its event name (a feature may narrow ``event`` to its own)."""

    event: str


class TransitionReason(TransitionBody, total=False):
    reason: str


class PersonRef(TypedDict):
    id: int
    name: str


class ProductRef(TypedDict):
    id: int
    name: str


class RegionRef(TypedDict):
    id: int
    code: str
    name: str


class TransitionOptionJson(TypedDict):
    """A step of a record's workflow open to the reader, and whether the rules allow it now (else why not)."""

    event: str
    label: str
    requires: list[str]
    allowed: bool
    reasons: list[str]


# A reference reads only these columns, so it asks for them rather than for the features' models:
# the API's plumbing imports no feature (the layering the README states).
class Named(Protocol):
    """A record referred to by id and name: a user, a product."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


class Coded(Named, Protocol):
    """A record referred to by id, code and name: a region."""

    @property
    def code(self) -> str: ...


def person(user: Named | None) -> PersonRef | None:
    return None if user is None else {"id": user.id, "name": user.name}


def product_ref(product: Named) -> ProductRef:
    return {"id": product.id, "name": product.name}


def region_ref(region: Coded) -> RegionRef:
    return {"id": region.id, "code": region.code, "name": region.name}


# --- lists -------------------------------------------------------------------------------------

def page_json(page: Page[T], render: Callable[[T], dict[str, Any]], **extra: Any) -> Response:
    """A page of a collection: ``{"items": [...], "next": URL or null}`` (and any ``extra`` keys
    about the whole collection), with the next page's URL in an RFC 8288 ``Link`` header too,
    for clients that follow those."""
    next_url = page.next_url(_external=True)
    response = jsonify({"items": [render(item) for item in page.items], "next": next_url, **extra})
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


# --- reading the query string of a list ------------------------------------------------------

ID_EXPECTED = "Expected a whole number (an id)."


def int_arg(name: str, errors: dict[str, list[str]], message: str = ID_EXPECTED) -> int | None:
    """An optional whole-number filter (``?region_id=3``); a bad one is noted in ``errors`` under its name.

    Read as every list's filters are (app/core/query.py), so ``?region_id=`` means the same on every list."""
    return arg_number(request.args, name, errors, message)


def date_arg(name: str, errors: dict[str, list[str]]) -> date | None:
    """An optional date filter as YYYY-MM-DD; a bad one is noted in ``errors`` under its name."""
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = ["Expected a date as YYYY-MM-DD."]
        return None


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the parser goes: still just bad input
        payload = None
    if not isinstance(payload, dict):
        raise InvalidInput("The body must be a JSON object.")
    return payload


def event_name(payload: Mapping[str, Any], hint: str) -> str:
    """The workflow step a transition body names in ``event``, or a 400 naming the field (``hint``
    says which steps there are); whether the step exists and is open is the workflow's to say."""
    event = payload.get("event")
    if not isinstance(event, str) or not event:
        raise InvalidInput("Name the event to fire.", {"event": [hint]})
    return event


def reason_text(payload: Mapping[str, Any]) -> str:
    """A body's optional ``reason`` (a step's, a re-plan's), held to the rule of every reason (``ReasonForm``)."""
    return validated(ReasonForm, {"reason": payload.get("reason")}).reason.data or ""


def validated(form_class: type[FormT], payload: Mapping[str, Any], *args: Any, **kwargs: Any) -> FormT:
    """Validate ``payload`` with the same form class the pages use; a 400 names each bad field."""
    form = form_class(*args, formdata=json_to_formdata(payload), meta={"csrf": False}, **kwargs)
    if not form.validate():
        raise InvalidInput("Some fields are invalid.", form.errors)  # type: ignore[arg-type]
    return form


def expected_version(payload: Mapping[str, Any]) -> int:
    """Edits must say which version they change, so a stale client gets a 409, not a silent overwrite."""
    version = payload.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput("Send the version you are editing.", {"version": ["Required: the record's current version."]})
    return version
