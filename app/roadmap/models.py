"""Re-plans and the changes they made; baselines: immutable snapshots of a roadmap."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.extensions import db
from app.projects.models import Project
from workflows.roadmap import change_slip_days


class Replan(db.Model):  # type: ignore[name-defined,misc]
    """One saved adjustment of a roadmap, with the reason for all its changes."""

    __tablename__ = "replans"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)

    author: so.Mapped[User | None] = so.relationship()
    changes: so.Mapped[list[RoadmapChange]] = so.relationship(
        back_populates="replan", cascade="all, delete-orphan", order_by="RoadmapChange.id"
    )


class RoadmapChange(db.Model):  # type: ignore[name-defined,misc]
    """A milestone moved, added, cancelled, restored, removed, or its target changed: old → new."""

    __tablename__ = "roadmap_changes"
    __table_args__ = (sa.Index("ix_roadmap_changes_project_id_id", "project_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    replan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("replans.id", ondelete="CASCADE"), index=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    # Kept by UUID and title too: the change log outlives a removed milestone.
    milestone_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="SET NULL"))
    milestone_uuid: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, index=True)
    milestone_title: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    old_value: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    new_value: so.Mapped[str] = so.mapped_column(sa.String(60), default="")

    replan: so.Mapped[Replan] = so.relationship(back_populates="changes")

    @property
    def slip_days(self) -> int | None:
        return change_slip_days(self.kind, self.old_value, self.new_value)


class Baseline(db.Model):  # type: ignore[name-defined,misc]
    """A named snapshot of the roadmap; never changed once taken. Number 1 is taken at planning."""

    __tablename__ = "baselines"
    __table_args__ = (sa.UniqueConstraint("project_id", "number", name="uq_baselines_project_id_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    taken_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    taken_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    start_date: so.Mapped[date | None]
    end_date: so.Mapped[date | None]

    project: so.Mapped[Project] = so.relationship()
    taken_by: so.Mapped[User | None] = so.relationship()
    items: so.Mapped[list[BaselineItem]] = so.relationship(
        back_populates="baseline", cascade="all, delete-orphan", order_by="(BaselineItem.due_date, BaselineItem.id)"
    )

    @property
    def label(self) -> str:
        return f"#{self.number} {self.name}"


class BaselineItem(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "baseline_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    baseline_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("baselines.id", ondelete="CASCADE"), index=True)
    milestone_uuid: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    due_date: so.Mapped[date]
    target_value: so.Mapped[float | None]
    state: so.Mapped[str] = so.mapped_column(sa.String(20))

    baseline: so.Mapped[Baseline] = so.relationship(back_populates="items")
