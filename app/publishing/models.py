"""Publishing tokens: the named credentials an intranet or a CRM reads the published catalog with."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.extensions import db


class PublishingToken(db.Model):  # type: ignore[name-defined,misc]
    """One named reader of the published catalog ("Intranet", "Salesforce widget").

    The token is ``cspub_ + selector + secret``, as a calendar link's: the selector finds the row
    (an id, not a secret), the secret is checked against ``secret_hash`` in constant time, and
    neither the token nor the secret is stored. It belongs to no person: it reads the catalog,
    nothing else, so it outlives whoever made it.
    """

    __tablename__ = "publishing_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    selector: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    secret_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Written at most once a minute (services.TOUCH_EVERY): a widget may poll every few seconds.
    last_used_at: so.Mapped[datetime | None]
    revoked_at: so.Mapped[datetime | None]
    revoked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])
    revoked_by: so.Mapped[User | None] = so.relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<PublishingToken {self.id} {self.name!r}>"
