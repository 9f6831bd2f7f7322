"""Campaign pages: list, launch, show, edit, lifecycle, actuals, spend, members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.audit.services import history_query, project_history
from app.commitments import access as commitment_access
from app.commitments import services as commitment_services
from app.core import clock
from app.core.forms import CsrfForm, TransitionForm, record_id
from app.core.pagination import asc, desc, paginate
from app.core.views import fire_from_form, run_and_flash, save_form
from app.extensions import db
from app.milestones.forms import MilestoneForm, TaskForm
from app.milestones.services import milestone_options
from app.notifications.services import is_muted
from app.projects import services
from app.projects.access import can_edit, can_report, get_project_or_404, roles_in, visible_projects
from app.projects.charts import goal_chart_svg
from app.projects.forms import ActualForm, ExpenseForm, MemberForm, ProjectForm
from app.projects.models import Project, ProjectRole
from app.projects.progress import (
    budget_summary,
    detail_loads,
    goal_progress,
    next_deadline,
    row_facts,
    summary_loads,
)
from app.roadmap import services as roadmap_services
from app.roadmap import timeline
from workflows.commitment import UNSIGNED_STATES, CommitmentState
from workflows.project import CLOSED_STATES, STATES

#: The campaign list's filter for every open campaign: a group of states, not one of them.
OPEN_FILTER = "open"

bp = Blueprint("projects", __name__, url_prefix="/campaigns")
bp.before_request(login_required(lambda: None))


@bp.get("/")
def index() -> str:
    state = request.args.get("state", "")
    query = visible_projects(current_user).options(*summary_loads())
    if state in STATES:
        query = query.where(Project.state == state)
    elif state == OPEN_FILTER:
        query = query.where(Project.state.not_in(CLOSED_STATES))
    # By end date, those without one last (a date no campaign ends on stands in for "none").
    page = paginate(query, [asc(sa.func.coalesce(Project.end_date, date.max)), asc(Project.title), asc(Project.id)])
    facts = row_facts(page.items, clock.today())
    rows = [(p, facts[p.id].progress, facts[p.id].next_milestone) for p in page.items]
    return render_template("projects/index.html", rows=rows, page=page, state=state, states=STATES, open_filter=OPEN_FILTER,
                           can_launch=services.can_launch(current_user))


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


@bp.get("/<int:project_id>")
def show(project_id: int) -> str:
    project = get_project_or_404(current_user, project_id, *summary_loads(), *detail_loads())  # as its API record
    today = clock.today()
    progress = goal_progress(project, today)
    editable = can_edit(current_user, project)
    commitments = commitment_services.for_project(project)
    baselines = roadmap_services.baselines(project)
    wanted = request.args.get("baseline", type=record_id)  # missing or not an id: the latest
    baseline = next((b for b in baselines if b.number == wanted), baselines[-1] if baselines else None)
    return render_template(
        "projects/show.html",
        project=project,
        today=today,
        progress=progress,
        budget=budget_summary(project),
        chart=goal_chart_svg(progress.plan, progress.actuals, today, progress.unit, project.goal_metric),
        transitions=services.transition_options(current_user, project),
        milestone_options={m.id: milestone_options(current_user, m) for m in project.milestones},
        history=project_history(project.id, limit=30),
        can_edit=editable,
        can_report=can_report(current_user, project),
        roles=roles_in(current_user, project),
        transition_form=TransitionForm(),
        actual_form=ActualForm(),
        expense_form=ExpenseForm(),
        member_form=MemberForm(exclude={m.user_id for m in project.memberships}),
        milestone_form=MilestoneForm(project),
        task_form=TaskForm(project),
        next_deadline=next_deadline(project, today),
        commitments=commitments,
        can_record=commitment_access.can_record(current_user, project),
        commitment_blockers={
            c.id: sum(1 for f in commitment_services.findings(c) if f.is_blocker)
            for c in commitments if c.state in UNSIGNED_STATES | {CommitmentState.APPROVED}
        },
        baselines=baselines,
        baseline=baseline,
        comparison=roadmap_services.comparison(project, baseline) if baseline else None,
        timeline_chart=timeline.render(project, baseline, today),
        can_take_baseline=editable and project.replanning,
        muted=is_muted(current_user.id, project.id),
    )


@bp.get("/<int:project_id>/history")
def history(project_id: int) -> str:
    """The campaign's whole audit trail, newest first, a page at a time."""
    project = get_project_or_404(current_user, project_id)
    page = paginate(history_query(project.id), [desc(AuditEvent.at), desc(AuditEvent.id)])
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
