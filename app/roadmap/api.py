"""The roadmap in the JSON API: baselines, the comparison with them, the change log and re-plans.

The baselines are here; the change log and re-plans in :mod:`app.roadmap.replan_api`, whose
routes this blueprint lists (below) so that the factory registers one blueprint for the roadmap.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypedDict

from flask import Response, abort, jsonify
from flask_login import current_user

from app.api import PersonRef, api_blueprint, json_body, page_json, person, timestamp
from app.api.openapi import Body, follow, from_path, operation
from app.api.schemas import Describe, IsoDate, OneOf, Timestamp, Uuid
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import saving
from app.projects.access import get_project_or_404, require_editor
from app.projects.models import Project
from app.roadmap import replan_api, services
from app.roadmap.models import Baseline, BaselineItem
from workflows import roadmap
from workflows.milestone import STATES as MILESTONE_STATES

bp = api_blueprint("roadmap", __name__)
bp.add_url_rule("/projects/<int:project_id>/changes", view_func=replan_api.change_log, methods=["GET"])
bp.add_url_rule("/projects/<int:project_id>/replan", view_func=replan_api.replan, methods=["POST"])


# --- what the API writes -----------------------------------------------------------------------

class CountsJson(TypedDict):
    """How many milestones moved, were added, removed, cancelled or stayed as the baseline has them."""

    moved: int
    added: int
    removed: int
    cancelled: int
    unchanged: int


_KINDS = tuple(CountsJson.__annotations__)


class BaselineItemJson(TypedDict):
    milestone_uuid: Uuid
    title: str
    due_date: IsoDate
    target_value: float | None
    state: Annotated[str, OneOf(MILESTONE_STATES)]


class BaselineSummaryJson(TypedDict):
    id: int
    number: int
    name: str
    label: str
    taken_at: Timestamp
    taken_by: PersonRef | None
    start_date: IsoDate | None
    end_date: IsoDate | None
    milestone_count: int


class BaselineJson(BaselineSummaryJson):
    items: list[BaselineItemJson]


class DeltaJson(TypedDict):
    milestone_uuid: Uuid
    milestone_id: int | None
    title: str
    kind: Annotated[str, OneOf(_KINDS)]
    baseline_due: IsoDate | None
    current_due: IsoDate | None
    slip_days: int | None
    baseline_target: float | None
    current_target: float | None


class ComparisonJson(TypedDict):
    baseline: BaselineSummaryJson
    baseline_end: IsoDate | None
    current_end: IsoDate | None
    end_slip_days: int | None
    counts: CountsJson
    items: list[DeltaJson]


# --- what the API reads --------------------------------------------------------------------------

class BaselineBody(TypedDict, total=False):
    name: Annotated[str, Describe("Empty: a name is made from the number and the date.")]


# --- serializers -----------------------------------------------------------------------------

def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _baseline_item_json(item: BaselineItem) -> BaselineItemJson:
    return {"milestone_uuid": str(item.milestone_uuid), "title": item.title, "due_date": item.due_date.isoformat(),
            "target_value": item.target_value, "state": item.state}


def baseline_summary_json(baseline: Baseline) -> BaselineSummaryJson:
    return {
        "id": baseline.id,
        "number": baseline.number,
        "name": baseline.name,
        "label": baseline.label,
        "taken_at": timestamp(baseline.taken_at),
        "taken_by": person(baseline.taken_by),
        "start_date": _day(baseline.start_date),
        "end_date": _day(baseline.end_date),
        "milestone_count": len(baseline.items),
    }


def baseline_json(baseline: Baseline) -> BaselineJson:
    return {**baseline_summary_json(baseline), "items": [_baseline_item_json(i) for i in baseline.items]}


# --- helpers ---------------------------------------------------------------------------------

def _baseline_or_404(project: Project, number: int) -> Baseline:
    baseline = services.baseline_or_none(project, number)
    return baseline if baseline is not None else abort(404)


# --- baselines -------------------------------------------------------------------------------

@bp.get("/projects/<int:project_id>/baselines")
@operation(BaselineJson, paged=True)
def list_baselines(project_id: int) -> Response:
    """The campaign's baselines, with their milestones."""
    project = get_project_or_404(current_user, project_id)
    return page_json(services.baseline_page(project, page_request()), baseline_json)


@bp.post("/projects/<int:project_id>/baselines")
@operation(BaselineJson, status=201, body=Body(extra=BaselineBody), errors=(403, 409),
           links=follow("api_roadmap.get_baseline", "api_roadmap.comparison",
                        project_id=from_path("project_id"), number="$response.body#/number"))


def take_baseline(project_id: int) -> tuple[Response, int]:
    """Take a baseline: a named, immutable snapshot of the roadmap."""
    project = get_project_or_404(current_user, project_id)
    require_editor(current_user, project)
    name = json_body().get("name")
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise InvalidInput("Name the baseline.", {"name": ["A string, e.g. “Q3 re-plan”."]})
    if len(name.strip()) > 120:
        raise InvalidInput("The name is too long.", {"name": ["At most 120 characters."]})
    with saving("roadmap"):
        baseline = services.take_baseline(current_user, project, name)
        body = baseline_json(baseline)
    return jsonify(body), 201


@bp.get("/projects/<int:project_id>/baselines/<int:number>")
@operation(BaselineJson)
def get_baseline(project_id: int, number: int) -> Response:
    """One baseline (by its number in the campaign), with its milestones."""
    project = get_project_or_404(current_user, project_id)
    return jsonify(baseline_json(_baseline_or_404(project, number)))


@bp.get("/projects/<int:project_id>/baselines/<int:number>/comparison")
@operation(ComparisonJson)
def comparison(project_id: int, number: int) -> Response:
    """The roadmap against a baseline: per milestone, its dates, ``slip_days`` and what happened to it."""
    project = get_project_or_404(current_user, project_id)
    baseline = _baseline_or_404(project, number)
    result = services.comparison(project, baseline)
    ids = {str(m.uuid): m.id for m in project.milestones}
    body: ComparisonJson = {
        "baseline": baseline_summary_json(baseline),
        "baseline_end": _day(result.baseline_end),
        "current_end": _day(result.current_end),
        "end_slip_days": result.end_slip_days,
        "counts": {"moved": result.count("moved"), "added": result.count("added"), "removed": result.count("removed"),
                   "cancelled": result.count("cancelled"), "unchanged": result.count("unchanged")},
        "items": [_delta_json(d, ids.get(d.key)) for d in result.items],
    }
    return jsonify(body)


def _delta_json(delta: roadmap.ItemDelta, milestone_id: int | None) -> DeltaJson:
    return {
        "milestone_uuid": delta.key,
        "milestone_id": milestone_id,
        "title": delta.title,
        "kind": delta.kind,
        "baseline_due": _day(delta.baseline_due),
        "current_due": _day(delta.current_due),
        "slip_days": delta.slip_days,
        "baseline_target": delta.baseline_target,
        "current_target": delta.current_target,
    }
