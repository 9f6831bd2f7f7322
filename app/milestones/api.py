"""Milestones and tasks in the JSON API."""

from __future__ import annotations

from typing import Annotated, TypedDict

from flask import Response, jsonify
from flask_login import current_user

from app.api import (
    Versioned,
    api_blueprint,
    event_name,
    expected_version,
    json_body,
    page_json,
    reason_text,
    validated,
)
from app.api.openapi import NEW_ID, Body, follow, from_path, operation
from app.api.schemas import IsoDate, OneOf, Uuid
from app.core import clock
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.milestones import services
from app.milestones.access import get_milestone_or_404, get_task_or_404
from app.milestones.forms import MilestoneForm, TaskForm
from app.milestones.models import Milestone, Task
from app.projects.access import get_project_or_404
from workflows.milestone import STATES

bp = api_blueprint("milestones", __name__)


class TaskJson(TypedDict):
    id: int
    milestone_id: int
    title: str
    assignee_id: int | None
    due_date: IsoDate | None
    done: bool
    overdue: bool


class MilestoneFields(TypedDict):
    title: str
    due_date: IsoDate
    target_value: float | None
    owner_id: int | None
    description: str


class MilestoneJson(MilestoneFields):
    id: int
    uuid: Uuid
    project_id: int
    state: Annotated[str, OneOf(STATES)]
    version: int
    position: int
    overdue: bool
    tasks: list[TaskJson]


class TransitionBody(TypedDict):
    event: Annotated[str, OneOf(("complete", "cancel", "reopen"))]


class TransitionReason(TransitionBody, total=False):
    reason: str


class MoveBody(TypedDict):
    direction: Annotated[str, OneOf(("up", "down"))]


class TaskDone(TypedDict, total=False):
    done: bool


def task_json(task: Task) -> TaskJson:
    return {
        "id": task.id,
        "milestone_id": task.milestone_id,
        "title": task.title,
        "assignee_id": task.assignee_id,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "done": task.done,
        "overdue": task.is_overdue(clock.today()),
    }


def milestone_fields(milestone: Milestone) -> MilestoneFields:
    return {
        "title": milestone.title,
        "due_date": milestone.due_date.isoformat(),
        "target_value": milestone.target_value,
        "owner_id": milestone.owner_id,
        "description": milestone.description,
    }


def milestone_json(milestone: Milestone) -> MilestoneJson:
    return {
        "id": milestone.id,
        "uuid": str(milestone.uuid),
        "project_id": milestone.project_id,
        "state": milestone.state,
        "version": milestone.version,
        "position": milestone.position,
        "overdue": milestone.is_overdue(clock.today()),
        **milestone_fields(milestone),
        "tasks": [task_json(t) for t in milestone.tasks],
    }


@bp.get("/projects/<int:project_id>/milestones")
@operation(MilestoneJson, paged=True)
def list_milestones(project_id: int) -> Response:
    """The campaign's milestones, in roadmap order, with their tasks."""
    project = get_project_or_404(current_user, project_id)
    return page_json(services.milestones(project, page_request()), milestone_json)


@bp.post("/projects/<int:project_id>/milestones")
@operation(MilestoneJson, status=201, body=Body(MilestoneForm, exclude=frozenset({"version"})), errors=(403, 409),
           links=follow("api_milestones.get_milestone", "api_milestones.update_milestone",
                        "api_milestones.fire_transition", "api_milestones.create_task",
                        project_id=from_path("project_id"), milestone_id=NEW_ID))
def create_milestone(project_id: int) -> tuple[Response, int]:
    """Add a milestone (once the campaign is planned, with a ``reason``: it is a re-plan)."""
    project = get_project_or_404(current_user, project_id)
    form = validated(MilestoneForm, json_body(), project)
    milestone = services.create_milestone(current_user, project, form.to_input(), form.reason.data or "")
    commit()
    return jsonify(milestone_json(milestone)), 201


@bp.get("/projects/<int:project_id>/milestones/<int:milestone_id>")
@operation(MilestoneJson)
def get_milestone(project_id: int, milestone_id: int) -> Response:
    """One milestone with its tasks."""
    return jsonify(milestone_json(get_milestone_or_404(get_project_or_404(current_user, project_id), milestone_id)))


@bp.patch("/projects/<int:project_id>/milestones/<int:milestone_id>")
@operation(MilestoneJson, body=Body(MilestoneForm, extra=Versioned, partial=True), errors=(403, 409))
def update_milestone(project_id: int, milestone_id: int) -> Response:
    """Edit a milestone: any subset of its fields, with the ``version`` you are editing."""
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    payload = json_body()
    version = expected_version(payload)
    form = validated(MilestoneForm, {**milestone_fields(milestone), **payload}, project)
    services.update_milestone(current_user, milestone, form.to_input(), version, form.reason.data or "")
    commit("milestone")
    return jsonify(milestone_json(milestone))


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/transitions")
@operation(MilestoneJson, body=Body(extra=TransitionReason), errors=(403, 409))
def fire_transition(project_id: int, milestone_id: int) -> Response:
    """Complete, cancel (with a ``reason``) or reopen a milestone."""
    milestone = get_milestone_or_404(get_project_or_404(current_user, project_id), milestone_id)
    payload = json_body()
    event = event_name(payload, "Required: complete, cancel or reopen.")
    reason = reason_text(payload)
    services.fire_milestone_transition(current_user, milestone, event, reason)
    commit("milestone")
    return jsonify(milestone_json(milestone))


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/move")
@operation(list[MilestoneJson], body=Body(extra=MoveBody), errors=(403, 409))
def move_milestone(project_id: int, milestone_id: int) -> Response:
    """Move a milestone up or down the roadmap; answers with the whole roadmap in its new order."""
    milestone = get_milestone_or_404(get_project_or_404(current_user, project_id), milestone_id)
    direction = json_body().get("direction")
    if direction not in ("up", "down"):
        raise InvalidInput("Say which way to move it.", {"direction": ["Either \"up\" or \"down\"."]})
    services.move_milestone(current_user, milestone, -1 if direction == "up" else 1)
    commit()
    return jsonify([milestone_json(m) for m in milestone.project.milestones])


@bp.post("/projects/<int:project_id>/milestones/<int:milestone_id>/tasks")
@operation(TaskJson, status=201, body=TaskForm, errors=(403, 409),
           links=follow("api_milestones.update_task", "api_milestones.delete_task",
                        project_id=from_path("project_id"), task_id=NEW_ID))
def create_task(project_id: int, milestone_id: int) -> tuple[Response, int]:
    """Add a task to a milestone."""
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    form = validated(TaskForm, json_body(), project)
    task = services.create_task(current_user, milestone, form.to_input())
    commit()
    return jsonify(task_json(task)), 201


@bp.patch("/projects/<int:project_id>/tasks/<int:task_id>")
@operation(TaskJson, body=Body(TaskForm, extra=TaskDone, partial=True), errors=(403, 409))
def update_task(project_id: int, task_id: int) -> Response:
    """Edit a task (any subset of its fields), or tick it ``done``."""
    project = get_project_or_404(current_user, project_id)
    task = get_task_or_404(project, task_id)
    payload = json_body()
    done = payload.pop("done", None)
    if done is not None and not isinstance(done, bool):
        raise InvalidInput("done must be true or false.", {"done": ["Expected true or false."]})
    if payload:
        current = {"title": task.title, "assignee_id": task.assignee_id,
                   "due_date": task.due_date.isoformat() if task.due_date else None}
        form = validated(TaskForm, {**current, **payload}, project)
        services.update_task(current_user, task, form.to_input())
    if done is not None:
        services.set_task_done(current_user, task, done)
    commit()
    return jsonify(task_json(task))


@bp.delete("/projects/<int:project_id>/tasks/<int:task_id>")
@operation(status=204, errors=(403, 409))
def delete_task(project_id: int, task_id: int) -> tuple[str, int]:
    """Delete a task."""
    task = get_task_or_404(get_project_or_404(current_user, project_id), task_id)
    services.delete_task(current_user, task)
    commit()
    return "", 204
