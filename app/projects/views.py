"""Campaign pages: launch, edit, lifecycle, actuals, spend, members, history.

The list of campaigns (``index``) and a campaign's own page (``show``) are on this blueprint too,
but composed in app/campaigns/views.py: they show what the features built on projects say about a
campaign (its next milestone, progress against the milestones' targets, commitments, roadmap)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.audit.services import project_history_page
from app.core import clock
from app.core.forms import CsrfForm
from app.core.pagination import page_request
from app.core.views import fire_from_form, run_and_flash, save_form
from app.extensions import db
from app.projects import services
from app.projects.access import can_edit, get_project_or_404
from app.projects.forms import ActualForm, ExpenseForm, MemberForm, ProjectForm
from app.projects.models import Project, ProjectRole

bp = Blueprint("projects", __name__, url_prefix="/campaigns")
bp.before_request(login_required(lambda: None))


@bp.get("/new")
def choose_template() -> str:
    if not services.can_launch(current_user):
        abort(404)
    return render_template("projects/choose_template.html", templates=services.templates())


@bp.route("/new/<template_key>", methods=["GET", "POST"])
def new(template_key: str) -> str | Response:
    if not services.can_launch(current_user):
        abort(404)
    template = None if template_key == "blank" else services.templates_by_key().get(template_key)
    if template is None and template_key != "blank":
        abort(404)
    form = ProjectForm()
    if request.method == "GET" and template is not None:
        today = clock.today()
        form.goal_metric.data = template.goal_metric
        form.goal_unit.data = template.goal_unit
        form.goal_baseline.data = template.goal_baseline
        form.goal_target.data = template.goal_target
        form.start_date.data = today
        form.end_date.data = template.default_end(today)
    project = save_form(form, lambda: services.launch_project(current_user, form.to_input(), template))
    if project is not None:
        flash(f"Campaign “{project.title}” created as a draft.", "success")
        return redirect(url_for(".show", project_id=project.id))
    return render_template("projects/form.html", form=form, template=template, project=None)


@bp.get("/<int:project_id>/history")
def history(project_id: int) -> str:
    """The campaign's whole audit trail, newest first, a page at a time."""
    project = get_project_or_404(current_user, project_id)
    page = project_history_page(project.id, page_request())
    return render_template("projects/history.html", project=project, page=page)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int) -> str | Response:
    project = get_project_or_404(current_user, project_id)
    if not can_edit(current_user, project):
        flash("You cannot edit this campaign.", "error")
        return redirect(url_for(".show", project_id=project.id))
    form = ProjectForm(obj=project, project=project)
    if request.method == "GET":
        form.region_ids.data = [r.id for r in project.regions]
        form.product_manager_ids.data = [u.id for u in project.members_with(ProjectRole.PRODUCT_MANAGER)]
        form.member_ids.data = [u.id for u in project.members_with(ProjectRole.MEMBER)]
    saved = save_form(
        form, lambda: services.update_project(current_user, project, form.to_input(), form.version.data or 0), "campaign"
    )
    if saved is not None:
        flash("Campaign saved.", "success")
        return redirect(url_for(".show", project_id=project.id))
    return render_template("projects/form.html", form=form, template=None, project=project)


@bp.post("/<int:project_id>/transition")
def transition(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    if fire_from_form(lambda event, reason: services.fire_transition(current_user, project, event, reason), "campaign"):
        flash(f"Campaign is now {project.state_label.lower()}.", "success")
    return redirect(url_for(".show", project_id=project.id))


@bp.post("/<int:project_id>/actuals")
def report_actual(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    form = ActualForm()
    return _save_small_form(
        project, form,
        lambda: services.report_actual(current_user, project, form.value.data, form.day, form.note.data or ""),
        "Actual recorded.",
    )


@bp.post("/<int:project_id>/expenses")
def record_expense(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    form = ExpenseForm()
    return _save_small_form(
        project, form,
        lambda: services.record_expense(current_user, project, form.amount.data, form.day, form.description.data or ""),
        "Spend recorded.",
    )


@bp.post("/<int:project_id>/members")
def add_member(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    form = MemberForm(exclude={m.user_id for m in project.memberships})

    def add() -> object:
        user = db.session.get(User, form.user_id.data)
        if user is None:
            abort(404)
        return services.add_member(current_user, project, user, ProjectRole(form.role.data))

    return _save_small_form(project, form, add, "Member added.", anchor="members")


@bp.post("/<int:project_id>/members/<int:user_id>/remove")
def remove_member(project_id: int, user_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    user = db.session.get(User, user_id) or abort(404)
    return _save_small_form(
        project, CsrfForm(), lambda: services.remove_member(current_user, project, user),
        f"{user.name} removed.", anchor="members",
    )


def _save_small_form(
    project: Project, form: FlaskForm, action: Callable[[], object], success: str, anchor: str = ""
) -> Response:
    """Validate a one-line form on the campaign page, run its service, flash the outcome."""
    target = url_for(".show", project_id=project.id) + (f"#{anchor}" if anchor else "")
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            field = form._fields.get(name)
            flash(f"{field.label.text if field else name}: {' '.join(errors)}", "error")
        return redirect(target)
    run_and_flash(action, success)
    return redirect(target)
