"""Feedback in the JSON API: filing it, finding it, triaging it, and the product manager's queue."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Annotated, Any, TypedDict

from flask import Response, jsonify, request
from flask_login import current_user

from app.api import (
    PersonRef,
    ProductRef,
    RegionRef,
    api_blueprint,
    int_arg,
    json_body,
    money_text,
    page_json,
    person,
    product_ref,
    region_ref,
    timestamp,
    validated,
)
from app.api.openapi import NEW_ID, Body, follow, operation
from app.api.schemas import FlagArg, IdArg, IsoDate, Money, OneOf, Timestamp
from app.core.errors import InvalidInput
from app.core.pagination import Page, page_request
from app.core.views import commit
from app.feedback import access, decisions, services
from app.feedback.forms import FeedbackForm, TriageForm
from app.feedback.models import Feedback, FeedbackDecision
from app.projects.access import visible_project_ids
from workflows.feedback import CHANNELS, KINDS, STATES

bp = api_blueprint("feedback", __name__)


class FeedbackMilestoneJson(TypedDict):
    id: int
    title: str
    due_date: IsoDate
    project_id: int


class PlannedProjectJson(TypedDict):
    id: int
    title: str


class FeedbackJson(TypedDict):
    id: int
    kind: Annotated[str, OneOf(KINDS)]
    kind_label: str
    title: str
    details: str
    products: list[ProductRef]
    product_ids: list[int]
    region: RegionRef
    region_id: int
    customer: str  # the customer's name, "" when the market said it
    customer_id: int | None
    source_name: str
    channel: Annotated[str, OneOf(CHANNELS)]
    channel_label: str
    project_id: int | None
    commitment_id: int | None
    revenue_at_stake: Money | None
    currency: str
    weight: Money
    state: Annotated[str, OneOf(STATES)]
    state_label: str
    version: int
    submitted_by: PersonRef | None
    created_at: Timestamp
    answer: str
    decided_by: PersonRef | None
    decided_at: Timestamp | None
    first_decided_at: Timestamp | None
    milestone: FeedbackMilestoneJson | None
    planned_project: PlannedProjectJson | None
    revisit_on: IsoDate | None
    decline_reason: str
    duplicate_of_id: int | None
    url: str


class DecisionJson(TypedDict):
    id: int
    from_state: Annotated[str, OneOf(STATES)]
    to_state: Annotated[str, OneOf(STATES)]
    state_label: str
    answer: str
    decided_by: PersonRef | None
    decided_at: Timestamp
    milestone_id: int | None
    project_id: int | None
    revisit_on: IsoDate | None
    reason: str
    duplicate_of_id: int | None


class FeedbackOptionJson(TypedDict):
    event: str
    label: str


class FeedbackDetailJson(FeedbackJson):
    decisions: list[DecisionJson]
    options: list[FeedbackOptionJson]


class QueuedFeedbackJson(FeedbackJson):
    age_days: int


class FeedbackFilters(TypedDict, total=False):
    product_id: IdArg
    region_id: IdArg
    kind: Annotated[str, OneOf(KINDS)]
    state: Annotated[str, OneOf(STATES)]
    q: str
    mine: FlagArg  # only what you filed (the other filters do not apply then)


class TriageVersion(TypedDict, total=False):
    version: int | None  # the item's version: a stale one is a 409


def feedback_json(feedback: Feedback, projects: Collection[int], commitments: Collection[int] = (),
                  original_visible: bool = True) -> FeedbackJson:
    """One item. A related record is embedded only if the reader could open it on its own: campaigns,
    milestones (by their campaign) and commitments not in ``projects``/``commitments`` are left out
    (null), and so is a duplicate's original the reader may not see (``original_visible``)."""
    milestone = feedback.milestone if feedback.milestone is not None and feedback.milestone.project_id in projects \
        else None
    planned = feedback.planned_project if feedback.planned_project_id in projects else None
    return {
        "id": feedback.id,
        "kind": feedback.kind,
        "kind_label": feedback.kind_label,
        "title": feedback.title,
        "details": feedback.details,
        "products": [product_ref(p) for p in feedback.products],
        "product_ids": [p.id for p in feedback.products],
        "region": region_ref(feedback.region),
        "region_id": feedback.region_id,
        "customer": feedback.customer.name if feedback.customer else "",
        "customer_id": feedback.customer_id,
        "source_name": feedback.source_name,
        "channel": feedback.channel,
        "channel_label": feedback.channel_label,
        "project_id": feedback.project_id if feedback.project_id in projects else None,
        "commitment_id": feedback.commitment_id if feedback.commitment_id in commitments else None,
        "revenue_at_stake": money_text(feedback.revenue_at_stake),
        "currency": feedback.currency,
        "weight": money_text(feedback.weight),
        "state": feedback.state,
        "state_label": feedback.state_label,
        "version": feedback.version,
        "submitted_by": person(feedback.submitted_by),
        "created_at": timestamp(feedback.created_at),
        "answer": feedback.answer,
        "decided_by": person(feedback.decided_by),
        "decided_at": timestamp(feedback.decided_at),
        "first_decided_at": timestamp(feedback.first_decided_at),
        # What the latest decision named, as the submitter is told it (if the reader may open it).
        "milestone": None if milestone is None else {
            "id": milestone.id, "title": milestone.title, "due_date": milestone.due_date.isoformat(),
            "project_id": milestone.project_id,
        },
        "planned_project": None if planned is None else {"id": planned.id, "title": planned.title},
        "revisit_on": feedback.revisit_on.isoformat() if feedback.revisit_on else None,
        "decline_reason": feedback.decline_reason,
        "duplicate_of_id": feedback.duplicate_of_id if original_visible else None,
        "url": feedback.path,
    }


def decision_json(decision: FeedbackDecision, projects: Collection[int], original_visible: bool) -> DecisionJson:
    """One decision; what it named is left out where the reader may not open it (as in :func:`feedback_json`)."""
    named = decision.project_id in projects and (
        decision.milestone is None or decision.milestone.project_id in projects)
    return {
        "id": decision.id,
        "from_state": decision.from_state,
        "to_state": decision.to_state,
        "state_label": decision.state_label,
        "answer": decision.answer,
        "decided_by": person(decision.decided_by),
        "decided_at": timestamp(decision.decided_at),
        "milestone_id": decision.milestone_id if named else None,
        "project_id": decision.project_id if named else None,
        "revisit_on": decision.revisit_on.isoformat() if decision.revisit_on else None,
        "reason": decision.reason,
        "duplicate_of_id": decision.duplicate_of_id if original_visible else None,
    }


def _many(items: Sequence[Feedback], **extra: dict[int, Any]) -> list[dict[str, Any]]:
    linked = [i for f in items for i in (f.project_id, f.planned_project_id,
                                         f.milestone.project_id if f.milestone is not None else None)]
    projects = visible_project_ids(current_user, linked)
    return [{**feedback_json(f, projects, original_visible=access.sees_original(current_user, f)),
             **{k: v[f.id] for k, v in extra.items()}} for f in items]


def _page(page: Page[Feedback], **extra: dict[int, Any]) -> Response:
    """A page of feedback, each item read as :func:`_many` reads a list (its campaigns in one query)."""
    rendered = dict(zip((f.id for f in page.items), _many(page.items, **extra), strict=True))
    return page_json(page, lambda f: rendered[f.id])


def _one(feedback: Feedback) -> FeedbackDetailJson:
    """One item with its history and the decisions open to the reader."""
    projects = visible_project_ids(current_user, access.linked_project_ids(feedback))
    commitments = access.visible_commitment_ids(current_user, [feedback.commitment_id])
    original_visible = access.sees_original(current_user, feedback)
    return {
        **feedback_json(feedback, projects, commitments, original_visible),
        "decisions": [decision_json(d, projects, original_visible) for d in feedback.history],
        "options": [{"event": t.event, "label": t.label} for t in decisions.options(current_user, feedback)],
    }


def _choice_arg(name: str, allowed: dict[str, str], errors: dict[str, list[str]]) -> str:
    value = request.args.get(name, "")
    if value and value not in allowed:
        errors[name] = [f"Choose one of: {', '.join(allowed)}."]
        return ""
    return value


@bp.get("/feedback")
@operation(FeedbackJson, paged=True, query=FeedbackFilters)
def list_feedback() -> Response:
    """Feedback you may see, newest first."""
    if request.args.get("mine", "") in {"1", "true", "yes"}:
        return _page(services.my_feedback(current_user, page_request()))
    errors: dict[str, list[str]] = {}
    filters = {
        "product_id": int_arg("product_id", errors, "Expected a whole number."),
        "region_id": int_arg("region_id", errors, "Expected a whole number."),
        "kind": _choice_arg("kind", KINDS, errors), "state": _choice_arg("state", STATES, errors),
    }
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    return _page(services.search(current_user, **filters, text=request.args.get("q", ""), asked=page_request()))


@bp.post("/feedback")
@operation(FeedbackDetailJson, status=201, body=FeedbackForm, errors=(403, 409),
           links=follow("api_feedback.get_feedback", "api_feedback.triage", feedback_id=NEW_ID))
def file_feedback() -> tuple[Response, int]:
    """File what a customer or the market said, for the products' managers to triage."""
    form = validated(FeedbackForm, json_body(), current_user)
    feedback = services.file_feedback(current_user, form.to_input())
    commit("feedback item")
    return jsonify(_one(feedback)), 201


@bp.get("/feedback/<int:feedback_id>")
@operation(FeedbackDetailJson)
def get_feedback(feedback_id: int) -> Response:
    """One item with its ``decisions`` (the history) and the ``options`` open to you."""
    return jsonify(_one(access.feedback_or_404(current_user, feedback_id)))


@bp.post("/feedback/<int:feedback_id>/triage")
@operation(FeedbackDetailJson, body=Body(TriageForm, extra=TriageVersion), errors=(403, 409))
def triage(feedback_id: int) -> Response:
    """Decide: ``now`` (a milestone or campaign), ``later`` (a date), ``decline`` (a reason), ``duplicate`` or ``done``."""
    feedback = access.feedback_or_404(current_user, feedback_id)
    access.require_triager(current_user, feedback)  # a 403 before any field is read
    payload = json_body()
    version = payload.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise InvalidInput("Some fields are invalid.", {"version": ["The item's current version, a whole number."]})
    form = validated(TriageForm, payload, current_user, feedback)
    decisions.triage(
        current_user, feedback, form.event.data or "", form.answer.data or "", milestone_id=form.milestone_id.data,
        project_id=form.project_id.data, revisit_on=form.revisit_on.data, reason=form.reason.data or "",
        duplicate_of_id=form.duplicate_of_id.data, expected_version=version,
    )
    commit("feedback item")
    return jsonify(_one(feedback))


@bp.get("/feedback/triage-queue")
@operation(QueuedFeedbackJson, paged=True)
def triage_queue() -> Response:
    """Open feedback on the products you manage: new first, then by weight, with ``age_days``."""
    page = decisions.triage_queue(current_user, page_request())
    return _page(page, age_days={f.id: services.age_days(f) for f in page.items})
