"""Milestone and task actions; they live on the campaign page, so each one redirects back there."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.core.urls import local_path
from app.core.views import fire_from_form, press, run_and_flash, save_form
from app.milestones import services
from app.milestones.access import get_milestone_or_404, get_task_or_404
from app.milestones.forms import MilestoneForm, TaskForm
from app.projects.access import get_project_or_404
from app.projects.models import Project

bp = Blueprint("milestones", __name__, url_prefix="/campaigns/<int:project_id>/milestones")
bp.before_request(login_required(lambda: None))


def _at(project: Project, anchor: str = "roadmap") -> str:
    """Where on the campaign page an action goes back to."""
    return url_for("projects.show", project_id=project.id) + f"#{anchor}"


def _back(project: Project, anchor: str = "roadmap") -> Response:
    return redirect(_at(project, anchor))


@bp.route("/new", methods=["GET", "POST"])
def new(project_id: int) -> str | Response:
    project = get_project_or_404(current_user, project_id)
    form = MilestoneForm(project)
    milestone = save_form(
        form, lambda: services.create_milestone(current_user, project, form.to_input(), form.reason.data or "")
    )
    if milestone is not None:
        flash(f"Milestone “{milestone.title}” added.", "success")
        return _back(project, f"milestone-{milestone.id}")
    return render_template("milestones/form.html", form=form, project=project, milestone=None,
                           replanning=project.replanning)


@bp.route("/<int:milestone_id>/edit", methods=["GET", "POST"])
def edit(project_id: int, milestone_id: int) -> str | Response:
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    form = MilestoneForm(project, obj=milestone)
    action = lambda: services.update_milestone(  # noqa: E731
        current_user, milestone, form.to_input(), form.version.data or 0, form.reason.data or ""
    )
    if save_form(form, action, "milestone") is not None:
        flash("Milestone saved.", "success")
        return _back(project, f"milestone-{milestone.id}")
    return render_template("milestones/form.html", form=form, project=project, milestone=milestone,
                           replanning=project.replanning)


@bp.post("/<int:milestone_id>/transition")
def transition(project_id: int, milestone_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    fire = lambda event, reason: services.fire_milestone_transition(current_user, milestone, event, reason)  # noqa: E731
    if fire_from_form(fire, "milestone"):
        flash(f"Milestone “{milestone.title}” is now {milestone.state_label.lower()}.", "success")
    return _back(project, f"milestone-{milestone.id}")


@bp.post("/<int:milestone_id>/move")
def move(project_id: int, milestone_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    step = -1 if request.form.get("direction") == "up" else 1
    return press(lambda: services.move_milestone(current_user, milestone, step), "", _at(project, f"milestone-{milestone.id}"))


@bp.post("/<int:milestone_id>/tasks")
def add_task(project_id: int, milestone_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    form = TaskForm(project)
    if form.validate_on_submit():
        run_and_flash(lambda: services.create_task(current_user, milestone, form.to_input()), "Task added.")
    else:
        flash("The task needs a title" + (" and a valid date." if form.due_date.errors else "."), "error")
    return _back(project, f"milestone-{milestone.id}")


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(project_id: int, task_id: int) -> str | Response:
    project = get_project_or_404(current_user, project_id)
    task = get_task_or_404(project, task_id)
    form = TaskForm(project, obj=task)
    if save_form(form, lambda: services.update_task(current_user, task, form.to_input())) is not None:
        flash("Task saved.", "success")
        return _back(project, f"milestone-{task.milestone_id}")
    return render_template("milestones/task_form.html", form=form, project=project, task=task)


@bp.post("/tasks/<int:task_id>/done")
def toggle_task(project_id: int, task_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    task = get_task_or_404(project, task_id)
    done = request.form.get("done") == "1"
    return press(lambda: services.set_task_done(current_user, task, done), "",
                 local_path(request.form.get("next")) or _at(project, f"milestone-{task.milestone_id}"))


@bp.post("/tasks/<int:task_id>/delete")
def delete_task(project_id: int, task_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    task = get_task_or_404(project, task_id)
    back = _at(project, f"milestone-{task.milestone_id}")  # before the task is gone
    return press(lambda: services.delete_task(current_user, task), "Task deleted.", back)

