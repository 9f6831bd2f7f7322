"""The inbox in the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request
from flask_login import current_user

from app.api import api_blueprint, timestamp
from app.core.views import commit
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification

bp = api_blueprint("notifications", __name__)


def notification_json(note: Notification) -> dict[str, Any]:
    return {
        "id": note.id, "kind": note.kind, "subject": note.subject, "body": note.body, "link": note.link,
        "created_at": timestamp(note.created_at),
        "read_at": timestamp(note.read_at),
    }


@bp.get("/notifications")
def list_notifications() -> Response:
    """Unread first, then newest; ``?unread=1`` for unread only."""
    notes = services.recent(current_user, limit=200)
    if request.args.get("unread") in {"1", "true", "yes"}:
        notes = [n for n in notes if not n.is_read]
    return jsonify({"unread": services.unread_count(current_user), "notifications": [notification_json(n) for n in notes]})


@bp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int) -> Response:
    note = services.own_notification(current_user, notification_id)
    if note is None:
        abort(404)
    services.mark_read(current_user, note.id)
    commit()
    db.session.refresh(note)
    return jsonify(notification_json(note))


@bp.post("/notifications/read")
def mark_all_read() -> Response:
    count = services.mark_read(current_user)
    commit()
    return jsonify({"marked_read": count, "unread": 0})
