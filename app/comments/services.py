"""Posting, editing and removing comments, reading a thread, and whom an @mention may name.

A comment is plain text; ``mention_ids`` are the people the author picked from the suggestions,
each kept only while their ``@Name`` is still in the text and only if they may see the record
(the others are returned, for the author to be told that nobody was reached). The people newly
mentioned are named in :class:`~app.events.CommentPosted`, whose listener tells them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from markupsafe import Markup, escape

from app.accounts.models import User
from app.audit import services as audit
from app.comments.access import Kind, can_edit, can_remove
from app.comments.models import Comment
from app.core import clock
from app.core.errors import NotAllowed
from app.core.events import emit
from app.core.pagination import Head, Page, PageRequest, desc, head, paginate
from app.events import CommentPosted
from app.extensions import db

MAX_LENGTH = 4000
#: A comment names at most this many people; a suggestion list shows this many.
MAX_MENTIONS = 20
SUGGESTIONS = 10
#: The newest comments shown on a record's page; the older ones are a page away.
SHOWN = 50

_ORDER = (desc(Comment.id),)
_URL = r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"


@dataclass(frozen=True)
class Posted:
    comment: Comment
    #: Names the author typed and picked whom the record's rules keep from seeing it: nobody was told.
    unreached: list[str]


def _loads() -> tuple[Any, ...]:
    return (so.joinedload(Comment.author), so.selectinload(Comment.mentioned))


def thread(kind: Kind, record_id: int, asked: PageRequest) -> Page[Comment]:
    """A page of the record's comments, newest first (a page shows them oldest first)."""
    query = sa.select(Comment).where(Comment.kind == kind.name, Comment.record_id == record_id).options(*_loads())
    return paginate(query, _ORDER, asked)


def latest(kind: Kind, record_id: int) -> Head[Comment]:
    """The newest :data:`SHOWN` comments of the record and how many it has, in one query (plus the mentions')."""
    query = sa.select(Comment).where(Comment.kind == kind.name, Comment.record_id == record_id).options(*_loads())
    return head(query, _ORDER, SHOWN)


def audience(kind: Kind, record: Any, user_ids: Iterable[int]) -> dict[int, User]:
    """Of ``user_ids``, the active people who may see ``record``."""
    ids = set(user_ids)
    if not ids:
        return {}
    found = db.session.scalars(sa.select(User).where(User.id.in_(ids), User.active.is_(True), kind.audience(record)))
    return {user.id: user for user in found}


def suggestions(kind: Kind, record: Any, text: str) -> Sequence[User]:
    """Up to :data:`SUGGESTIONS` active people who may see ``record`` whose name or email starts a word with ``text``."""
    text = text.strip().lower()[:80]
    query = sa.select(User).where(User.active.is_(True), kind.audience(record))
    if text:
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        name, email = sa.func.lower(User.name), sa.func.lower(User.email)
        query = query.where(sa.or_(name.like(f"{like}%", escape="\\"), name.like(f"% {like}%", escape="\\"),
                                   email.like(f"{like}%", escape="\\")))
    return db.session.scalars(query.order_by(User.name, User.id).limit(SUGGESTIONS)).all()


def _mentions(kind: Kind, record: Any, body: str, mention_ids: Iterable[int]) -> tuple[list[User], list[str]]:
    """The people to keep as mentioned (their ``@Name`` in the text, may see the record) and the names
    of those picked whom the record's rules keep out."""
    ids = list(dict.fromkeys(mention_ids))[:MAX_MENTIONS]
    if not ids:
        return [], []
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    named = [people[i] for i in ids if i in people and f"@{people[i].name}" in body]
    allowed = audience(kind, record, [u.id for u in named])
    return [u for u in named if u.id in allowed], [u.name for u in named if u.id not in allowed]


def _audit(user: User, action: str, verb: str, kind: Kind, record: Any, comment: Comment) -> None:
    # The text stays out of the trail: a removed comment's words are gone from the history too.
    audit.record(user, action, f"{verb} on the {kind.name} “{kind.title(record)}”",
                 entity=kind.entity, entity_id=comment.record_id, project_id=comment.project_id,
                 details={"comment_id": comment.id})


def post(user: User, kind: Kind, record: Any, body: str, mention_ids: Iterable[int] = ()) -> Posted:
    """Add a comment by ``user`` on ``record`` (which they may see), and announce whom it mentions."""
    mentioned, unreached = _mentions(kind, record, body, mention_ids)
    comment = Comment(kind=kind.name, record_id=record.id, project_id=kind.project_id(record), author=user,
                      body=body, created_at=clock.now(), mentioned=mentioned)
    db.session.add(comment)
    db.session.flush()
    _audit(user, "comment.post", "Commented", kind, record, comment)
    emit(CommentPosted(comment.id, kind.name, record.id, user.id, tuple(u.id for u in mentioned)))
    return Posted(comment, unreached)


def edit(user: User, kind: Kind, record: Any, comment: Comment, body: str, mention_ids: Iterable[int] = ()) -> Posted:
    """Change the text within the edit window; people newly mentioned are told, the others not again."""
    now = clock.now()
    if not can_edit(user, comment, now):
        raise NotAllowed("Only its author edits a comment, and only in the first "
                         "10 minutes after posting it.")
    before = {u.id for u in comment.mentioned}
    mentioned, unreached = _mentions(kind, record, body, mention_ids)
    comment.body, comment.mentioned, comment.edited_at = body, mentioned, now
    db.session.flush()
    _audit(user, "comment.edit", "Edited a comment", kind, record, comment)
    new = tuple(u.id for u in mentioned if u.id not in before)
    emit(CommentPosted(comment.id, kind.name, record.id, user.id, new))
    return Posted(comment, unreached)


def remove(user: User, kind: Kind, record: Any, comment: Comment) -> None:
    """Remove the text (its author within the window, admins at any time); a "comment removed" marker stays."""
    now = clock.now()
    if not can_remove(user, comment, now):
        raise NotAllowed("A comment is removed by its author in the first 10 minutes, later by an admin.")
    _audit(user, "comment.remove", "Removed a comment", kind, record, comment)
    comment.body, comment.mentioned, comment.deleted_at, comment.deleted_by_id = "", [], now, user.id
    db.session.flush()


def render(comment: Comment) -> Markup:
    """The text as HTML: everything escaped, its mentions highlighted, web links made links.

    Line breaks stay characters (the page shows them with ``white-space: pre-wrap``)."""
    names = sorted({f"@{u.name}": u for u in comment.mentioned}.items(), key=lambda item: -len(item[0]))
    patterns = [re.escape(name) for name, _ in names] + [_URL]
    pattern = re.compile("|".join(f"({p})" for p in patterns))
    people = dict(names)
    parts: list[str] = []
    at = 0
    for found in pattern.finditer(comment.body):
        parts.append(escape(comment.body[at:found.start()]))
        text = found.group()
        if text in people:
            parts.append(Markup('<span class="mention" title="{}">{}</span>').format(people[text].email, text))
        else:
            parts.append(Markup('<a href="{}" rel="nofollow noopener noreferrer">{}</a>').format(text, text))
        at = found.end()
    parts.append(escape(comment.body[at:]))
    return Markup("").join(parts)
