"""The campaign pages that show what every core-domain feature says about campaigns: the list
(each with its progress and next milestone) and one campaign's page.

A campaign's record and lifecycle belong to projects, its roadmap to milestones and roadmap, its
promises to commitments, its mute button to notifications. These pages show them together, so they
are put together here, above all of them, rather than in projects (which would then import the
features built on it). They are still the projects blueprint's pages, ``projects.index`` at
``/campaigns/`` and ``projects.show`` at ``/campaigns/<id>``: registered on that blueprint when the
app factory imports this module, before it registers the blueprint.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit.services import project_history
from app.campaigns import services as cloning
from app.campaigns.progress import (
    budget_summary,
    detail_loads,
    goal_progress,
    next_deadline,
    row_facts,
    summary_loads,
)
from app.commitments import access as commitment_access
from app.commitments import services as commitment_services
from app.core import clock
from app.core.forms import TransitionForm, record_id
from app.core.pagination import asc, paginate
from app.core.views import save_form
from app.milestones.forms import MilestoneForm, TaskForm
from app.milestones.services import milestone_options
from app.notifications.services import is_muted
from app.projects import services
from app.projects.access import can_edit, can_report, get_project_or_404, roles_in, visible_projects
from app.projects.charts import goal_chart
from app.projects.forms import ActualForm, ExpenseForm, MemberForm, ProjectForm
from app.projects.models import Project
from app.projects.views import bp
from app.roadmap import services as roadmap_services
from app.roadmap import timeline
from workflows.commitment import UNSIGNED_STATES, CommitmentState
from workflows.project import CLOSED_STATES, STATES

#: The campaign list's filter for every open campaign: a group of states, not one of them.
OPEN_FILTER = "open"


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
        chart=goal_chart(progress.plan, progress.actuals, today, progress.unit, project.goal_metric),
        transitions=services.transition_options(current_user, project),
        milestone_options={m.id: milestone_options(current_user, m) for m in project.milestones},
        history=project_history(project.id, limit=30),
        can_edit=editable,
        can_clone=services.can_launch(current_user),
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
        timeline_chart=timeline.render_page(project, baseline, today),
        can_take_baseline=editable and project.replanning,
        muted=is_muted(current_user.id, project.id),
    )


@bp.route("/<int:project_id>/clone", methods=["GET", "POST"])
def clone(project_id: int) -> str | Response:
    """A new draft from this campaign: the launch form, filled in from it, starting today."""
    source = get_project_or_404(current_user, project_id, *summary_loads(), *detail_loads())
    if not services.can_launch(current_user):
        abort(404)
    form = ProjectForm()
    if request.method == "GET":
        form.process(data=asdict(cloning.clone_input(source, clock.today())))
    project = save_form(form, lambda: cloning.clone_campaign(current_user, source, form.to_input()), "campaign")
    if project is not None:
        flash(f"Campaign “{project.title}” created as a draft, with {len(project.milestones)} milestones "
              f"from “{source.title}”.", "success")
        return redirect(url_for(".show", project_id=project.id))
    return render_template("projects/form.html", form=form, template=None, project=None, source=source,
                           copied=cloning.copied_milestones(source))
