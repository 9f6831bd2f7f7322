"""Calendar subscriptions (secret feed links) and the admins' switch for all of them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import one_of
from app.extensions import db
from app.projects.models import Project

#: What a link subscribes to. "mine" and "project" are everyone's; the other two follow a role.
KINDS = {
    "mine": "My calendar",
    "project": "Campaign calendar",
    "signoff": "Waiting for my countersignature",
    "promises": "My promised dates",
}


class CalendarFeed(db.Model):  # type: ignore[name-defined,misc]
    """One secret link to one feed, owned by one person.

    The link's token is ``selector + secret``: the selector finds the row (it is an id, not a
    secret), the secret is checked against ``secret_hash`` in constant time. Neither the token
    nor the secret is stored.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        one_of("kind", KINDS),
        sa.CheckConstraint("(kind = 'project') = (project_id IS NOT NULL)", name="project_feed"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    project_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    # "My calendar" only: just the milestones I own and the tasks given to me.
    only_mine: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # A VALARM this many minutes from the start of each event's day (540 = 9:00 that day); none if null.
    alarm_minutes: so.Mapped[int | None]
    selector: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    last_fetched_at: so.Mapped[datetime | None]
    revoked_at: so.Mapped[datetime | None]
    # The feed's change stamp: bumped, with ``changed_at``, in the very transaction that changes
    # anything the feed shows (app/calendars/stamps.py). The ETag is made of it, so a 304 reads this row alone.
    stamp: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    changed_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    user: so.Mapped[User] = so.relationship()
    project: so.Mapped[Project | None] = so.relationship()

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} {self.kind} of user {self.user_id}>"


class CalendarSettings(db.Model):  # type: ignore[name-defined,misc]
    """The one row of site-wide calendar settings; no row means feeds are on."""

    __tablename__ = "calendar_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True, default=1)
    feeds_enabled: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    changed_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    changed_by: so.Mapped[User | None] = so.relationship()
