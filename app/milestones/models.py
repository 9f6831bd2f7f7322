"""Milestones and tasks."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import new_uuid, one_of
from app.extensions import db
from app.projects.models import Project
from workflows.milestone import STATES, MilestoneState


class Milestone(db.Model):  # type: ignore[name-defined,misc]
    """A dated step of a campaign. ``uuid`` is stable for life: calendars use it as the event UID."""

    __tablename__ = "milestones"
    __table_args__ = (
        one_of("state", STATES),
        sa.Index("ix_milestones_state_due_date", "state", "due_date"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, unique=True, default=new_uuid)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    due_date: so.Mapped[date]
    target_value: so.Mapped[float | None]
    owner_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default=MilestoneState.OPEN)
    state_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    completed_at: so.Mapped[datetime | None]
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    project: so.Mapped[Project] = so.relationship(back_populates="milestones")
    owner: so.Mapped[User | None] = so.relationship()
    tasks: so.Mapped[list[Task]] = so.relationship(
        back_populates="milestone", cascade="all, delete-orphan", order_by="(Task.position, Task.id)"
    )

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    def is_overdue(self, today: date | None = None) -> bool:
        return self.state == MilestoneState.OPEN and self.due_date < (today or clock.today())

    @property
    def path(self) -> str:
        """The milestone on its campaign's page (milestones have no page of their own)."""
        return f"/campaigns/{self.project_id}#milestone-{self.id}"

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if not t.done]

    def __repr__(self) -> str:
        return f"<Milestone {self.id} {self.title!r}>"


class Task(db.Model):  # type: ignore[name-defined,misc]
    """A to-do under a milestone. Like milestones, ``uuid`` is its calendar UID and ``version`` its SEQUENCE."""

    __tablename__ = "tasks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, unique=True, default=new_uuid)
    milestone_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    assignee_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    due_date: so.Mapped[date | None]
    done: so.Mapped[bool] = so.mapped_column(default=False)
    done_at: so.Mapped[datetime | None]
    position: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    milestone: so.Mapped[Milestone] = so.relationship(back_populates="tasks")
    assignee: so.Mapped[User | None] = so.relationship()

    def is_overdue(self, today: date | None = None) -> bool:
        effective = self.due_date or self.milestone.due_date
        return not self.done and self.milestone.state == MilestoneState.OPEN and effective < (today or clock.today())
