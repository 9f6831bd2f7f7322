"""A piece of customer feedback, the products it concerns, and every triage decision on it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.catalog.models import Product
from app.commitments.models import Commitment
from app.core import clock
from app.core.models import money, one_of
from app.customers.models import Customer
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Project
from app.regions.models import Region
from workflows.feedback import CHANNELS, KINDS, STATES, FeedbackState

feedback_products = sa.Table(
    "feedback_products",
    db.metadata,
    sa.Column("feedback_id", sa.ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Feedback(db.Model):  # type: ignore[name-defined,misc]
    """What a customer, a prospect or the market said, as a seller recorded it."""

    __tablename__ = "feedback"
    __table_args__ = (
        one_of("state", STATES),
        one_of("kind", KINDS),
        one_of("channel", CHANNELS),
        sa.CheckConstraint("revenue_at_stake IS NULL OR revenue_at_stake >= 0", name="revenue_at_stake"),
        # The triage queue and the reports read by state and by when it was filed.
        sa.Index("ix_feedback_state_created_at", "state", "created_at"),
        # Every list of feedback pages newest first.
        sa.Index("ix_feedback_created_at_id", "created_at", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    details: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("regions.id"), index=True)
    # None when no one customer said it ("the market").
    customer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("customers.id", ondelete="SET NULL"),
                                                          index=True)
    # Where it came from, when it came from a deal: the campaign, or the commitment itself.
    project_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"))
    commitment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("commitments.id", ondelete="SET NULL"))
    source_name: so.Mapped[str] = so.mapped_column(sa.String(160), default="")  # who said it
    channel: so.Mapped[str] = so.mapped_column(sa.String(20), default="call")  # how
    revenue_at_stake: so.Mapped[Decimal | None] = so.mapped_column(money())
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="EUR")
    # Its own revenue plus that of every duplicate merged into it: what the triage queue sorts by.
    weight: so.Mapped[Decimal] = so.mapped_column(money(), default=Decimal("0"))
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default=FeedbackState.NEW)
    submitted_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    # The latest decision, kept on the item so lists and the submitter's page read one row.
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_at: so.Mapped[datetime | None]
    first_decided_at: so.Mapped[datetime | None]  # how long triage took, for the reports
    milestone_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="SET NULL"))
    planned_project_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"))
    revisit_on: so.Mapped[date | None]
    decline_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    duplicate_of_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("feedback.id", ondelete="SET NULL"),
                                                              index=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    products: so.Mapped[list[Product]] = so.relationship(secondary=feedback_products, order_by=Product.name)
    region: so.Mapped[Region] = so.relationship()
    customer: so.Mapped[Customer | None] = so.relationship()
    project: so.Mapped[Project | None] = so.relationship(foreign_keys=[project_id])
    commitment: so.Mapped[Commitment | None] = so.relationship()
    submitted_by: so.Mapped[User] = so.relationship(foreign_keys=[submitted_by_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])
    milestone: so.Mapped[Milestone | None] = so.relationship()
    planned_project: so.Mapped[Project | None] = so.relationship(foreign_keys=[planned_project_id])
    duplicate_of: so.Mapped[Feedback | None] = so.relationship(remote_side=[id])
    decisions: so.Mapped[list[FeedbackDecision]] = so.relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackDecision.id",
        foreign_keys="FeedbackDecision.feedback_id",
    )

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def channel_label(self) -> str:
        return CHANNELS[self.channel]

    @property
    def path(self) -> str:
        return f"/feedback/{self.id}"

    @property
    def history(self) -> list[FeedbackDecision]:
        """Its decisions in the order they were taken."""
        return sorted(self.decisions, key=lambda d: (d.decided_at, d.id))

    def __repr__(self) -> str:
        return f"<Feedback {self.id} {self.state}>"


class FeedbackDecision(db.Model):  # type: ignore[name-defined,misc]
    """One triage decision, as the submitter was told it; the item's history."""

    __tablename__ = "feedback_decisions"
    __table_args__ = (one_of("to_state", STATES),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    feedback_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    from_state: so.Mapped[str] = so.mapped_column(sa.String(20))
    to_state: so.Mapped[str] = so.mapped_column(sa.String(20))
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decided_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    # What the decision named: the delivering milestone or campaign, the revisit date, the reason, the original.
    milestone_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="SET NULL"))
    project_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"))
    revisit_on: so.Mapped[date | None]
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    duplicate_of_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("feedback.id", ondelete="SET NULL"))

    feedback: so.Mapped[Feedback] = so.relationship(back_populates="decisions", foreign_keys=[feedback_id])
    decided_by: so.Mapped[User] = so.relationship()
    milestone: so.Mapped[Milestone | None] = so.relationship()
    project: so.Mapped[Project | None] = so.relationship()
    duplicate_of: so.Mapped[Feedback | None] = so.relationship(foreign_keys=[duplicate_of_id])

    @property
    def state_label(self) -> str:
        return STATES[self.to_state]
