"""A comment on a commentable record, and the people it mentions (by id, not only by name)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.core import clock
from app.core.models import one_of
from app.extensions import db

#: The kinds of record one may comment on, as they appear in URLs (``/api/v1/campaigns/7/comments``
#: is the kind "campaign"). Their rules are in :mod:`app.comments.access`.
KINDS = {"campaign": "Campaign", "milestone": "Milestone", "commitment": "Commitment", "feedback": "Feedback item"}

comment_mentions = sa.Table(
    "comment_mentions",
    db.metadata,
    sa.Column("comment_id", sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Comment(db.Model):  # type: ignore[name-defined,misc]
    """Plain text (line breaks kept, no markup) by one person on one record; removed ones stay as a marker."""

    __tablename__ = "comments"
    __table_args__ = (
        one_of("kind", KINDS),
        # A thread reads one record's comments newest first, a page at a time.
        sa.Index("ix_comments_kind_record_id_id", "kind", "record_id", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    # The record's id in its own table: one column for the four kinds, whose rules decide who reads it.
    record_id: so.Mapped[int] = so.mapped_column()
    # The campaign the record belongs to (none for most feedback), for the campaign's history.
    project_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"),
                                                         index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    edited_at: so.Mapped[datetime | None]
    deleted_at: so.Mapped[datetime | None]
    deleted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id])
    mentioned: so.Mapped[list[User]] = so.relationship(secondary=comment_mentions, order_by=User.name)

    @property
    def removed(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.kind} {self.record_id}>"
