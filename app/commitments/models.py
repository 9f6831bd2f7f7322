"""A promise sales made to a customer, and the countersignature it needs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.catalog.models import PriceBand, Product
from app.core import clock
from app.core.models import money, new_uuid, one_of
from app.customers.models import Customer
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Project
from app.regions.models import Region
from workflows.commitment import STATES, CommitmentState


class Commitment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "commitments"
    __table_args__ = (
        one_of("state", STATES),
        sa.CheckConstraint("discount_percent IS NULL OR (discount_percent >= 0 AND discount_percent <= 100)",
                           name="discount"),
        # The sign-off queue: pending commitments, oldest first.
        sa.Index("ix_commitments_state_submitted_at", "state", "submitted_at"),
        # A CRM's deal is one commitment: upserting by its id finds it (NULLs distinct: most have none).
        sa.UniqueConstraint("crm_source", "crm_deal_id"),
        sa.CheckConstraint("crm_source IS NULL OR crm_source IN ('salesforce', 'hubspot', 'other')",
                           name="crm_source"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[uuid.UUID] = so.mapped_column(sa.Uuid, unique=True, default=new_uuid)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customers.id"), index=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id"), index=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("regions.id"))
    band_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("price_bands.id", ondelete="SET NULL"))
    milestone_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("milestones.id", ondelete="SET NULL"))
    promise: so.Mapped[str] = so.mapped_column(sa.Text)
    promised_date: so.Mapped[date]
    unit_price: so.Mapped[Decimal | None] = so.mapped_column(money())
    discount_percent: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2))
    quantity: so.Mapped[int] = so.mapped_column(default=1)
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default=CommitmentState.DRAFT, index=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    submitted_at: so.Mapped[datetime | None]
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_at: so.Mapped[datetime | None]
    decision_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Written by the signer when countersigning despite blockers; kept and shown for good.
    override_justification: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)
    # The CRM deal this commitment is (PUT /api/v1/commitments/external/<source>/<deal id>), when it came from one.
    crm_source: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    crm_deal_id: so.Mapped[str | None] = so.mapped_column(sa.String(120))

    __mapper_args__ = {"version_id_col": version}

    project: so.Mapped[Project] = so.relationship()
    customer: so.Mapped[Customer] = so.relationship()
    product: so.Mapped[Product] = so.relationship()
    region: so.Mapped[Region] = so.relationship()
    band: so.Mapped[PriceBand | None] = so.relationship()
    milestone: so.Mapped[Milestone | None] = so.relationship()
    created_by: so.Mapped[User] = so.relationship(foreign_keys=[created_by_id])
    submitted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[submitted_by_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def title(self) -> str:
        return f"{self.customer.name}: {self.product.name} in {self.region.name}"

    @property
    def path(self) -> str:
        """Where the commitment's page is; services link notifications here without a request."""
        return f"/commitments/{self.id}"

    @property
    def effective_price(self) -> Decimal | None:
        """The unit price after the discount, to the cent."""
        return effective_price(self.unit_price, self.discount_percent)

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.state}>"


def effective_price(unit_price: Decimal | None, discount_percent: Decimal | None) -> Decimal | None:
    """A unit price after its discount, to the cent (also for terms not saved yet: the form's live checks)."""
    if unit_price is None:
        return None
    discount = discount_percent or Decimal("0")
    return (unit_price * (Decimal("100") - discount) / Decimal("100")).quantize(Decimal("0.01"))
