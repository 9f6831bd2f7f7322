"""What the API keeps of its own: the ``Idempotency-Key`` of each POST and the response it got."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core import clock
from app.extensions import db


class IdempotencyKey(db.Model):  # type: ignore[name-defined,misc]
    """One client's ``Idempotency-Key`` (app/api/idempotency.py): claimed before its POST runs, marked
    ``applied`` in the transaction of the change, and then holding the response every retry replays.

    The unique (user, key) pair is the claim: of two requests racing with the same key, the database
    lets one insert and the other learns it lost, on SQLite and PostgreSQL alike.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Keys belong to the person, not to the token or browser they came through: a retry through a
    # renewed token is still the same request. Not a relationship: the API's plumbing names no feature.
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: so.Mapped[str] = so.mapped_column(sa.String(255))
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))  # sha256 of method, path and body, hex
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, index=True)
    applied: so.Mapped[bool] = so.mapped_column(default=False)  # the view's change committed
    status: so.Mapped[int | None]  # None while the request runs
    body: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    headers: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
