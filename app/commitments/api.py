"""Commitments in the JSON API: recording promises, editing their terms, and the countersignature."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypedDict

from flask import Response, jsonify, request
from flask_login import current_user

from app.api import (
    PersonRef,
    RegionRef,
    TransitionBody,
    TransitionOptionJson,
    Versioned,
    api_blueprint,
    event_name,
    expected_version,
    json_body,
    money_text,
    page_json,
    person,
    region_ref,
    timestamp,
    validated,
)
from app.api.openapi import NEW_ID, Body, follow, operation
from app.api.schemas import FlagArg, IdArg, IsoDate, Money, OneOf, Timestamp, Uuid
from app.catalog.models import PRODUCT_STATUSES
from app.commitments import access, across, services
from app.commitments import filters as list_filters
from app.commitments.forms import CommitmentForm, DecisionForm
from app.commitments.models import Commitment
from app.core import clock, values
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.customers import services as customers
from app.customers.models import CRM_SOURCES
from app.extensions import db
from app.projects.access import get_project_or_404, visible_projects
from app.projects.models import Project
from workflows.commitment import STATES
from workflows.feasibility import BLOCKER, WARNING, Finding
from workflows.milestone import STATES as MILESTONE_STATES

bp = api_blueprint("commitments", __name__)


class CommitmentFilterArgs(TypedDict, total=False):
    """The filters of ``GET /commitments``, as the page at ``/commitments`` reads them (app/commitments/filters.py)."""

    state: Annotated[str, OneOf(STATES)]
    at_risk: FlagArg  # only those at risk
    product_id: IdArg
    region_id: IdArg
    customer: IdArg  # the customer's id
    customer_name: str  # or its name (case, punctuation and legal form aside), when no id is given
    seller_id: IdArg  # who recorded it
    promised_from: IsoDate
    promised_to: IsoDate
    sort: Annotated[str, OneOf(list_filters.SORTS)]  # default: promised (soonest first)
    mine: Annotated[str, OneOf((list_filters.MINE_PRODUCTS,))]  # only those on the products you keep


class CommitmentFields(TypedDict):
    """The editable terms, named as the form names them."""

    customer: str  # the customer's name
    customer_id: int
    product_id: int
    region_id: int
    promise: str
    promised_date: IsoDate
    band_id: int | None
    unit_price: Money | None
    discount_percent: Money | None
    quantity: int
    milestone_id: int | None


class CommitmentProductJson(TypedDict):
    id: int
    name: str
    status: Annotated[str, OneOf(PRODUCT_STATUSES)]


class CommitmentBandJson(TypedDict):
    id: int
    tier: str
    list_price: Money
    minimum_price: Money
    unit: str


class CommitmentMilestoneJson(TypedDict):
    id: int
    title: str
    due_date: IsoDate
    state: Annotated[str, OneOf(MILESTONE_STATES)]


class CommitmentJson(CommitmentFields):
    id: int
    uuid: Uuid
    crm_source: Annotated[str, OneOf(CRM_SOURCES)] | None  # the CRM whose deal it is (PUT …/external/…)
    crm_deal_id: str | None
    project_id: int
    project_title: str
    title: str
    state: Annotated[str, OneOf(STATES)]
    state_label: str
    version: int
    product: CommitmentProductJson
    region: RegionRef
    band: CommitmentBandJson | None
    milestone: CommitmentMilestoneJson | None
    currency: str
    effective_price: Money | None
    created_by: PersonRef | None
    created_at: Timestamp
    submitted_by: PersonRef | None
    submitted_at: Timestamp | None
    decided_by: PersonRef | None
    decided_at: Timestamp | None
    decision_note: str
    override_justification: str


class FindingJson(TypedDict):
    code: str
    severity: Annotated[str, OneOf((BLOCKER, WARNING))]
    message: str


class CommitmentDetailJson(CommitmentJson):
    findings: list[FindingJson]
    options: list[TransitionOptionJson]


class QueuedCommitmentJson(CommitmentJson):
    age_hours: float | None  # how long it has waited since it was submitted


def commitment_fields(commitment: Commitment) -> CommitmentFields:
    """The editable terms, named as the form names them (a PATCH sends any subset)."""
    return {
        "customer": commitment.customer.name,
        "customer_id": commitment.customer_id,
        "product_id": commitment.product_id,
        "region_id": commitment.region_id,
        "promise": commitment.promise,
        "promised_date": commitment.promised_date.isoformat(),
        "band_id": commitment.band_id,
        "unit_price": money_text(commitment.unit_price),
        "discount_percent": money_text(commitment.discount_percent),
        "quantity": commitment.quantity,
        "milestone_id": commitment.milestone_id,
    }


def commitment_json(commitment: Commitment) -> CommitmentJson:
    product, band, milestone = commitment.product, commitment.band, commitment.milestone
    return {
        "id": commitment.id,
        "uuid": str(commitment.uuid),
        "crm_source": commitment.crm_source,
        "crm_deal_id": commitment.crm_deal_id,
        "project_id": commitment.project_id,
        "project_title": commitment.project.title,
        "title": commitment.title,
        "state": commitment.state,
        "state_label": commitment.state_label,
        "version": commitment.version,
        **commitment_fields(commitment),
        "product": {"id": product.id, "name": product.name, "status": product.status},
        "region": region_ref(commitment.region),
        "band": None if band is None else {
            "id": band.id, "tier": band.tier, "list_price": money_text(band.list_price),
            "minimum_price": money_text(band.minimum_price), "unit": band.unit,
        },
        "milestone": None if milestone is None else {
            "id": milestone.id, "title": milestone.title, "due_date": milestone.due_date.isoformat(),
            "state": milestone.state,
        },
        "currency": product.currency,
        "effective_price": money_text(commitment.effective_price),
        "created_by": person(commitment.created_by),
        "created_at": timestamp(commitment.created_at),
        "submitted_by": person(commitment.submitted_by),
        "submitted_at": timestamp(commitment.submitted_at),
        "decided_by": person(commitment.decided_by),
        "decided_at": timestamp(commitment.decided_at),
        "decision_note": commitment.decision_note,
        "override_justification": commitment.override_justification,
    }


#: The steps that may go over blockers only with a written ``justification`` (the workflow's guards say so).
OVER_BLOCKERS = frozenset({"submit", "approve"})


def commitment_detail_json(commitment: Commitment, findings: Sequence[Finding] | None = None) -> CommitmentDetailJson:
    """A commitment with its feasibility findings and the sign-off steps open to the reader.

    ``findings`` are the commitment's when the request checked them already (a step it just took).
    """
    findings = services.findings(commitment) if findings is None else findings
    has_blockers = any(f.is_blocker for f in findings)
    return {
        **commitment_json(commitment),
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message} for f in findings],
        "options": [
            {
                "event": t.event,
                "label": t.label,
                # Submitting or countersigning over blockers needs a written justification as well.
                "requires": [*t.requires,
                             *(["justification"] if t.event in OVER_BLOCKERS and has_blockers else [])],
                "allowed": d.allowed,
                "reasons": list(d.reasons),
            }
            # A closed campaign's commitments can no longer move: offer nothing rather than steps that 409.
            for t, d in (services.options(current_user, commitment, findings) if commitment.project.is_open else [])
        ],
    }


@bp.get("/projects/<int:project_id>/commitments")
@operation(CommitmentJson, paged=True)
def list_commitments(project_id: int) -> Response:
    """A campaign's commitments."""
    project = get_project_or_404(current_user, project_id)
    return page_json(services.project_commitments(project, page_request()), commitment_json)


@bp.post("/projects/<int:project_id>/commitments")
@operation(CommitmentDetailJson, status=201, body=Body(CommitmentForm, exclude=frozenset({"version", "reason"})),
           errors=(403, 409),
           links=follow("api_commitments.get_commitment", "api_commitments.update_commitment",
                        "api_commitments.fire_transition", commitment_id=NEW_ID))
def create_commitment(project_id: int) -> tuple[Response, int]:
    """Record a commitment made to a customer, as a draft."""
    project = get_project_or_404(current_user, project_id)
    form = validated(CommitmentForm, json_body(), project)
    commitment = services.create_commitment(current_user, project, form.to_input())
    commit()
    return jsonify(commitment_detail_json(commitment)), 201


class DealBody(TypedDict, total=False):
    """What a CRM deal's upsert sends beside the commitment's terms."""

    project_id: int  # the campaign the deal is recorded on (required; a deal stays on it)
    customer_external_id: str  # the customer by its id in the same CRM, instead of customer or customer_id


@bp.put(f"/commitments/external/<any({','.join(CRM_SOURCES)}):source>/<deal_id>")
@operation(CommitmentDetailJson, body=Body(CommitmentForm, extra=DealBody, exclude=frozenset({"version", "reason"})),
           errors=(403, 409), links=follow("api_commitments.get_commitment", commitment_id=NEW_ID), created=True)
def upsert_deal(source: str, deal_id: str) -> tuple[Response, int]:
    """Create or update the draft commitment a CRM knows as deal ``deal_id`` (201 created; 200 updated or unchanged).

    The body is a commitment's (as ``POST /projects/{id}/commitments``) with its campaign's ``project_id``; the
    customer by ``customer_id``, by name (``customer``) or by its id in the same CRM (``customer_external_id``).
    Idempotent. An existing deal is updated only while it is a draft or sent back for changes; once submitted
    or countersigned, a 409 names its state (change it in Countersign, where the countersignature is asked).
    """
    payload = json_body()
    source, deal_id = customers.clean_external(source, deal_id)
    project_id = payload.get("project_id")
    # An id no database key can hold (PostgreSQL refuses it rather than finding nothing) names no campaign.
    project = db.session.scalar(visible_projects(current_user).where(Project.id == project_id)) \
        if isinstance(project_id, int) and not isinstance(project_id, bool) and 0 < project_id <= values.MAX_ID \
        else None
    if project is None:
        raise InvalidInput("Name the deal's campaign.", {"project_id": ["The id of a campaign you are on."]})
    fields = {k: v for k, v in payload.items() if k not in {"project_id", "customer_external_id"}}
    if "customer_external_id" in payload:
        external = payload["customer_external_id"]
        customer = customers.find_external(source, external) if isinstance(external, str) else None
        if customer is None:
            raise InvalidInput("No customer has this CRM id.", {"customer_external_id": [
                f"Upsert the customer first: PUT /api/v1/customers/external/{source}/<its id>."]})
        fields["customer_id"] = customer.id
    existing = services.find_deal(source, deal_id)
    current: dict[str, object] = dict(commitment_fields(existing)) if existing is not None else {}
    if "customer" in fields and "customer_id" not in fields:
        current.pop("customer_id", None)  # a customer named anew is found (or recorded) by that name
    form = validated(CommitmentForm, {**current, **fields}, project, commitment=existing)
    commitment, created, _changed = services.upsert_deal(current_user, project, source, deal_id, form.to_input())
    commit("commitment")
    return jsonify(commitment_detail_json(commitment)), 201 if created else 200


@bp.get("/commitments")
@operation(CommitmentJson, paged=True, query=CommitmentFilterArgs)
def list_all_commitments() -> Response:
    """Every commitment you may see, across campaigns (yours, and those on the products you keep), filtered.

    Sorted by ``promised`` date (soonest first, the default), ``customer``, ``state`` or ``changed``
    (the last change, newest first). A bad filter is a 400 naming it.
    """
    filters = list_filters.parse_filters(request.args)
    return page_json(across.list_across(current_user, filters, page_request()), commitment_json)


@bp.get("/commitments/<int:commitment_id>")
@operation(CommitmentDetailJson)
def get_commitment(commitment_id: int) -> Response:
    """A commitment with its feasibility ``findings``, the decision, and the steps open to you."""
    return jsonify(commitment_detail_json(access.get_commitment_or_404(current_user, commitment_id)))


@bp.patch("/commitments/<int:commitment_id>")
@operation(CommitmentDetailJson, body=Body(CommitmentForm, extra=Versioned, partial=True), errors=(403, 409))
def update_commitment(commitment_id: int) -> Response:
    """Change the terms (with ``version``); countersigned terms also need a ``reason`` and go back for countersignature."""
    commitment = access.get_commitment_or_404(current_user, commitment_id)
    payload = json_body()
    version = expected_version(payload)
    current = dict(commitment_fields(commitment))
    if "customer" in payload and "customer_id" not in payload:
        del current["customer_id"]  # a customer named anew is found (or recorded) by that name
    form = validated(CommitmentForm, {**current, **payload}, commitment.project, commitment=commitment)
    services.update_commitment(current_user, commitment, form.to_input(), version, reason=form.reason.data or "")
    commit("commitment")
    return jsonify(commitment_detail_json(commitment))


@bp.post("/commitments/<int:commitment_id>/transitions")
@operation(CommitmentDetailJson, body=Body(DecisionForm, extra=TransitionBody), errors=(403, 409))
def fire_transition(commitment_id: int) -> Response:
    """Take a sign-off step: ``submit`` or ``approve`` (each with ``justification`` over blockers), ``reject``…"""
    commitment = access.get_commitment_or_404(current_user, commitment_id)
    payload = json_body()
    event = event_name(payload, "Required, e.g. \"submit\" or \"approve\".")
    form = validated(DecisionForm, payload)
    findings = services.fire(current_user, commitment, event, form.reason.data or "", form.justification.data or "")
    commit("commitment")
    return jsonify(commitment_detail_json(commitment, findings))


@bp.get("/signoff-queue")
@operation(QueuedCommitmentJson, paged=True)
def signoff_queue() -> Response:
    """What waits for your countersignature, oldest first."""
    now = clock.now()

    def queued(c: Commitment) -> QueuedCommitmentJson:
        return {**commitment_json(c),
                "age_hours": round((now - c.submitted_at).total_seconds() / 3600, 1) if c.submitted_at else None}

    return page_json(services.signoff_queue(current_user, page_request()), queued)
