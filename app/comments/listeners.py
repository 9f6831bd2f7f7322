"""What a comment does when posted or edited: the people it newly @mentions are told.

Only people who may see the record are ever kept as mentioned (:mod:`app.comments.services`);
the check is asked again here, in the event's transaction, so a notification never links to a
record its reader cannot open. A mention is addressed to one person, so a muted campaign does not
silence it; their channel settings for updates (in the app, email, digest, quiet hours) apply.
"""

from __future__ import annotations

from app.accounts.models import User
from app.comments.access import KINDS
from app.comments.models import Comment
from app.comments.services import audience
from app.core import events
from app.events import CommentPosted
from app.notifications.services import notify


def link(comment: Comment) -> str:
    """Where the comment is read: its record's page (a milestone's thread is a page of its own)."""
    if comment.kind == "milestone":
        return f"/comments/milestone/{comment.record_id}#comment-{comment.id}"
    return f"{_PATHS[comment.kind].format(comment.record_id)}#comment-{comment.id}"


_PATHS = {"campaign": "/campaigns/{}", "commitment": "/commitments/{}", "feedback": "/feedback/{}"}


def comment_posted(event: CommentPosted) -> None:
    """Each person newly mentioned who may see the record."""
    if not event.mentioned_ids:
        return
    comment, actor = events.named(Comment, event.comment_id), events.named(User, event.actor_id)
    kind = KINDS[event.kind]
    record = kind.find(actor, event.record_id)
    people = audience(kind, record, event.mentioned_ids)
    excerpt = comment.body if len(comment.body) <= 300 else comment.body[:299] + "…"
    notify(people.values(), "mention", f"{actor.name} mentioned you on the {kind.name} “{kind.title(record)}”",
           excerpt, link=link(comment), skip=actor)


def init_app() -> None:
    """Subscribe the handler, in the transaction of the comment."""
    events.subscribe(CommentPosted, comment_posted)
