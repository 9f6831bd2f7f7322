"""Who may see and do what on a campaign.

Every lookup of a campaign goes through :func:`visible_projects`, so a record of a
campaign the user does not belong to is simply not found (404), never "forbidden"
(which would confirm that it exists).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from app.accounts.models import User
from app.core.database import ids_found
from app.core.errors import NotAllowed, RecordClosed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, paginate
from app.extensions import db
from app.notifications import registry as notification_registry
from app.projects.models import Project, ProjectMember, ProjectRole
from workflows.project import OPEN_STATES


def visible_projects(user: User) -> sa.Select[tuple[Project]]:
    """A query of the campaigns ``user`` may see: all for admins, else those they belong to."""
    query = sa.select(Project)
    if not user.is_admin:
        query = query.where(
            Project.id.in_(sa.select(ProjectMember.project_id).where(ProjectMember.user_id == user.id))
        )
    return query


def visible_project_ids(user: User, ids: Iterable[int | None]) -> set[int]:
    """Which of these campaigns ``user`` may open (one query, none for no ids): a page or a serializer
    names a related campaign only to who could open it on their own."""
    return ids_found(visible_projects(user), Project.id, ids)


#: At most this many campaigns in a form's picker. A picker offers one's own campaigns (those
#: one belongs to, and the one the page came from), not every campaign an admin may see: a select
#: of thousands is neither usable nor cheap. Any visible id is still accepted by the services.
PICKER_LIMIT = 200


def my_campaigns(user: User, open_only: bool = False, also: int | None = None) -> Sequence[Project]:
    """The campaigns ``user`` belongs to (and ``also``, if they may see it), open ones first,
    then by title: what a form's campaign picker offers, at most :data:`PICKER_LIMIT`."""
    mine = Project.id.in_(sa.select(ProjectMember.project_id).where(ProjectMember.user_id == user.id))
    query = visible_projects(user).where(sa.or_(mine, Project.id == also) if also else mine)
    if open_only:
        query = query.where(Project.state.in_(OPEN_STATES))
    closed_last = Project.state.not_in(OPEN_STATES)
    return db.session.scalars(query.order_by(closed_last, Project.title, Project.id).limit(PICKER_LIMIT)).all()


def get_project_or_404(user: User, project_id: int, *loads: Any) -> Project:
    """The campaign, if ``user`` may see it, with its members (every permission check reads
    them) and any other ``loads`` in a query each; else 404."""
    query = visible_projects(user).where(Project.id == project_id).options(
        so.selectinload(Project.memberships).selectinload(ProjectMember.user), *loads)
    project = db.session.scalar(query)
    if project is None:
        abort(404)
    return project


def roles_in(user: User, project: Project) -> frozenset[str]:
    """The workflow roles ``user`` holds on ``project`` ('owner', 'project_manager', 'admin', ...)."""
    roles: set[str] = set()
    if user.is_admin:
        roles.add("admin")
    for membership in project.memberships:
        if membership.user_id == user.id:
            roles.add("member")
            roles.add(membership.role.value)
    if project.owner_id == user.id:
        roles.add(ProjectRole.OWNER.value)
    if project.project_manager_id == user.id:
        roles.add(ProjectRole.PROJECT_MANAGER.value)
    return frozenset(roles)


#: Roles that may change a campaign's plan: its details, milestones and tasks.
EDITOR_ROLES = frozenset({"owner", "project_manager", "admin"})


#: Roles that may report goal actuals and spend.
REPORTER_ROLES = EDITOR_ROLES | {"product_manager"}


def can_edit(user: User, project: Project) -> bool:
    return bool(roles_in(user, project) & EDITOR_ROLES) and project.is_open


def can_report(user: User, project: Project) -> bool:
    return bool(roles_in(user, project) & REPORTER_ROLES) and project.is_open


def require_open(project: Project) -> None:
    if not project.is_open:
        raise RecordClosed(f"This campaign is {project.state_label.lower()}: it can no longer change.")


def require_editor(user: User, project: Project) -> None:
    """Changing the plan (details, milestones, tasks, members) is for the campaign's leads."""
    require_open(project)
    if not roles_in(user, project) & EDITOR_ROLES:
        raise NotAllowed("Only the campaign's owner, project manager or an admin can change its plan.")


def require_reporter(user: User, project: Project) -> None:
    """Reporting goal actuals and spend is for the leads and the campaign's product managers."""
    require_open(project)
    if not roles_in(user, project) & REPORTER_ROLES:
        raise NotAllowed("Only the campaign's owner, project manager, product managers or an admin report on it.")


# --- the campaigns one may mute (asked by notifications, which imports no project) ------------

def member_campaigns(user: User, asked: PageRequest = FIRST_PAGE) -> Page[Project]:
    """A page of the campaigns ``user`` belongs to (admins too: only their own), open ones first."""
    query = (sa.select(Project).join(ProjectMember, ProjectMember.project_id == Project.id)
             .where(ProjectMember.user_id == user.id))
    return paginate(query, [asc(Project.state.not_in(OPEN_STATES)), asc(Project.title), asc(Project.id)], asked)


def member_campaign(user: User, project_id: int) -> Project | None:
    """The campaign ``project_id`` if ``user`` belongs to it (even an admin, for any other: None)."""
    return db.session.scalar(
        sa.select(Project).join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(Project.id == project_id, ProjectMember.user_id == user.id)
    )


def init_app() -> None:
    """Hand notifications the campaigns a person may mute: it sits below projects and imports none of it."""
    notification_registry.set_campaigns(notification_registry.Campaigns(
        of_member=member_campaigns, member_campaign=member_campaign))
