"""The campaign page: what every core-domain feature says about one campaign, on one page.

A campaign's record and lifecycle belong to projects, its roadmap to milestones and roadmap, its
promises to commitments, its mute button to notifications. The page shows them all, so it is put
together here, above all of them, rather than in projects (which would then import the features
built on it). It is still the projects blueprint's page: ``projects.show`` at ``/campaigns/<id>``,
registered on that blueprint when the app factory imports this module, before it registers it.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.audit.services import project_history
from app.commitments import access as commitment_access
from app.commitments import services as commitment_services
from app.core import clock
from app.core.forms import TransitionForm, record_id
from app.milestones.forms import MilestoneForm, TaskForm
from app.milestones.services import milestone_options
from app.notifications.services import is_muted
from app.projects import services
from app.projects.access import can_edit, can_report, get_project_or_404, roles_in
from app.projects.charts import goal_chart_svg
from app.projects.forms import ActualForm, ExpenseForm, MemberForm
from app.projects.progress import budget_summary, detail_loads, goal_progress, next_deadline, summary_loads
from app.projects.views import bp
from app.roadmap import services as roadmap_services
from app.roadmap import timeline
from workflows.commitment import UNSIGNED_STATES, CommitmentState


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
