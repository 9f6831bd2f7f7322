"""Who may read, write, edit and remove comments, and on what.

Whoever may see a record may comment on it; a record one may not see is *not found* (404), its
comments too. Comments sit above the four features they annotate and ask each its own rule
(:class:`Kind`): a campaign's members (admins: all), a milestone's campaign's, a commitment's
(its campaign's members and its product's managers), a feedback item's (sellers, product managers,
admins, and whoever filed it: as its page allows). The same rule, written as a condition on people,
picks whom an @mention may reach, so nobody is offered, or told of, a record they cannot open.

An author edits or removes their comment for :data:`EDIT_WINDOW` after posting it; later it is
read-only, and only admins remove it (the text goes, a "comment removed" marker stays).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort

from app.accounts.models import Role, User
from app.catalog.models import product_owners
from app.comments.models import Comment
from app.commitments.access import visible_commitments
from app.commitments.models import Commitment
from app.extensions import db
from app.feedback.access import visible_feedback
from app.feedback.models import Feedback
from app.milestones.models import Milestone
from app.projects.access import visible_projects
from app.projects.models import Project, ProjectMember

#: How long an author may edit or remove what they posted.
EDIT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Kind:
    name: str
    entity: str  # the record's name in the audit trail
    #: The record of this id if ``user`` may see it, else None (a 404).
    find: Callable[[User, int], Any]
    #: Who may see this record, as a condition on :class:`User` (for @mentions).
    audience: Callable[[Any], sa.ColumnElement[bool]]
    title: Callable[[Any], str]
    project_id: Callable[[Any], int | None]


def _members_of(project_id: int) -> sa.ColumnElement[bool]:
    members = sa.select(ProjectMember.user_id).where(ProjectMember.project_id == project_id)
    return sa.or_(User.role == Role.ADMIN, User.id.in_(members))


def _find_campaign(user: User, record_id: int) -> Project | None:
    return db.session.scalar(visible_projects(user).where(Project.id == record_id))


def _find_milestone(user: User, record_id: int) -> Milestone | None:
    return db.session.scalar(sa.select(Milestone).where(
        Milestone.id == record_id, Milestone.project_id.in_(visible_projects(user).with_only_columns(Project.id))))


def _find_commitment(user: User, record_id: int) -> Commitment | None:
    return db.session.scalar(visible_commitments(user).where(Commitment.id == record_id))


def _find_feedback(user: User, record_id: int) -> Feedback | None:
    return db.session.scalar(visible_feedback(user).where(Feedback.id == record_id))


def _commitment_audience(commitment: Commitment) -> sa.ColumnElement[bool]:
    owners = sa.select(product_owners.c.user_id).where(product_owners.c.product_id == commitment.product_id)
    return sa.or_(_members_of(commitment.project_id), User.id.in_(owners))


def _feedback_audience(feedback: Feedback) -> sa.ColumnElement[bool]:
    return sa.or_(User.role.in_((Role.ADMIN, Role.PRODUCT_MANAGER, Role.SALES_MANAGER)), User.sales_rep.is_(True),
                  User.id == feedback.submitted_by_id)


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("campaign", "project", _find_campaign, lambda p: _members_of(p.id), lambda p: p.title, lambda p: p.id),
    Kind("milestone", "milestone", _find_milestone, lambda m: _members_of(m.project_id), lambda m: m.title,
         lambda m: m.project_id),
    Kind("commitment", "commitment", _find_commitment, _commitment_audience, lambda c: c.title,
         lambda c: c.project_id),
    Kind("feedback", "feedback", _find_feedback, _feedback_audience, lambda f: f.title, lambda f: None),
)}


def kind_or_404(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def record_or_404(user: User, kind: Kind, record_id: int) -> Any:
    record = kind.find(user, record_id)
    if record is None:
        abort(404)
    return record


def comment_or_404(user: User, comment_id: int) -> tuple[Comment, Kind, Any]:
    """A comment on a record ``user`` may see, with its kind and record; any other is 404."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    kind = KINDS[comment.kind]
    return comment, kind, record_or_404(user, kind, comment.record_id)


def within_window(comment: Comment, now: datetime) -> bool:
    return now - comment.created_at <= EDIT_WINDOW


def can_edit(user: User, comment: Comment, now: datetime) -> bool:
    """Its author, for :data:`EDIT_WINDOW` after posting; never a removed one."""
    return not comment.removed and comment.author_id == user.id and within_window(comment, now)


def can_remove(user: User, comment: Comment, now: datetime) -> bool:
    """Its author within the window, an admin at any time."""
    return not comment.removed and (user.is_admin or can_edit(user, comment, now))
