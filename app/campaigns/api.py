"""Campaigns in the JSON API.

A campaign's record embeds its milestones and its progress against their targets, so the campaigns'
API is composed here, above milestones, rather than in projects (see app/campaigns/views.py). The
blueprint keeps its name, ``api_projects``: the endpoints and URLs are those it always had.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, TypedDict

import sqlalchemy.orm as so
from flask import Response, jsonify, request
from flask_login import current_user

from app.api import (
    RegionRef,
    TransitionOptionJson,
    TransitionReason,
    Versioned,
    api_blueprint,
    event_name,
    expected_version,
    json_body,
    money_text,
    page_json,
    reason_text,
    region_ref,
    timestamp,
    validated,
)
from app.api.openapi import NEW_ID, Body, follow, operation
from app.api.schemas import IsoDate, Money, OneOf, Timestamp, Uuid
from app.audit.models import AuditEvent
from app.audit.services import project_history_page
from app.campaigns import services as cloning
from app.campaigns.progress import RowFacts, budget_summary, detail_loads, goal_progress, row_facts, summary_loads
from app.core import clock
from app.core.errors import InvalidInput
from app.core.pagination import asc, page_request, paginate
from app.core.views import commit
from app.milestones.api import MilestoneJson, milestone_json
from app.projects import services
from app.projects.access import get_project_or_404, visible_projects
from app.projects.forms import ActualForm, ExpenseForm, ProjectForm
from app.projects.models import Expense, GoalActual, Project, ProjectRole
from workflows.project import OUTCOMES, STATES

bp = api_blueprint("projects", __name__)


# --- what the API writes -----------------------------------------------------------------------

class ProjectFields(TypedDict):
    """The editable fields, named as the form names them."""

    title: str
    goal_statement: str
    goal_metric: str
    goal_unit: str
    goal_baseline: float
    goal_target: float | None
    budget: Money
    currency: str
    start_date: IsoDate | None
    end_date: IsoDate | None
    region_ids: list[int]
    project_manager_id: int | None
    product_manager_ids: list[int]
    member_ids: list[int]


class ProgressJson(TypedDict):
    latest: float | None
    latest_on: IsoDate | None
    expected_today: float | None
    percent: float | None
    status: Annotated[str, OneOf(("ahead", "on_track", "behind", "no_data"))]


class ProjectJson(ProjectFields):
    id: int
    uuid: Uuid
    kind: str | None
    state: Annotated[str, OneOf(STATES)]
    outcome: Annotated[str, OneOf(OUTCOMES)] | None
    version: int
    owner_id: int
    regions: list[RegionRef]
    progress: ProgressJson
    spent: Money


class MemberJson(TypedDict):
    user_id: int
    name: str
    role: Annotated[str, OneOf(r.value for r in ProjectRole)]


class ProjectDetailJson(ProjectJson):
    milestones: list[MilestoneJson]
    members: list[MemberJson]
    transitions: list[TransitionOptionJson]


class TemplateGoalJson(TypedDict):
    metric: str
    unit: str
    baseline: float
    target: float


class TemplateJson(TypedDict):
    key: str
    name: str
    description: str
    duration_months: int
    goal: TemplateGoalJson
    milestones: list[str]


class ActualJson(TypedDict):
    id: int
    value: float
    measured_on: IsoDate
    note: str
    recorded_by: str


class ExpenseJson(TypedDict):
    id: int
    amount: Money
    spent_on: IsoDate
    description: str
    recorded_by: str


# An audit event writes "from" and "to": keys no class body can name.
EventJson = TypedDict("EventJson", {
    "at": Timestamp, "actor": str | None, "action": str, "summary": str, "from": str | None, "to": str | None,
    "details": dict[str, Any],
})


# --- what the API reads besides the forms --------------------------------------------------------

class StateFilter(TypedDict, total=False):
    state: Annotated[str, OneOf(STATES)]


class TemplateChoice(TypedDict, total=False):
    template: Annotated[str, OneOf(services.templates_by_key())]


def project_fields(project: Project) -> ProjectFields:
    """The editable fields, named as the form names them (a PATCH sends any subset)."""
    return {
        "title": project.title,
        "goal_statement": project.goal_statement,
        "goal_metric": project.goal_metric,
        "goal_unit": project.goal_unit,
        "goal_baseline": project.goal_baseline,
        "goal_target": project.goal_target,
        "budget": money_text(project.budget),
        "currency": project.currency,
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "region_ids": [r.id for r in project.regions],
        "project_manager_id": project.project_manager_id,
        "product_manager_ids": project.member_ids_with(ProjectRole.PRODUCT_MANAGER),
        "member_ids": project.member_ids_with(ProjectRole.MEMBER),
    }


def project_json(project: Project, facts: RowFacts | None = None) -> ProjectJson:
    """A campaign; in a list, ``facts`` (progress and spend, read for the whole page) stand in
    for reading its every actual and expense."""
    today = clock.today()
    progress = facts.progress if facts else goal_progress(project, today)
    spent = facts.spent if facts else budget_summary(project).spent
    return {
        "id": project.id,
        "uuid": str(project.uuid),
        "kind": project.kind,
        "state": project.state,
        "outcome": project.outcome,
        "version": project.version,
        "owner_id": project.owner_id,
        **project_fields(project),
        "regions": [region_ref(r) for r in project.regions],
        "progress": {
            "latest": progress.latest,
            "latest_on": progress.latest_on.isoformat() if progress.latest_on else None,
            "expected_today": progress.expected_today,
            "percent": progress.percent,
            "status": progress.status,
        },
        "spent": money_text(spent),
    }


def project_detail_json(project: Project) -> ProjectDetailJson:
    """A campaign with its milestones, people, and the steps open to the reader."""
    return {
        **project_json(project),
        "milestones": [milestone_json(m) for m in project.milestones],
        "members": [{"user_id": m.user_id, "name": m.user.name, "role": m.role.value} for m in project.memberships],
        "transitions": [
            {"event": t.event, "label": t.label, "requires": list(t.requires), "allowed": d.allowed, "reasons": list(d.reasons)}
            for t, d in services.transition_options(current_user, project)
        ],
    }


@bp.get("/templates")
@operation(list[TemplateJson])
def list_templates() -> Response:
    """Campaign templates, with their goal and milestones."""
    templates: list[TemplateJson] = [
        {"key": t.key, "name": t.name, "description": t.description, "duration_months": t.duration_months,
         "goal": {"metric": t.goal_metric, "unit": t.goal_unit, "baseline": t.goal_baseline, "target": t.goal_target},
         "milestones": [m.title for m in t.milestones]}
        for t in services.templates()
    ]
    return jsonify(templates)


@bp.get("/projects")
@operation(ProjectJson, paged=True, query=StateFilter)
def list_projects() -> Response:
    """Campaigns you can see, by id."""
    # Regions and memberships, but not the people: the JSON names them by id.
    query = visible_projects(current_user).options(so.selectinload(Project.regions), so.selectinload(Project.memberships))
    state = request.args.get("state")
    if state:
        if state not in STATES:
            raise InvalidInput(f"Unknown state {state!r}.", {"state": [f"One of: {', '.join(STATES)}."]})
        query = query.where(Project.state == state)
    page = paginate(query, [asc(Project.id)])
    facts = row_facts(page.items, clock.today(), next_milestones=False)
    return page_json(page, lambda p: project_json(p, facts=facts[p.id]))


@bp.post("/projects")
@operation(ProjectDetailJson, status=201, body=Body(ProjectForm, extra=TemplateChoice, exclude=frozenset({"version"})),
           errors=(403,),
           links=follow("api_projects.get_project", "api_projects.update_project", "api_projects.fire_transition",
                        "api_projects.report_actual", "api_milestones.create_milestone",
                        "api_commitments.create_commitment", "api_roadmap.take_baseline",
                        project_id=NEW_ID))
def create_project() -> tuple[Response, int]:
    """Launch a campaign, optionally from a template (its milestones are made at their offsets)."""
    payload = json_body()
    template = None
    if payload.get("template"):
        template = services.templates_by_key().get(str(payload["template"]))
        if template is None:
            raise InvalidInput("Unknown template.", {"template": [f"One of: {', '.join(services.templates_by_key())}."]})
    form = validated(ProjectForm, payload)
    project = services.launch_project(current_user, form.to_input(), template)
    commit()
    return jsonify(project_detail_json(project)), 201


@bp.post("/projects/<int:project_id>/clone")
@operation(ProjectDetailJson, status=201, body=Body(ProjectForm, partial=True, exclude=frozenset({"version", "template"})),
           errors=(403,), links=follow("api_projects.get_project", "api_projects.update_project", project_id=NEW_ID))
def clone_project(project_id: int) -> tuple[Response, int]:
    """Clone a campaign into a new draft: any subset of the fields (the rest as the web form fills
    them in: "Copy of" its title, starting today, its span, goal, budget, regions and people), with
    its milestones and their tasks moved by the days between the two start dates, unassigned."""
    source = get_project_or_404(current_user, project_id, *summary_loads(), *detail_loads())
    payload = json_body()
    defaults = cloning.clone_input(source, clock.today())
    if "start_date" in payload and "end_date" not in payload:
        # A new start alone moves the end with it, as the form's prefilled span does.
        try:
            start = date.fromisoformat(str(payload["start_date"]))
        except ValueError:
            start = None
        if start is not None:
            defaults = cloning.clone_input(source, start)
    fields = {**asdict(defaults), "start_date": defaults.start_date.isoformat(), "end_date": defaults.end_date.isoformat(),
              "budget": money_text(defaults.budget), "region_ids": list(defaults.region_ids),
              "product_manager_ids": list(defaults.product_manager_ids), "member_ids": list(defaults.member_ids)}
    form = validated(ProjectForm, {**fields, **payload})
    project = cloning.clone_campaign(current_user, source, form.to_input())
    commit()
    return jsonify(project_detail_json(project)), 201


@bp.get("/projects/<int:project_id>")
@operation(ProjectDetailJson)
def get_project(project_id: int) -> Response:
    """A campaign with milestones, tasks, members, progress and the transitions open to you."""
    project = get_project_or_404(current_user, project_id, *summary_loads(), *detail_loads())
    return jsonify(project_detail_json(project))


@bp.patch("/projects/<int:project_id>")
@operation(ProjectDetailJson, body=Body(ProjectForm, extra=Versioned, partial=True, exclude=frozenset({"template"})),
           errors=(403, 409))
def update_project(project_id: int) -> Response:
    """Edit a campaign: any subset of the fields, with the ``version`` you are editing."""
    project = get_project_or_404(current_user, project_id)
    payload = json_body()
    version = expected_version(payload)
    form = validated(ProjectForm, {**project_fields(project), **payload}, project=project)
    services.update_project(current_user, project, form.to_input(), version)
    commit("campaign")
    return jsonify(project_detail_json(project))


@bp.post("/projects/<int:project_id>/transitions")
@operation(ProjectDetailJson, body=Body(extra=TransitionReason), errors=(403, 409))
def fire_transition(project_id: int) -> Response:
    """Take a step of the campaign's lifecycle (``submit``, ``plan``, ``launch``, ``cancel`` with a ``reason``…)."""
    project = get_project_or_404(current_user, project_id)
    payload = json_body()
    event = event_name(payload, "Required, e.g. \"submit\".")
    reason = reason_text(payload)
    services.fire_transition(current_user, project, event, reason)
    commit("campaign")
    return jsonify(project_detail_json(project))


@bp.get("/projects/<int:project_id>/actuals")
@operation(ActualJson, paged=True)
def list_actuals(project_id: int) -> Response:
    """The goal's reported actuals, oldest first."""
    project = get_project_or_404(current_user, project_id)
    return page_json(services.actuals(project, page_request()), _actual_json)


@bp.post("/projects/<int:project_id>/actuals")
@operation(ActualJson, status=201, body=ActualForm, errors=(403, 409))
def report_actual(project_id: int) -> tuple[Response, int]:
    """Report an actual of the goal metric (``measured_on`` defaults to today)."""
    project = get_project_or_404(current_user, project_id)
    form = validated(ActualForm, json_body())
    actual = services.report_actual(current_user, project, form.value.data, form.day, form.note.data or "")
    commit()
    return jsonify(_actual_json(actual)), 201


@bp.get("/projects/<int:project_id>/expenses")
@operation(ExpenseJson, paged=True)
def list_expenses(project_id: int) -> Response:
    """The campaign's spend, oldest first."""
    project = get_project_or_404(current_user, project_id)
    return page_json(services.expenses(project, page_request()), _expense_json)


@bp.post("/projects/<int:project_id>/expenses")
@operation(ExpenseJson, status=201, body=ExpenseForm, errors=(403, 409))
def record_expense(project_id: int) -> tuple[Response, int]:
    """Record spend (``spent_on`` defaults to today)."""
    project = get_project_or_404(current_user, project_id)
    form = validated(ExpenseForm, json_body())
    expense = services.record_expense(current_user, project, form.amount.data, form.day, form.description.data or "")
    commit()
    return jsonify(_expense_json(expense)), 201


@bp.get("/projects/<int:project_id>/history")
@operation(EventJson, paged=True)
def history(project_id: int) -> Response:
    """The campaign's audit trail, newest first."""
    project = get_project_or_404(current_user, project_id)
    return page_json(project_history_page(project.id, page_request()), _event_json)


def _event_json(event: AuditEvent) -> EventJson:
    return {"at": timestamp(event.at), "actor": event.actor.name if event.actor else None, "action": event.action,
            "summary": event.summary, "from": event.from_state, "to": event.to_state, "details": event.details}


def _actual_json(actual: GoalActual) -> ActualJson:
    return {"id": actual.id, "value": actual.value, "measured_on": actual.measured_on.isoformat(),
            "note": actual.note, "recorded_by": actual.recorded_by.name}


def _expense_json(expense: Expense) -> ExpenseJson:
    return {"id": expense.id, "amount": money_text(expense.amount), "spent_on": expense.spent_on.isoformat(),
            "description": expense.description, "recorded_by": expense.recorded_by.name}
