"""A campaign (project), its members, goal actuals and expenses."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import money, new_uuid, one_of, str_enum
from app.extensions import db
from app.regions.models import Region
from workflows.project import BASELINED_STATES, CLOSED_STATES, OUTCOMES, STATES, ProjectState

if TYPE_CHECKING:
    from app.milestones.models import Milestone


class ProjectRole(enum.StrEnum):
    OWNER = "owner"
    PROJECT_MANAGER = "project_manager"
    PRODUCT_MANAGER = "product_manager"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


project_regions = sa.Table(
    "project_regions",
    db.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", sa.ForeignKey("regions.id", ondelete="RESTRICT"), primary_key=True),
)


class Project(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "projects"
    __table_args__ = (
        one_of("state", STATES),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date > start_date", name="dates"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, unique=True, default=new_uuid)
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    kind: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    goal_statement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    goal_metric: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    goal_unit: so.Mapped[str] = so.mapped_column(sa.String(20), default="")
    goal_baseline: so.Mapped[float] = so.mapped_column(default=0.0)
    goal_target: so.Mapped[float | None]
    budget: so.Mapped[Decimal] = so.mapped_column(money(), default=Decimal("0"))
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="EUR")
    start_date: so.Mapped[date | None]
    end_date: so.Mapped[date | None]
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default=ProjectState.DRAFT, index=True)
    state_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    project_manager_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: so.Mapped[User] = so.relationship(foreign_keys=[owner_id])
    project_manager: so.Mapped[User | None] = so.relationship(foreign_keys=[project_manager_id])
    regions: so.Mapped[list[Region]] = so.relationship(secondary=project_regions, order_by=Region.name)
    memberships: so.Mapped[list[ProjectMember]] = so.relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    milestones: so.Mapped[list[Milestone]] = so.relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="(Milestone.position, Milestone.id)"
    )
    actuals: so.Mapped[list[GoalActual]] = so.relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="(GoalActual.measured_on, GoalActual.id)"
    )
    expenses: so.Mapped[list[Expense]] = so.relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="(Expense.spent_on, Expense.id)"
    )

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome or "", "")

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    @property
    def replanning(self) -> bool:
        """Planned and not closed: the roadmap has a plan of record, so every change to it is a
        re-plan that needs a reason (the milestones' forms and the roadmap's both ask)."""
        return self.state in BASELINED_STATES

    @property
    def path(self) -> str:
        """Where the campaign's page is; notifications link here without a request."""
        return f"/campaigns/{self.id}"

    @property
    def members(self) -> list[User]:
        return [m.user for m in self.memberships]

    @property
    def spent(self) -> Decimal:
        return sum((e.amount for e in self.expenses), Decimal("0"))

    @property
    def latest_actual(self) -> GoalActual | None:
        return self.actuals[-1] if self.actuals else None

    def members_with(self, role: ProjectRole) -> list[User]:
        return [m.user for m in self.memberships if m.role is role]

    def member_ids_with(self, role: ProjectRole) -> list[int]:
        """The ids alone: what a list's JSON names, without loading each person."""
        return [m.user_id for m in self.memberships if m.role is role]

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title!r}>"


class ProjectMember(db.Model):  # type: ignore[name-defined,misc]
    """Who belongs to a campaign, and as what. Seeing a campaign requires a row here (or admin)."""

    __tablename__ = "project_members"

    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: so.Mapped[ProjectRole] = so.mapped_column(str_enum(ProjectRole))
    added_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    project: so.Mapped[Project] = so.relationship(back_populates="memberships")
    user: so.Mapped[User] = so.relationship()


class GoalActual(db.Model):  # type: ignore[name-defined,misc]
    """One reported value of the campaign's goal metric."""

    __tablename__ = "goal_actuals"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    value: so.Mapped[float]
    measured_on: so.Mapped[date]
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    project: so.Mapped[Project] = so.relationship(back_populates="actuals")
    recorded_by: so.Mapped[User] = so.relationship()


class Expense(db.Model):  # type: ignore[name-defined,misc]
    """Money spent from the campaign budget."""

    __tablename__ = "expenses"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    amount: so.Mapped[Decimal] = so.mapped_column(money())
    spent_on: so.Mapped[date]
    description: so.Mapped[str] = so.mapped_column(sa.String(200))
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    recorded_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    project: so.Mapped[Project] = so.relationship(back_populates="expenses")
    recorded_by: so.Mapped[User] = so.relationship()
