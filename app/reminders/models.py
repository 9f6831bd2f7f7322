"""One person's reminder schedule for one milestone or task."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db


class ReminderSchedule(db.Model):  # type: ignore[name-defined,misc]
    """Where one person's reminders for one item stand.

    ``next_at`` is the only column the sweep filters on, through its index, so a sweep with
    nothing due costs one index probe however many milestones exist. ``cursor`` is the time
    up to which slots are handled; ``due_date`` is the date the schedule was worked out for,
    so a moved deadline is noticed even if the move did not reschedule (it always does).
    """

    __tablename__ = "reminder_schedules"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_key", name="uq_reminder_schedules_user_id_item_key"),
        sa.CheckConstraint("(task_id IS NULL) OR (milestone_id IS NOT NULL)", name="task_has_milestone"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "m12" for milestone 12, "t34" for task 34: one key space for the unique constraint.
    item_key: so.Mapped[str] = so.mapped_column(sa.String(24))
    milestone_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    task_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    due_date: so.Mapped[date]
    cursor: so.Mapped[datetime]
    next_at: so.Mapped[datetime | None] = so.mapped_column(index=True)
    last_sent_at: so.Mapped[datetime | None]


def milestone_key(milestone_id: int) -> str:
    return f"m{milestone_id}"


def task_key(task_id: int) -> str:
    return f"t{task_id}"
