"""Products, their price bands, marketing links, owners, and market coverage per region."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import money, one_of
from app.extensions import db
from app.regions.models import Region

PRODUCT_STATUSES = {"planned": "Planned", "beta": "Beta", "available": "Available", "retired": "Retired"}
COVERAGE = {"sellable": "Sellable", "not_allowed": "Not allowed", "planned": "Planned"}

product_owners = sa.Table(
    "product_owners",
    db.metadata,
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Product(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "products"
    __table_args__ = (
        one_of("status", PRODUCT_STATUSES),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    summary: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    key_traits: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    differences: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="planned")
    # For a planned or beta product: the day it becomes generally available.
    available_from: so.Mapped[date | None]
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="EUR")
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    owners: so.Mapped[list[User]] = so.relationship(secondary=product_owners, order_by=(User.name, User.id))
    bands: so.Mapped[list[PriceBand]] = so.relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="(PriceBand.list_price, PriceBand.id)"
    )
    links: so.Mapped[list[ProductLink]] = so.relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductLink.id"
    )
    coverage: so.Mapped[list[MarketCoverage]] = so.relationship(
        back_populates="product", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return PRODUCT_STATUSES[self.status]

    @property
    def trait_lines(self) -> list[str]:
        return [line.strip("-• ").strip() for line in self.key_traits.splitlines() if line.strip()]

    @property
    def difference_lines(self) -> list[str]:
        return [line.strip("-• ").strip() for line in self.differences.splitlines() if line.strip()]

    def coverage_in(self, region_id: int) -> MarketCoverage | None:
        return next((c for c in self.coverage if c.region_id == region_id), None)

    def is_owned_by(self, user: User) -> bool:
        return any(owner.id == user.id for owner in self.owners)


class PriceBand(db.Model):  # type: ignore[name-defined,misc]
    """A tier's prices: the list price, and the lowest price sales may offer without extra approval."""

    __tablename__ = "price_bands"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "tier", name="uq_price_bands_product_id_tier"),
        sa.CheckConstraint("minimum_price <= list_price", name="minimum_below_list"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    tier: so.Mapped[str] = so.mapped_column(sa.String(60))
    list_price: so.Mapped[Decimal] = so.mapped_column(money())
    minimum_price: so.Mapped[Decimal] = so.mapped_column(money())
    unit: so.Mapped[str] = so.mapped_column(sa.String(40), default="per seat / month")

    product: so.Mapped[Product] = so.relationship(back_populates="bands")


class ProductLink(db.Model):  # type: ignore[name-defined,misc]
    """Marketing material: a deck, a datasheet, a demo video."""

    __tablename__ = "product_links"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(120))
    url: so.Mapped[str] = so.mapped_column(sa.String(500))

    product: so.Mapped[Product] = so.relationship(back_populates="links")


class MarketCoverage(db.Model):  # type: ignore[name-defined,misc]
    """Whether a product may be sold in a region: sellable, not allowed (and why), or planned from a date."""

    __tablename__ = "market_coverage"
    __table_args__ = (
        one_of("status", COVERAGE),
    )

    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(20))
    reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    planned_from: so.Mapped[date | None]

    product: so.Mapped[Product] = so.relationship(back_populates="coverage")
    region: so.Mapped[Region] = so.relationship()

    @property
    def status_label(self) -> str:
        return COVERAGE[self.status]
