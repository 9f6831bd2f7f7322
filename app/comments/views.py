"""Comment pages: a record's thread (on its own page, and a page of its own with the older comments),
posting, editing and removing a comment, and the @mention suggestions.

The pages of campaigns, commitments and feedback show the thread through the ``comment_thread``
template global this blueprint adds, so those features need not import comments, above them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.comments import access, services
from app.comments.access import Kind
from app.comments.forms import CommentForm
from app.comments.models import Comment
from app.core import clock
from app.core.pagination import page_request
from app.core.urls import local_path
from app.core.views import run_and_flash, save_form

bp = Blueprint("comments", __name__, url_prefix="/comments")
bp.before_request(login_required(lambda: None))


@dataclass(frozen=True)
class Thread:
    """What a thread's template shows: the comments oldest first, each one's HTML and the reader's options."""

    kind: Kind
    record: Any
    comments: list[Comment]
    total: int
    html: dict[int, Markup]
    editable: set[int]
    removable: set[int]
    form: CommentForm
    older: str | None  # the page of the older comments, when there are some
    back: str  # where a posted comment returns the reader

    @property
    def post_url(self) -> str:
        return url_for("comments.add", kind=self.kind.name, record_id=self.record.id)

    @property
    def people_url(self) -> str:
        return url_for("comments.people", kind=self.kind.name, record_id=self.record.id)


def _thread(kind: Kind, record: Any, comments: list[Comment], total: int, older: str | None, back: str,
            form: CommentForm | None = None) -> Thread:
    now = clock.now()
    return Thread(kind, record, comments, total, {c.id: services.render(c) for c in comments},
                  {c.id for c in comments if access.can_edit(current_user, c, now)},
                  {c.id for c in comments if access.can_remove(current_user, c, now)},
                  form or CommentForm(formdata=None), older, back)


@bp.app_template_global("comment_thread")
def comment_thread(kind_name: str, record: Any) -> Thread:
    """The newest comments of ``record`` (which the page already showed the reader may see) and the form."""
    kind = access.KINDS[kind_name]
    latest = services.latest(kind, record.id)
    older = url_for("comments.thread", kind=kind.name, record_id=record.id) if latest.total > len(latest.items) else None
    return _thread(kind, record, latest.items[::-1], latest.total, older, request.path)


def _record_page(kind: Kind, record: Any) -> str:
    if kind.name == "milestone":
        return url_for("comments.thread", kind=kind.name, record_id=record.id)
    return str(record.path)


@bp.get("/<kind>/<int:record_id>")
def thread(kind: str, record_id: int, form: CommentForm | None = None, status: int = 200) -> tuple[str, int]:
    """All of a record's comments, a page at a time (the newest page first, each page oldest first)."""
    found = access.kind_or_404(kind)
    record = access.record_or_404(current_user, found, record_id)
    page = services.thread(found, record.id, page_request())
    here = url_for("comments.thread", kind=found.name, record_id=record.id)
    view = _thread(found, record, page.items[::-1], 0, page.next_url(), here, form)
    return render_template("comments/thread.html", thread=view, page=page, record_page=_record_page(found, record),
                           kind_label=found.name), status


@bp.post("/<kind>/<int:record_id>")
def add(kind: str, record_id: int) -> Response | tuple[str, int]:
    found = access.kind_or_404(kind)
    record = access.record_or_404(current_user, found, record_id)
    form = CommentForm()
    posted = save_form(form, lambda: services.post(current_user, found, record, form.body.data or "",
                                                   form.mention_ids.data or []), "comment")
    if posted is None:
        return thread(found.name, record.id, form, 400)
    _say_unreached(posted)
    back = local_path(request.form.get("next")) or _record_page(found, record)
    return redirect(f"{back.split('#')[0]}#comment-{posted.comment.id}")


def _say_unreached(posted: services.Posted) -> None:
    if posted.unreached:
        flash(f"Not told: {', '.join(posted.unreached)} cannot see this {posted.comment.kind}, "
              "so the mention reached nobody.", "warning")


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int) -> Response | str:
    comment, kind, record = access.comment_or_404(current_user, comment_id)
    back = f"{_record_page(kind, record)}#comment-{comment.id}"
    if not access.can_edit(current_user, comment, clock.now()):
        flash("This comment can no longer be edited: its author edits it in the first 10 minutes only.", "error")
        return redirect(back)
    form = CommentForm(obj=None if request.method == "POST" else comment)
    if request.method == "GET":
        form.mention_ids.data = [u.id for u in comment.mentioned]
    posted = save_form(form, lambda: services.edit(current_user, kind, record, comment, form.body.data or "",
                                                   form.mention_ids.data or []), "comment")
    if posted is not None:
        _say_unreached(posted)
        flash("Comment edited.", "success")
        return redirect(back)
    return render_template("comments/edit.html", form=form, comment=comment, kind=kind, record=record, back=back,
                           people_url=url_for("comments.people", kind=kind.name, record_id=record.id))


@bp.post("/<int:comment_id>/remove")
def remove(comment_id: int) -> Response:
    comment, kind, record = access.comment_or_404(current_user, comment_id)
    run_and_flash(lambda: services.remove(current_user, kind, record, comment), "Comment removed.", "comment")
    return redirect(f"{_record_page(kind, record)}#comment-{comment_id}")


@bp.get("/<kind>/<int:record_id>/people")
def people(kind: str, record_id: int) -> Response:
    """Who an @mention may name on this record: up to 10 people matching ``?q=`` by name or email."""
    found = access.kind_or_404(kind)
    record = access.record_or_404(current_user, found, record_id)
    found_people = services.suggestions(found, record, request.args.get("q", ""))
    return jsonify([{"id": u.id, "name": u.name, "email": u.email} for u in found_people])
