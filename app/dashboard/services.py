"""What a person's dashboard shows, computed in a few indexed queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.commitments import access as commitment_access
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core import clock
from app.extensions import db
from app.feedback import services as feedback
from app.feedback.models import Feedback
from app.milestones.models import Milestone, Task
from app.projects.access import visible_projects
from app.projects.models import Project, ProjectMember, ProjectRole
from app.projects.progress import GoalProgress, goal_progress, next_deadline
from app.updates import services as updates
from app.updates.models import ProductUpdate
from workflows.project import OPEN_STATES

UPCOMING_DAYS = 14
#: How far back "answers to your feedback" looks, and how many of the triage queue the dashboard shows.
ANSWERED_DAYS = 30
TRIAGE_SHOWN = 5
UPDATES_SHOWN = 5


@dataclass(frozen=True)
class CampaignRow:
    project: Project
    progress: GoalProgress
    next_milestone: Milestone | None
    my_role: str


@dataclass(frozen=True)
class SignoffRow:
    """A commitment waiting for this product manager, with how long it has waited."""

    commitment: Commitment
    waiting: timedelta
    blockers: int
    warnings: int

    @property
    def age(self) -> str:
        return age_label(self.waiting)


@dataclass(frozen=True)
class Dashboard:
    campaigns: Sequence[CampaignRow]
    overdue_milestones: Sequence[Milestone]
    overdue_tasks: Sequence[Task]
    upcoming_milestones: Sequence[Milestone]
    my_open_tasks: Sequence[Task]
    #: Commitments waiting for my countersignature, oldest request first (product managers).
    signoff_queue: Sequence[SignoffRow] = field(default=())
    #: Commitments I recorded that are still in play (not fulfilled or withdrawn), on open campaigns.
    my_commitments: Sequence[Commitment] = field(default=())
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


def age_label(waiting: timedelta) -> str:
    """'3 days', '5 hours', '20 minutes', 'just now': how long a request has waited."""
    seconds = max(int(waiting.total_seconds()), 0)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


def signoff_rows(user: User, now: datetime) -> list[SignoffRow]:
    rows = []
    for c in commitments.signoff_queue(user):
        found = commitments.findings(c)
        blockers = sum(1 for f in found if f.is_blocker)
        rows.append(SignoffRow(c, now - (c.submitted_at or now), blockers, len(found) - blockers))
    return rows


def my_commitments(user: User) -> Sequence[Commitment]:
    return db.session.scalars(
        commitment_access.visible_commitments(user)
        .join(Project, Commitment.project_id == Project.id)
        .where(Commitment.created_by_id == user.id, Commitment.state.not_in(["fulfilled", "withdrawn"]),
               Project.state.in_(OPEN_STATES))
        .options(so.joinedload(Commitment.project), so.joinedload(Commitment.product),
                 so.joinedload(Commitment.region))
        .order_by(Commitment.promised_date, Commitment.id)
    ).all()


def build(user: User, today: date) -> Dashboard:
    projects = db.session.scalars(
        visible_projects(user)
        .where(Project.state.in_(OPEN_STATES))
        .options(so.selectinload(Project.milestones), so.selectinload(Project.actuals),
                 so.selectinload(Project.memberships))
        .order_by(Project.end_date.is_(None), Project.end_date, Project.id)
    ).all()
    roles = {m.project_id: m.role for p in projects for m in p.memberships if m.user_id == user.id}
    campaigns = [
        CampaignRow(p, goal_progress(p, today), next_deadline(p, today),
                    roles[p.id].label if p.id in roles else "Admin")
        for p in projects
    ]
    led = [p.id for p in projects if roles.get(p.id) in {ProjectRole.OWNER, ProjectRole.PROJECT_MANAGER}]
    mine = sa.or_(Milestone.owner_id == user.id, Milestone.project_id.in_(led))
    open_in_open_projects = (
        sa.select(Milestone).join(Project)
        .where(Milestone.state == "open", Project.state.in_(OPEN_STATES),
               Project.id.in_(sa.select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)))
        .options(so.joinedload(Milestone.project))
        .order_by(Milestone.due_date, Milestone.id)
    )
    overdue_milestones = db.session.scalars(open_in_open_projects.where(mine, Milestone.due_date < today)).all()
    upcoming = db.session.scalars(
        open_in_open_projects.where(Milestone.due_date >= today, Milestone.due_date <= today + timedelta(days=UPCOMING_DAYS))
    ).all()
    my_tasks = db.session.scalars(
        sa.select(Task).join(Milestone).join(Project)
        .where(Task.assignee_id == user.id, Task.done.is_(False), Milestone.state == "open",
               Project.state.in_(OPEN_STATES))
        .options(so.joinedload(Task.milestone).joinedload(Milestone.project))
        .order_by(sa.func.coalesce(Task.due_date, Milestone.due_date), Task.id)
    ).all()
    return Dashboard(
        campaigns=campaigns,
        overdue_milestones=overdue_milestones,
        overdue_tasks=[t for t in my_tasks if t.is_overdue(today)],
        upcoming_milestones=upcoming,
        my_open_tasks=[t for t in my_tasks if not t.is_overdue(today)],
        signoff_queue=signoff_rows(user, clock.now()),
        my_commitments=my_commitments(user),
        sells=user.sells,
        **_loop(user),
    )


def _loop(user: User) -> dict[str, object]:
    """The sales–product loop's part of the dashboard: what waits for this person there."""
    pm = user.role is Role.PRODUCT_MANAGER
    return {
        "triage": feedback.triage_queue(user, limit=TRIAGE_SHOWN) if pm else [],
        "triage_count": feedback.triage_count(user) if pm else 0,
        "answered": feedback.answered_since(user, clock.now() - timedelta(days=ANSWERED_DAYS)) if user.sells else [],
        "to_acknowledge": updates.awaiting_updates(user, limit=UPDATES_SHOWN),
        "to_acknowledge_count": updates.awaiting_count(user),
    }
