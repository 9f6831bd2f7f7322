"""What a person's dashboard shows, computed in a few indexed queries.

Every card shows the head of a list (at most :data:`SHOWN` rows) and how long the whole list
is, counted in the same query; *My work* (views.work) pages through the same lists. So the
dashboard costs the same for a person on three campaigns as for an admin who sees a thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.audit.services import latest_event_id
from app.campaigns.progress import GoalProgress, row_facts, summary_loads
from app.commitments import access as commitment_access
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core import clock
from app.core.pagination import Head, Key, Page, PageRequest, asc, head, paginate
from app.core.text import waited
from app.extensions import db
from app.feedback import decisions as feedback_decisions
from app.feedback import services as feedback
from app.feedback.models import Feedback
from app.milestones.models import Milestone, Task
from app.projects.access import visible_projects
from app.projects.models import Project, ProjectMember, ProjectRole
from app.updates import services as updates
from app.updates.models import ProductUpdate
from workflows.commitment import OPEN_STATES as OPEN_COMMITMENT_STATES
from workflows.milestone import MilestoneState
from workflows.project import OPEN_STATES, ProjectState

#: Who plans campaigns (the workflow's ``plan`` step is theirs), so who sees the *waiting to be planned* card.
PLANNER_ROLES = frozenset({Role.PROJECT_MANAGER, Role.ADMIN})
#: The step that puts a campaign in the planners' queue; its audit event says when and by whom.
SUBMIT = "submit"

UPCOMING_DAYS = 14
#: How far back "answers to your feedback" looks, and how many of the triage queue the dashboard shows.
ANSWERED_DAYS = 30
TRIAGE_SHOWN = 5
UPDATES_SHOWN = 5
#: Rows a card shows at most; the rest are a link away.
SHOWN = 10


@dataclass(frozen=True)
class CampaignRow:
    project: Project
    progress: GoalProgress
    next_milestone: Milestone | None
    my_role: str


@dataclass(frozen=True)
class PlanningRow:
    """A campaign submitted for planning, with when and by whom (None for a trail that lost it)."""

    project: Project
    submitted_at: datetime | None
    submitted_by: str | None
    waiting: timedelta

    @property
    def age(self) -> str:
        return waited(self.waiting)


@dataclass(frozen=True)
class SignoffRow:
    """A commitment waiting for this product manager, with how long it has waited."""

    commitment: Commitment
    waiting: timedelta
    blockers: int
    warnings: int

    @property
    def age(self) -> str:
        return waited(self.waiting)


@dataclass(frozen=True)
class Dashboard:
    """The head of each list, and each list's whole length (``*_count``)."""

    campaigns: Sequence[CampaignRow]
    overdue_milestones: Sequence[Milestone]
    overdue_tasks: Sequence[Task]
    upcoming_milestones: Sequence[Milestone]
    my_open_tasks: Sequence[Task]
    campaign_count: int = 0
    overdue_milestone_count: int = 0
    overdue_task_count: int = 0
    upcoming_count: int = 0
    open_task_count: int = 0
    #: Commitments waiting for my countersignature, oldest request first (product managers).
    signoff_queue: Sequence[SignoffRow] = field(default=())
    signoff_count: int = 0
    #: Commitments I recorded that are still in play (not fulfilled or withdrawn), on open campaigns.
    my_commitments: Sequence[Commitment] = field(default=())
    my_commitment_count: int = 0
    #: Whether the person records commitments at all (sales), so an empty list is worth saying.
    sells: bool = False
    #: The head of my feedback triage queue (product managers), and how long the whole queue is.
    triage: Sequence[Feedback] = field(default=())
    triage_count: int = 0
    #: My feedback that product answered lately (sales).
    answered: Sequence[Feedback] = field(default=())
    #: Product updates waiting for my acknowledgement (sales).
    to_acknowledge: Sequence[ProductUpdate] = field(default=())
    to_acknowledge_count: int = 0
    #: Campaigns submitted for planning that wait for this project manager (all, for admins), oldest first.
    to_plan: Sequence[PlanningRow] = field(default=())
    to_plan_count: int = 0


def signoff_rows(commitments_shown: Sequence[Commitment], now: datetime) -> list[SignoffRow]:
    rows = []
    for c in commitments_shown:
        found = commitments.findings(c)
        blockers = sum(1 for f in found if f.is_blocker)
        rows.append(SignoffRow(c, now - (c.submitted_at or now), blockers, len(found) - blockers))
    return rows


# --- the lists behind the cards: each card shows the head of one, "My work" pages through it ----

def open_campaigns(user: User) -> sa.Select[tuple[Project]]:
    return visible_projects(user).where(Project.state.in_(OPEN_STATES)).options(*summary_loads())


CAMPAIGN_ORDER = [asc(sa.func.coalesce(Project.end_date, date.max)), asc(Project.id)]


def _my_open_milestones(user: User) -> sa.Select[tuple[Milestone]]:
    """Open milestones of open campaigns ``user`` belongs to."""
    return (
        sa.select(Milestone).join(Project)
        .where(Milestone.state == MilestoneState.OPEN, Project.state.in_(OPEN_STATES),
               Project.id.in_(sa.select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)))
        .options(so.joinedload(Milestone.project))
    )


def overdue_milestones(user: User, today: date) -> sa.Select[tuple[Milestone]]:
    """Overdue: the milestones ``user`` owns, and every one on the campaigns they lead."""
    led = sa.select(ProjectMember.project_id).where(
        ProjectMember.user_id == user.id, ProjectMember.role.in_([ProjectRole.OWNER, ProjectRole.PROJECT_MANAGER]))
    return _my_open_milestones(user).where(sa.or_(Milestone.owner_id == user.id, Milestone.project_id.in_(led)),
                                           Milestone.due_date < today)


def upcoming_milestones(user: User, today: date) -> sa.Select[tuple[Milestone]]:
    return _my_open_milestones(user).where(Milestone.due_date >= today,
                                           Milestone.due_date <= today + timedelta(days=UPCOMING_DAYS))


MILESTONE_ORDER = [asc(Milestone.due_date), asc(Milestone.id)]


def _task_due() -> sa.ColumnElement[date]:
    return sa.func.coalesce(Task.due_date, Milestone.due_date)


def open_tasks(user: User) -> sa.Select[tuple[Task]]:
    """``user``'s open tasks on open milestones of open campaigns."""
    return (
        sa.select(Task).join(Milestone).join(Project)
        .where(Task.assignee_id == user.id, Task.done.is_(False), Milestone.state == MilestoneState.OPEN,
               Project.state.in_(OPEN_STATES))
        .options(so.joinedload(Task.milestone).joinedload(Milestone.project))
    )


def overdue_tasks(user: User, today: date) -> sa.Select[tuple[Task]]:
    return open_tasks(user).where(_task_due() < today)


def tasks_not_overdue(user: User, today: date) -> sa.Select[tuple[Task]]:
    return open_tasks(user).where(_task_due() >= today)


TASK_ORDER = [asc(_task_due()), asc(Task.id)]


def my_commitments(user: User) -> sa.Select[tuple[Commitment]]:
    """Commitments ``user`` recorded that are still in play, on open campaigns."""
    return (
        commitment_access.visible_commitments(user)
        .join(Project, Commitment.project_id == Project.id)
        .where(Commitment.created_by_id == user.id, Commitment.state.in_(OPEN_COMMITMENT_STATES),
               Project.state.in_(OPEN_STATES))
        .options(so.joinedload(Commitment.project), so.joinedload(Commitment.product),
                 so.joinedload(Commitment.region), so.joinedload(Commitment.customer))
    )


COMMITMENT_ORDER = [asc(Commitment.promised_date), asc(Commitment.id)]


def card(query: sa.Select[Any], order: Sequence[Key]) -> Head[Any]:
    """What a card shows of a list: its first :data:`SHOWN` rows in ``order``, and its length."""
    return head(query, order, SHOWN)


@dataclass(frozen=True)
class WorkList:
    """One list of *My work*: its tab's label and how to read a page of it."""

    key: str
    label: str
    read: Callable[[User, date, PageRequest], Page[Any]]


def _paged(query: Callable[[User, date], sa.Select[Any]], order: Sequence[Key]) -> Callable[..., Page[Any]]:
    return lambda user, today, asked: paginate(query(user, today), order, asked)


def work_lists(user: User) -> list[WorkList]:
    """The lists *My work* offers ``user``, in tab order."""
    lists = [
        WorkList("tasks", "My open tasks", _paged(lambda u, _t: open_tasks(u), TASK_ORDER)),
        WorkList("overdue", "Overdue milestones", _paged(overdue_milestones, MILESTONE_ORDER)),
        WorkList("upcoming", "Coming up", _paged(upcoming_milestones, MILESTONE_ORDER)),
    ]
    if user.sells:
        lists.append(WorkList("commitments", "My commitments", _paged(lambda u, _t: my_commitments(u),
                                                                       COMMITMENT_ORDER)))
    if user.role is Role.PRODUCT_MANAGER:
        lists.append(WorkList("signoff", "To countersign", lambda u, _t, asked: commitments.signoff_queue(u, asked)))
    return lists


def waiting_to_be_planned(user: User, now: datetime, limit: int = SHOWN) -> Head[PlanningRow]:
    """Proposed campaigns ``user`` sees that they manage or that have no project manager yet (every
    proposed one, for admins), oldest submission first, with who submitted each and the list's
    length: one query, the submission joined from the audit trail (the step's own record)."""
    if user.role not in PLANNER_ROLES:
        return Head([], 0)
    submit = so.aliased(AuditEvent)
    submitter = so.aliased(User)
    query = visible_projects(user).where(Project.state == ProjectState.PROPOSED)
    if not user.is_admin:
        query = query.where(sa.or_(Project.project_manager_id == user.id, Project.project_manager_id.is_(None)))
    since = sa.func.coalesce(submit.at, Project.updated_at)
    rows = db.session.execute(
        query.join_from(Project, submit, submit.id == latest_event_id("project", Project.id, f"project.{SUBMIT}"),
                        isouter=True)
        .join_from(submit, submitter, submitter.id == submit.actor_id, isouter=True)
        .add_columns(submit.at, submitter.name, sa.func.count().over())
        .order_by(since, Project.id).limit(limit)
    ).all()
    return Head([PlanningRow(p, at, name, now - (at or p.updated_at)) for p, at, name, _ in rows],
                rows[0][-1] if rows else 0)


def build(user: User, today: date) -> Dashboard:
    campaigns = card(open_campaigns(user), CAMPAIGN_ORDER)
    facts = row_facts(campaigns.items, today)
    roles = {m.project_id: m.role for p in campaigns.items for m in p.memberships if m.user_id == user.id}
    pm = user.role is Role.PRODUCT_MANAGER
    signoff = commitments.signoff_queue(user, PageRequest(SHOWN)).items if pm else []
    overdue = card(overdue_milestones(user, today), MILESTONE_ORDER)
    late_tasks = card(overdue_tasks(user, today), TASK_ORDER)
    upcoming = card(upcoming_milestones(user, today), MILESTONE_ORDER)
    tasks = card(tasks_not_overdue(user, today), TASK_ORDER)
    promised = card(my_commitments(user), COMMITMENT_ORDER)
    to_plan = waiting_to_be_planned(user, clock.now())
    return Dashboard(
        campaigns=[CampaignRow(p, facts[p.id].progress, facts[p.id].next_milestone,
                               roles[p.id].label if p.id in roles else "Admin") for p in campaigns.items],
        campaign_count=campaigns.total,
        overdue_milestones=overdue.items,
        overdue_milestone_count=overdue.total,
        overdue_tasks=late_tasks.items,
        overdue_task_count=late_tasks.total,
        upcoming_milestones=upcoming.items,
        upcoming_count=upcoming.total,
        my_open_tasks=tasks.items,
        open_task_count=tasks.total,
        signoff_queue=signoff_rows(signoff, clock.now()),
        signoff_count=commitments.signoff_count(user) if pm else 0,
        my_commitments=promised.items,
        my_commitment_count=promised.total,
        sells=user.sells,
        to_plan=to_plan.items,
        to_plan_count=to_plan.total,
        **_loop(user),
    )


def _loop(user: User) -> dict[str, object]:
    """The sales–product loop's part of the dashboard: what waits for this person there."""
    pm = user.role is Role.PRODUCT_MANAGER
    return {
        "triage": feedback_decisions.triage_queue(user, PageRequest(TRIAGE_SHOWN)).items if pm else [],
        "triage_count": feedback_decisions.triage_count(user) if pm else 0,
        "answered": feedback.answered_since(user, clock.now() - timedelta(days=ANSWERED_DAYS), SHOWN)
        if user.sells else [],
        "to_acknowledge": updates.awaiting_updates(user, limit=UPDATES_SHOWN),
        "to_acknowledge_count": updates.awaiting_count(user),
    }
