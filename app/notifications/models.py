"""One notification for one person, its email delivery, and each person's preferences.

The notifications table is also the outbox: a row is written in the same transaction as the
event or reminder it reports, and its email fields say where delivery stands. Workers only
ever move a row forward (pending → sending → sent, or failed), so losing a job in Redis
loses nothing: the recovery pass finds the row and enqueues it again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import one_of
from app.extensions import db
from workflows.reminders import ReminderPrefs, lead_text

#: Email delivery of one notification. "none": nobody wants it by email.
EMAIL_STATES = {
    "none": "No email",
    "pending": "Waiting to be sent",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Failed",
}
#: What a notification is about, for the channel settings: reminders, or updates on events.
CATEGORIES = {"reminders": "Reminders", "updates": "Updates"}

_RULES = ReminderPrefs()
#: A person's settings until they change them: the reminder rules' own defaults, every channel
#: on, no digest. The columns default to these too.
DEFAULTS: dict[str, object] = {
    "time_zone": _RULES.time_zone, "reminder_hour": _RULES.hour, "quiet_start": _RULES.quiet_start,
    "quiet_end": _RULES.quiet_end, "lead_days": lead_text(_RULES.lead_days), "on_the_day": _RULES.on_the_day,
    "overdue_every": _RULES.overdue_every, "reminders_email": True, "reminders_in_app": True,
    "updates_email": True, "updates_in_app": True, "email_digest": False,
}


class Notification(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "notifications"
    __table_args__ = (
        one_of("email_status", EMAIL_STATES),
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        # The dispatcher's and the recovery pass's only query: rows still to deliver, by time.
        sa.Index("ix_notifications_email_status_email_due_at", "email_status", "email_due_at"),
        # A cancelled campaign's invitations still held (calendars.listeners), and the projects' foreign key.
        sa.Index("ix_notifications_project_id_calendar_uid", "project_id", "calendar_uid"),
        # A reminder slot is written once per person, however many sweeps run at once.
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_id_dedupe_key"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    project_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # A path within Countersign (never an outside address): where the notification leads.
    link: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    read_at: so.Mapped[datetime | None]
    # Shown in the notification centre; False when the person takes this kind by email only.
    in_app: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    dedupe_key: so.Mapped[str | None] = so.mapped_column(sa.String(120))

    email_status: so.Mapped[str] = so.mapped_column(sa.String(10), default="none", server_default="none")
    email_digest: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    email_due_at: so.Mapped[datetime | None]
    email_enqueued_at: so.Mapped[datetime | None]
    email_claimed_at: so.Mapped[datetime | None]
    email_sent_at: so.Mapped[datetime | None]
    email_attempts: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    email_error: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    # The calendar invitation its email carries (iTIP: REQUEST or CANCEL, RFC 5546), built when the
    # notification is written, and the event's UID: who was invited to an event is who hears of its cancellation.
    calendar_uid: so.Mapped[str | None] = so.mapped_column(sa.String(80), index=True)
    calendar_method: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    calendar: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")

    user: so.Mapped[User] = so.relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def email_status_label(self) -> str:
        return EMAIL_STATES[self.email_status]


class NotificationPreference(db.Model):  # type: ignore[name-defined,misc]
    """How one person hears from Countersign. No row means the defaults."""

    __tablename__ = "notification_preferences"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    time_zone: so.Mapped[str] = so.mapped_column(sa.String(64), default=DEFAULTS["time_zone"])
    reminder_hour: so.Mapped[int] = so.mapped_column(default=DEFAULTS["reminder_hour"])
    quiet_start: so.Mapped[int] = so.mapped_column(default=DEFAULTS["quiet_start"])
    quiet_end: so.Mapped[int] = so.mapped_column(default=DEFAULTS["quiet_end"])
    lead_days: so.Mapped[str] = so.mapped_column(sa.String(60), default=DEFAULTS["lead_days"])
    on_the_day: so.Mapped[bool] = so.mapped_column(default=DEFAULTS["on_the_day"])
    overdue_every: so.Mapped[int] = so.mapped_column(default=DEFAULTS["overdue_every"])
    reminders_email: so.Mapped[bool] = so.mapped_column(default=DEFAULTS["reminders_email"])
    reminders_in_app: so.Mapped[bool] = so.mapped_column(default=DEFAULTS["reminders_in_app"])
    updates_email: so.Mapped[bool] = so.mapped_column(default=DEFAULTS["updates_email"])
    updates_in_app: so.Mapped[bool] = so.mapped_column(default=DEFAULTS["updates_in_app"])
    email_digest: so.Mapped[bool] = so.mapped_column(default=DEFAULTS["email_digest"])
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)

    @property
    def reminder_prefs(self) -> ReminderPrefs:
        return ReminderPrefs(
            lead_days=tuple(int(d) for d in self.lead_days.split(",") if d.strip()),
            on_the_day=self.on_the_day, overdue_every=self.overdue_every, time_zone=self.time_zone,
            hour=self.reminder_hour, quiet_start=self.quiet_start, quiet_end=self.quiet_end,
        )

    def wants(self, category: str, channel: str) -> bool:
        return bool(getattr(self, f"{category}_{channel}"))

    @classmethod
    def defaults(cls, user_id: int) -> NotificationPreference:
        """The settings of someone who never changed them (not added to the session)."""
        return cls(user_id=user_id, **DEFAULTS)


class ProjectMute(db.Model):  # type: ignore[name-defined,misc]
    """One person wants no reminders or updates from one campaign."""

    __tablename__ = "project_mutes"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
