"""A sales team in a region, and each seller's place: one region and at most one team.

A seller's region is stored on their placement, whether or not they are in a team: in a team it
is always the team's region (the services keep the two in step when a team moves region), so
"the sellers of a region" is one indexed column, team members and sellers without a team alike.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.extensions import db
from app.regions.models import Region


class Team(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "teams"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)  # "Milan field sales"
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("regions.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)

    region: so.Mapped[Region] = so.relationship()
    #: How many active members it has, where a query asked for it (:func:`app.teams.services.teams`):
    #: read with the team in the same statement, None otherwise.
    member_count: so.Mapped[int | None] = so.query_expression()

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class Placement(db.Model):  # type: ignore[name-defined,misc]
    """Where one seller stands: their region, and their team if they are in one (a seller has one row at most)."""

    __tablename__ = "seller_placements"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    region_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("regions.id"), index=True)
    # A deleted team leaves its members in its region, without a team.
    team_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    placed_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)

    user: so.Mapped[User] = so.relationship()
    region: so.Mapped[Region] = so.relationship()
    team: so.Mapped[Team | None] = so.relationship()

