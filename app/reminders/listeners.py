"""Schedules follow their items: whatever changes a due date, a state, an owner, an assignee,
who belongs to a campaign or whether a person's account is active, the reminder schedules
change in the same transaction.

Watching the session (rather than calling a sync from each service) means a due date moved
by a re-plan, the API, the milestone form or the demo loader moves its reminders alike.
The work happens just before the commit, once per transaction, for the items touched
(:mod:`app.core.transactions` runs it, and forgets what was touched if the transaction rolls back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import transactions
from app.milestones.models import Milestone, Task
from app.notifications import registry as notification_registry
from app.projects.models import Project, ProjectMember
from app.reminders import services

_TOUCHED = "countersign.reminders_touched"
_MILESTONE_FIELDS = ("due_date", "state", "owner_id", "project_id")
_TASK_FIELDS = ("due_date", "assignee_id", "done", "milestone_id")


@dataclass
class Touched:
    projects: set[int] = field(default_factory=set)
    milestones: set[int] = field(default_factory=set)
    tasks: set[int] = field(default_factory=set)
    users: set[int] = field(default_factory=set)  # deactivated or reactivated

    def add(self, other: Touched) -> None:
        self.projects |= other.projects
        self.milestones |= other.milestones
        self.tasks |= other.tasks
        self.users |= other.users

    def __bool__(self) -> bool:
        return bool(self.projects or self.milestones or self.tasks or self.users)


def _touched(session: so.Session) -> Touched:
    transactions.before_commit(session, _TOUCHED, _before_commit)
    return transactions.state(session, _TOUCHED, Touched)


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: so.Session, _context: Any) -> None:
    touched = Touched()
    for obj in session.new:
        if isinstance(obj, Milestone):
            touched.milestones.add(obj.id)
        elif isinstance(obj, Task):
            touched.tasks.add(obj.id)
        elif isinstance(obj, ProjectMember):
            touched.projects.add(obj.project_id)
    for obj in session.dirty:
        if isinstance(obj, Milestone) and _changed(obj, _MILESTONE_FIELDS):
            touched.milestones.add(obj.id)
        elif isinstance(obj, Task) and _changed(obj, _TASK_FIELDS):
            touched.tasks.add(obj.id)
        elif isinstance(obj, Project) and _changed(obj, ("state",)):
            touched.projects.add(obj.id)
        elif isinstance(obj, User) and _changed(obj, ("active",)):
            touched.users.add(obj.id)
    # Removed memberships are seen by _member_deleted: a membership taken out of
    # ``project.memberships`` is deleted as an orphan, which ``session.deleted`` never lists.
    # Deleted milestones and tasks take their schedules with them (ON DELETE CASCADE).
    if touched:
        _touched(session).add(touched)


def _member_deleted(_mapper: Any, _connection: Any, member: ProjectMember) -> None:
    session = so.object_session(member)
    if session is not None:
        _touched(session).projects.add(member.project_id)


def _before_commit(session: so.Session) -> None:
    touched: Touched | None = transactions.discard(session, _TOUCHED)
    if not touched:
        return
    if touched.users:
        _add_items_of(session, touched.users, touched)
    # A campaign's milestones bring their tasks along; each milestone is synced once.
    services.sync_milestones(touched.milestones | services.milestones_of(touched.projects))
    services.sync_tasks(touched.tasks)
    transactions.discard(session, _TOUCHED)  # the sync's own flush touched nothing that needs another


def _add_items_of(session: so.Session, user_ids: set[int], touched: Touched) -> None:
    """Everything a person may be reminded of: their campaigns, the milestones they own, their tasks."""
    touched.projects.update(session.scalars(
        sa.select(ProjectMember.project_id).where(ProjectMember.user_id.in_(user_ids))))
    touched.milestones.update(session.scalars(sa.select(Milestone.id).where(Milestone.owner_id.in_(user_ids))))
    touched.tasks.update(session.scalars(sa.select(Task.id).where(Task.assignee_id.in_(user_ids))))


def init_app() -> None:
    """Watch every session's flushes, once however many apps are made (the tests make several); and
    hand notifications, which imports no reminder, what its settings page shows and sets off of them."""
    notification_registry.set_reminders(notification_registry.Reminders(
        upcoming=services.upcoming, preferences_saved=services.reschedule_person))
    if not sa.event.contains(so.Session, "after_flush", _after_flush):
        sa.event.listen(so.Session, "after_flush", _after_flush)
        sa.event.listen(ProjectMember, "after_delete", _member_deleted)
