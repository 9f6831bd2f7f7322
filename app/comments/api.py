"""Comments in the JSON API: a record's thread, posting, editing and removing a comment.

``/api/v1/{campaigns|milestones|commitments|feedback}/{id}/comments`` reads (newest first) and
posts; ``/api/v1/comments/{id}`` edits and removes. A record one may not see is a 404, its
comments too; editing after the window, or another's comment, is a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from flask import Response, jsonify
from flask_login import current_user

from app.api import PersonRef, api_blueprint, json_body, page_json, person, timestamp, validated
from app.api.openapi import operation
from app.api.schemas import Timestamp
from app.comments import access, services
from app.comments.forms import CommentForm
from app.comments.models import Comment
from app.core import clock
from app.core.pagination import page_request
from app.core.views import commit

bp = api_blueprint("comments", __name__)

#: The URL's collection name of each commentable kind, and the name of its id in the URL (as the record's own routes name it).
COLLECTIONS = {"campaigns": ("campaign", "project_id"), "milestones": ("milestone", "milestone_id"),
               "commitments": ("commitment", "commitment_id"), "feedback": ("feedback", "feedback_id")}


class CommentJson(TypedDict):
    id: int
    kind: str
    record_id: int
    author: PersonRef | None
    body: str  # "" once removed
    mentions: list[PersonRef]
    created_at: Timestamp
    edited_at: Timestamp | None
    removed: bool
    removed_at: Timestamp | None
    editable_until: Timestamp  # its author edits or removes it until then
    can_edit: bool
    can_remove: bool


class PostedJson(CommentJson):
    unreached: list[str]  # names picked who may not see the record: their mention reached nobody


def comment_json(comment: Comment) -> CommentJson:
    now = clock.now()
    return {
        "id": comment.id,
        "kind": comment.kind,
        "record_id": comment.record_id,
        "author": person(comment.author),
        "body": comment.body,
        "mentions": [p for u in comment.mentioned if (p := person(u)) is not None],
        "created_at": timestamp(comment.created_at) or "",
        "edited_at": timestamp(comment.edited_at),
        "removed": comment.removed,
        "removed_at": timestamp(comment.deleted_at),
        "editable_until": timestamp(comment.created_at + access.EDIT_WINDOW) or "",
        "can_edit": access.can_edit(current_user, comment, now),
        "can_remove": access.can_remove(current_user, comment, now),
    }


def _posted(posted: services.Posted) -> PostedJson:
    return {**comment_json(posted.comment), "unreached": posted.unreached}


def _list_view(kind_name: str) -> Callable[..., Response]:
    kind = access.KINDS[kind_name]

    def list_comments(**ids: int) -> Response:
        [record_id] = ids.values()
        record = access.record_or_404(current_user, kind, record_id)
        return page_json(services.thread(kind, record.id, page_request()), comment_json)

    list_comments.__doc__ = (f"The {kind_name}'s comments, newest first.\n\nRemoved ones stay, without their text "
                             "(`removed`); `mentions` are the people each names.")
    return list_comments


def _post_view(kind_name: str) -> Callable[..., tuple[Response, int]]:
    kind = access.KINDS[kind_name]

    def post_comment(**ids: int) -> tuple[Response, int]:
        [record_id] = ids.values()
        record = access.record_or_404(current_user, kind, record_id)
        form = validated(CommentForm, json_body())
        posted = services.post(current_user, kind, record, form.body.data or "", form.mention_ids.data or [])
        commit("comment")
        return jsonify(_posted(posted)), 201

    post_comment.__doc__ = (
        f"Comment on the {kind_name}: `body` (plain text, up to 4,000 characters) and `mention_ids`.\n\n"
        "Each id in `mention_ids` is a mention while its `@Name` is in the body and the person may see the "
        f"{kind_name}; they are told. `unreached` names those picked who may not see it.")
    return post_comment


for _collection, (_kind, _arg) in COLLECTIONS.items():
    bp.add_url_rule(f"/{_collection}/<int:{_arg}>/comments", f"list_{_kind}_comments",
                    operation(CommentJson, paged=True)(_list_view(_kind)), methods=["GET"])
    bp.add_url_rule(f"/{_collection}/<int:{_arg}>/comments", f"post_{_kind}_comment",
                    operation(PostedJson, status=201, body=CommentForm)(_post_view(_kind)), methods=["POST"])


@bp.patch("/comments/<int:comment_id>")
@operation(PostedJson, body=CommentForm, errors=(403,))
def edit_comment(comment_id: int) -> Response:
    """Change your comment's `body` and `mention_ids`, within 10 minutes of posting it (later: 403).

    People newly mentioned are told; those mentioned before are not told again."""
    comment, kind, record = access.comment_or_404(current_user, comment_id)
    form = validated(CommentForm, json_body())
    posted = services.edit(current_user, kind, record, comment, form.body.data or "", form.mention_ids.data or [])
    commit("comment")
    return jsonify(_posted(posted))


@bp.delete("/comments/<int:comment_id>")
@operation(status=204, errors=(403,))
def remove_comment(comment_id: int) -> tuple[str, int]:
    """Remove a comment: yours within 10 minutes of posting it, anyone's if you are an admin.

    Its text goes; a removed comment stays in the thread as a marker."""
    comment, kind, record = access.comment_or_404(current_user, comment_id)
    services.remove(current_user, kind, record, comment)
    commit("comment")
    return "", 204


