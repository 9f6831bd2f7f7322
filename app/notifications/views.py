"""The inbox: a person's notifications, unread first."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.core.forms import CsrfForm
from app.core.views import commit, is_local_path
from app.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/inbox")
bp.before_request(login_required(lambda: None))
# Settings (/settings/notifications) and the signed links in emails (/email/preferences/<token>).
settings_bp = Blueprint("notification_settings", __name__)


@bp.get("/")
def index() -> str:
    return render_template("notifications/index.html", notifications=services.recent(current_user), form=CsrfForm())


@bp.post("/<int:notification_id>/open")
def open_(notification_id: int) -> Response:
    """Mark it read and go where it points (always a path inside Countersign)."""
    note = services.own_notification(current_user, notification_id)
    if note is None or not CsrfForm().validate_on_submit():
        abort(404)
    services.mark_read(current_user, note.id)
    commit()
    target = note.link if is_local_path(note.link) else url_for(".index")
    return redirect(target)


@bp.post("/read")
def read_all() -> Response:
    if CsrfForm().validate_on_submit():
        services.mark_read(current_user)
        commit()
    return redirect(url_for(".index"))
