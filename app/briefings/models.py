"""A briefing product gave a sales team: who, where, when, how long, what was shared, and the deck."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.catalog.models import Product
from app.core import clock
from app.extensions import db
from app.regions.models import Region
from app.teams.models import Team

briefing_products = sa.Table(
    "briefing_products",
    db.metadata,
    sa.Column("briefing_id", sa.ForeignKey("briefings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True),
)

briefing_attendees = sa.Table(
    "briefing_attendees",
    db.metadata,
    sa.Column("briefing_id", sa.ForeignKey("briefings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Briefing(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "briefings"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_minutes"),
        # The region report: briefings per region, by date.
        sa.Index("ix_briefings_region_id_held_on", "region_id", "held_on"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("regions.id"))
    # The team briefed as it was written ("Milan field sales"); ``team`` is the team record when it is
    # one (chosen on the form, or linked when a team of exactly that name in that region was saved).
    sales_team: so.Mapped[str] = so.mapped_column(sa.String(120))
    team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    held_on: so.Mapped[date]
    duration_minutes: so.Mapped[int]
    presenter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    # People who are not Countersign users, one per line ("Marco Rossi (partner)").
    guest_names: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    key_points: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    material_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    region: so.Mapped[Region] = so.relationship()
    team: so.Mapped[Team | None] = so.relationship()
    presenter: so.Mapped[User] = so.relationship(foreign_keys=[presenter_id])
    created_by: so.Mapped[User] = so.relationship(foreign_keys=[created_by_id])
    products: so.Mapped[list[Product]] = so.relationship(secondary=briefing_products, order_by=Product.name)
    attendees: so.Mapped[list[User]] = so.relationship(secondary=briefing_attendees, order_by=(User.name, User.id))
    materials: so.Mapped[list[BriefingMaterial]] = so.relationship(
        back_populates="briefing", cascade="all, delete-orphan", order_by="BriefingMaterial.id"
    )

    @property
    def team_name(self) -> str:
        """The team as pages show it: the team record's name today, else the text written."""
        return self.team.name if self.team is not None else self.sales_team

    @property
    def guests(self) -> list[str]:
        return [line.strip() for line in self.guest_names.splitlines() if line.strip()]

    @property
    def attendee_count(self) -> int:
        return len(self.attendees) + len(self.guests)

    @property
    def hours(self) -> float:
        return self.duration_minutes / 60

    @property
    def key_point_lines(self) -> list[str]:
        return [line.strip("-• ").strip() for line in self.key_points.splitlines() if line.strip()]

    @property
    def path(self) -> str:
        return f"/briefings/{self.id}"


class BriefingMaterial(db.Model):  # type: ignore[name-defined,misc]
    """An uploaded deck. The file lives under the instance folder (never under static/), named by ``stored_name``."""

    __tablename__ = "briefing_materials"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    briefing_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("briefings.id", ondelete="CASCADE"), index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))  # as uploaded, cleaned, for the download
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(120))
    size_bytes: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    briefing: so.Mapped[Briefing] = so.relationship(back_populates="materials")
    uploaded_by: so.Mapped[User] = so.relationship()
