"""Storing and reading in-app notifications. Each joins the transaction of the event it reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from app.accounts.models import User
from app.core import clock
from app.extensions import db
from app.notifications.models import Notification


def notify(users: Iterable[User], kind: str, subject: str, body: str = "", link: str = "",
           skip: User | None = None) -> list[Notification]:
    """One notification per active person in ``users`` (but not ``skip``, who caused the event)."""
    created = []
    seen: set[int] = set()
    for user in users:
        if user.id in seen or not user.active or (skip is not None and user.id == skip.id):
            continue
        seen.add(user.id)
        note = Notification(user=user, kind=kind, subject=subject[:200], body=body, link=link)
        db.session.add(note)
        created.append(note)
    return created


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def recent(user: User, limit: int = 50) -> Sequence[Notification]:
    """Unread first, then newest first."""
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` read; returns how many."""
    query = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=clock.now())).rowcount or 0
