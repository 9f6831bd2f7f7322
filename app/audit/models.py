"""One audit event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core import clock
from app.extensions import db

if TYPE_CHECKING:
    # The trail sits below accounts: the mapper finds "User" by name when the models are configured.
    from app.accounts.models import User


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_project_id_at", "project_id", "at"),
        # One record's history and its latest event (a commitment's trail, when a product last
        # changed, when a campaign was completed): the trail is the largest table and only grows.
        sa.Index("ix_audit_events_entity_entity_id_at", "entity", "entity_id", "at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # No foreign key: the trail outlives the records it speaks of.
    project_id: so.Mapped[int | None]
    entity: so.Mapped[str] = so.mapped_column(sa.String(30))
    entity_id: so.Mapped[int | None]
    action: so.Mapped[str] = so.mapped_column(sa.String(40))
    from_state: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    to_state: so.Mapped[str | None] = so.mapped_column(sa.String(30))
    summary: so.Mapped[str] = so.mapped_column(sa.String(300))
    details: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    actor: so.Mapped[User | None] = so.relationship()
