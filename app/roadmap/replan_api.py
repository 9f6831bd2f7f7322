"""The roadmap in the JSON API, its re-plans: the change log, and moving several milestones under
one reason (or previewing what that would put at risk).

Its routes join the roadmap's blueprint in :mod:`app.roadmap.api`, with the baselines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, TypedDict

from flask import Response, jsonify, request
from flask_login import current_user

from app.api import PersonRef, json_body, page_json, person, timestamp, validated
from app.api.openapi import Body, operation
from app.api.schemas import Describe, IsoDate, OneOf, Timestamp, Uuid
from app.commitments.models import Commitment
from app.core import values
from app.core.errors import InvalidInput
from app.core.forms import ReasonForm
from app.core.pagination import page_request
from app.core.views import saving
from app.extensions import db
from app.milestones.models import Milestone
from app.milestones.services import differences
from app.projects.access import get_project_or_404, require_editor
from app.projects.models import Project
from app.roadmap import services
from app.roadmap.models import Replan, RoadmapChange
from workflows import roadmap
from workflows.commitment import STATES as COMMITMENT_STATES
from workflows.milestone import STATES as MILESTONE_STATES

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- what the API writes -----------------------------------------------------------------------

class ChangeJson(TypedDict):
    id: int | None  # null in a re-plan's preview: nothing is recorded yet
    milestone_id: int | None
    milestone_uuid: Uuid
    milestone_title: str
    kind: str
    old_value: str
    new_value: str
    slip_days: int | None


class ReplanJson(TypedDict):
    id: int
    at: Timestamp
    author: PersonRef | None
    reason: str
    changes: list[ChangeJson]


class PromiseMilestoneJson(TypedDict):
    id: int
    uuid: Uuid
    title: str
    state: Annotated[str, OneOf(MILESTONE_STATES)]
    due_date: IsoDate  # after the re-plan


class PromiseJson(TypedDict):
    """A commitment a re-plan puts at risk (or clears)."""

    id: int
    title: str
    customer: str  # the customer's name
    customer_id: int
    state: Annotated[str, OneOf(COMMITMENT_STATES)]
    promised_date: IsoDate
    sales_owner: PersonRef | None
    milestone: PromiseMilestoneJson | None


class ReplanResultJson(TypedDict):
    saved: bool
    replan_id: int | None
    reason: str
    changes: list[ChangeJson]
    at_risk: list[PromiseJson]
    cleared: list[PromiseJson]


# --- what the API reads --------------------------------------------------------------------------

class ReplanMilestoneKeys(TypedDict):
    id: int
    version: int


class ReplanMilestone(ReplanMilestoneKeys, total=False):
    due_date: IsoDate
    target_value: float | None


class ReplanBody(TypedDict):
    milestones: list[ReplanMilestone]


class ReplanRequest(ReplanBody, total=False):
    reason: str
    preview: bool


class MilestoneFilter(TypedDict, total=False):
    milestone: Annotated[str, Describe("A milestone's UUID: only the re-plans that changed it.")]


# --- serializers -----------------------------------------------------------------------------

def change_json(change: RoadmapChange) -> ChangeJson:
    return {
        "id": change.id,
        "milestone_id": change.milestone_id,
        "milestone_uuid": str(change.milestone_uuid),
        "milestone_title": change.milestone_title,
        "kind": change.kind,
        "old_value": change.old_value,
        "new_value": change.new_value,
        "slip_days": change.slip_days,
    }


def replan_json(replan: Replan) -> ReplanJson:
    return {
        "id": replan.id,
        "at": timestamp(replan.at),
        "author": person(replan.author),
        "reason": replan.reason,
        "changes": [change_json(c) for c in replan.changes],
    }


def _commitment_json(commitment: Commitment, due: Mapping[int, date]) -> PromiseJson:
    """A promise a re-plan breaks (or mends), with the milestone's due date after the re-plan."""
    milestone = commitment.milestone
    return {
        "id": commitment.id,
        "title": commitment.title,
        "customer": commitment.customer.name,
        "customer_id": commitment.customer_id,
        "state": commitment.state,
        "promised_date": commitment.promised_date.isoformat(),
        "sales_owner": person(commitment.created_by),
        "milestone": None if milestone is None else {
            "id": milestone.id,
            "uuid": str(milestone.uuid),
            "title": milestone.title,
            "state": milestone.state,
            "due_date": due.get(milestone.id, milestone.due_date).isoformat(),
        },
    }


# --- helpers ---------------------------------------------------------------------------------

def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return values.check_day(date.fromisoformat(value))
    except ValueError:  # not a real date, or outside the value rule's range
        return None


def _parse_target(value: object) -> tuple[bool, float | None]:
    """(valid, value): a goal number (app.core.values), or null / "" for no target."""
    if value is None or value == "":
        return True, None
    try:
        return True, values.parse_goal_number(value)
    except values.BadValue:
        return False, None


def _edits(project: Project, items: object) -> list[services.MilestoneEdit]:
    """The milestones of a re-plan body, checked; a 400 names each milestone that is wrong."""
    if not isinstance(items, list) or not items:
        raise InvalidInput("Send the milestones to re-plan.", {
            "milestones": ["A non-empty list of {\"id\", \"due_date\", \"target_value\", \"version\"}."],
        })
    by_id = {m.id: m for m in project.milestones}
    errors: dict[str, list[str]] = {}
    edits: list[services.MilestoneEdit] = []
    seen: set[int] = set()

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for index, item in enumerate(items):
        if not isinstance(item, dict):
            error("milestones", f"Item {index + 1}: expected an object with id, due_date, target_value and version.")
            continue
        milestone_id = item.get("id")
        milestone: Milestone | None = None
        if isinstance(milestone_id, int) and not isinstance(milestone_id, bool):
            milestone = by_id.get(milestone_id)
        if milestone is None:
            error("milestones", f"Item {index + 1}: unknown milestone {milestone_id!r}: not on this roadmap.")
            continue
        if milestone.id in seen:
            error("milestones", f"“{milestone.title}” is listed twice: send each milestone once.")
            continue
        seen.add(milestone.id)
        name = f"“{milestone.title}”"
        due: date | None = milestone.due_date
        if "due_date" in item:
            due = _parse_date(item["due_date"])
            if due is None:
                error(f"due_{milestone.id}", f"{name}: the due date must be a real date as YYYY-MM-DD, between {values.EARLIEST.year} and {values.LATEST.year}.")
        target = milestone.target_value
        if "target_value" in item:
            valid, target = _parse_target(item["target_value"])
            if not valid:
                error(f"target_{milestone.id}", f"{name}: the target must be a number within ±{values.GOAL_LIMIT:,.0f}, or null for none.")
        version = item.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            error(f"version_{milestone.id}", f"{name}: send the version you are editing.")
            continue
        if due is not None and f"target_{milestone.id}" not in errors:
            edits.append(services.MilestoneEdit(milestone.id, due, target, version))
    if errors:
        raise InvalidInput("Some milestones are invalid.", errors)
    return edits


# --- the change log and re-plans (routed in app.roadmap.api, beside the baselines) -------------

@operation(ReplanJson, paged=True, query=MilestoneFilter)
def change_log(project_id: int) -> Response:
    """The re-plans, newest first, with their changes."""
    project = get_project_or_404(current_user, project_id)
    milestone = request.args.get("milestone") or None
    return page_json(services.change_log_page(project, milestone, page_request()), replan_json)


@operation(ReplanResultJson, body=Body(extra=ReplanRequest), errors=(403, 409))
def replan(project_id: int) -> Response:
    """Move several milestones under one reason, or ``preview`` what that would put at risk."""
    project = get_project_or_404(current_user, project_id)
    require_editor(current_user, project)
    payload = json_body()
    if not isinstance(payload.get("reason", ""), str | None):
        raise InvalidInput("The reason must be text.", {"reason": ["Say why the roadmap changes, as text."]})
    reason = validated(ReasonForm, {"reason": payload.get("reason")}).reason.data or ""
    preview = payload.get("preview", False)
    if not isinstance(preview, bool):
        raise InvalidInput("preview must be true or false.", {"preview": ["Expected true or false."]})
    edits = _edits(project, payload.get("milestones"))
    due = {e.milestone_id: e.due_date for e in edits}
    planned = _planned_changes(project, edits)  # read before the re-plan moves anything
    if preview:
        result = services.replan(current_user, project, edits, reason, preview=True)
        preview_body: ReplanResultJson = {"saved": False, "replan_id": None, "reason": reason.strip(), "changes": planned,
                "at_risk": [_commitment_json(c, due) for c in result.at_risk],
                "cleared": [_commitment_json(c, due) for c in result.cleared]}
        db.session.rollback()  # a preview writes nothing
        return jsonify(preview_body)
    with saving("roadmap"):
        result = services.replan(current_user, project, edits, reason)
        record = result.replan
        body: ReplanResultJson = {
            "saved": True,
            "replan_id": record.id if record is not None else None,
            "reason": record.reason if record is not None else reason.strip(),
            "changes": [change_json(c) for c in record.changes] if record is not None else planned,
            "at_risk": [_commitment_json(c, due) for c in result.at_risk],
            "cleared": [_commitment_json(c, due) for c in result.cleared],
        }
    return jsonify(body)


def _planned_changes(project: Project, edits: list[services.MilestoneEdit]) -> list[ChangeJson]:
    """What the edits change, old → new, in the shape of a recorded change (without its id)."""
    by_id = {m.id: m for m in project.milestones}
    return [
        {"id": None, "milestone_id": milestone.id, "milestone_uuid": str(milestone.uuid),
         "milestone_title": milestone.title, "kind": kind, "old_value": old, "new_value": new,
         "slip_days": roadmap.change_slip_days(kind, old, new)}
        for edit in edits
        for milestone in [by_id[edit.milestone_id]]
        for kind, old, new in differences(milestone, edit.due_date, edit.target_value)
    ]
