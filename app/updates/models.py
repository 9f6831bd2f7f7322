"""A product update published to sales (a new price band, a new region, a retired product) and who read it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.catalog.models import Product
from app.core import clock
from app.core.models import one_of
from app.extensions import db
from app.regions.models import Region
from app.teams.models import Team

KINDS = {
    "pricing": "Pricing",
    "region": "Regions",
    "launch": "Launch",
    "retirement": "Retirement",
    "feature": "Features",
    "other": "Other",
}


class ProductUpdate(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "product_updates"
    __table_args__ = (one_of("kind", KINDS),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    product_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The region it concerns, if one (a new region opened, a price for one market); None: everywhere.
    region_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("regions.id"))
    # Who it is for: a team's sellers, a region's sellers, or (both None) every seller. Only they are
    # told and asked to acknowledge, counted as they stand now (someone who joins the team later is asked
    # too). A team's update also stores the team's region: should the team be deleted, it falls back to
    # that region's sellers rather than widening to everyone.
    audience_region_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("regions.id"))
    audience_team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"))
    requires_ack: so.Mapped[bool] = so.mapped_column(default=False)
    published_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    published_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, index=True)

    product: so.Mapped[Product] = so.relationship()
    region: so.Mapped[Region | None] = so.relationship(foreign_keys=[region_id])
    audience_region: so.Mapped[Region | None] = so.relationship(foreign_keys=[audience_region_id])
    audience_team: so.Mapped[Team | None] = so.relationship()
    published_by: so.Mapped[User] = so.relationship()
    acknowledgements: so.Mapped[list[UpdateAcknowledgement]] = so.relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="(UpdateAcknowledgement.acknowledged_at, UpdateAcknowledgement.user_id)"
    )

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def audience_label(self) -> str:
        """Who it is for, in words: "Milan field sales", "EMEA South sellers" or "every seller"."""
        if self.audience_team is not None:
            return self.audience_team.name
        if self.audience_region is not None:
            return f"{self.audience_region.name} sellers"
        return "every seller"

    @property
    def path(self) -> str:
        return f"/updates/{self.id}"

    def acknowledgement_by(self, user: User) -> UpdateAcknowledgement | None:
        """``user``'s acknowledgement of this update, if they gave one."""
        return next((a for a in self.acknowledgements if a.user_id == user.id), None)


class UpdateAcknowledgement(db.Model):  # type: ignore[name-defined,misc]
    """One seller confirmed they read one update."""

    __tablename__ = "update_acknowledgements"

    update_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("product_updates.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    acknowledged_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    update: so.Mapped[ProductUpdate] = so.relationship(back_populates="acknowledgements")
    user: so.Mapped[User] = so.relationship()
