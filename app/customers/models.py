"""A customer (an account): the one record every commitment and feedback item about it points to."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.extensions import db
from app.regions.models import Region

#: Where a customer's record came from: a CRM by its name, or typed in by hand (no source).
CRM_SOURCES = {"salesforce": "Salesforce", "hubspot": "HubSpot", "other": "Another CRM"}
NAME_MAX = 160
EXTERNAL_ID_MAX = 120
DOMAIN_MAX = 253
NOTES_MAX = 4000


class Customer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "customers"
    __table_args__ = (
        sa.CheckConstraint("crm_source IS NULL OR crm_source IN ('salesforce', 'hubspot', 'other')",
                           name="crm_source"),
        # Both or neither: a CRM id means nothing without the CRM it is an id in.
        sa.CheckConstraint("(crm_source IS NULL) = (external_id IS NULL)", name="crm_pair"),
        # NULLs are distinct: any number of customers typed in by hand, one per CRM id.
        sa.UniqueConstraint("crm_source", "external_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(NAME_MAX))
    # normalise(name) (app/customers/names.py): how a typed name finds its record, and duplicates each other.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(NAME_MAX), index=True)
    crm_source: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(EXTERNAL_ID_MAX))
    region_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("regions.id", ondelete="SET NULL"), index=True)
    owner_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    domain: so.Mapped[str] = so.mapped_column(sa.String(DOMAIN_MAX), default="")
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    region: so.Mapped[Region | None] = so.relationship()
    owner: so.Mapped[User | None] = so.relationship()
    aliases: so.Mapped[list[CustomerAlias]] = so.relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerAlias.id")

    @property
    def crm_label(self) -> str:
        return CRM_SOURCES.get(self.crm_source or "", "Entered by hand")

    @property
    def path(self) -> str:
        return f"/customers/{self.id}"

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.name!r}>"


class CustomerAlias(db.Model):  # type: ignore[name-defined,misc]
    """A CRM id a merged-away duplicate had: an upsert by it still finds the survivor."""

    __tablename__ = "customer_aliases"
    __table_args__ = (
        sa.CheckConstraint("crm_source IN ('salesforce', 'hubspot', 'other')", name="crm_source"),
        sa.UniqueConstraint("crm_source", "external_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    crm_source: so.Mapped[str] = so.mapped_column(sa.String(20))
    external_id: so.Mapped[str] = so.mapped_column(sa.String(EXTERNAL_ID_MAX))
    merged_name: so.Mapped[str] = so.mapped_column(sa.String(NAME_MAX), default="")  # who it was before the merge
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    customer: so.Mapped[Customer] = so.relationship(back_populates="aliases")
