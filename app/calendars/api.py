"""Calendar links in the JSON API: list, create (the only time the URL is shown), revoke."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from app.api import api_blueprint, json_body, page_json, timestamp, validated
from app.calendars import services
from app.calendars.access import feed_or_404
from app.calendars.forms import CalendarLinkForm
from app.calendars.models import CalendarFeed
from app.calendars.views import subscribe_links
from app.core.pagination import page_request
from app.core.views import commit, saving

bp = api_blueprint("calendars", __name__)


def feed_json(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": feed.id, "name": feed.name, "kind": feed.kind, "kind_label": feed.kind_label,
        "project_id": feed.project_id, "only_mine": feed.only_mine, "alarm_minutes": feed.alarm_minutes,
        "created_at": timestamp(feed.created_at), "last_fetched_at": timestamp(feed.last_fetched_at),
        "revoked_at": timestamp(feed.revoked_at), "active": not feed.is_revoked,
    }


@bp.get("/calendar-feeds")
def list_feeds() -> Response:
    """One's own links (never their URLs: those are shown once), and the calendars one may subscribe to."""
    return page_json(
        services.user_feeds(current_user, page_request()), feed_json,
        enabled=services.feeds_enabled(), kinds=services.available_kinds(current_user),
        alarms=[{"minutes": minutes, "label": label} for minutes, label in services.ALARMS.items()],
    )


@bp.post("/calendar-feeds")
def create_feed() -> tuple[Response, int]:
    form = validated(CalendarLinkForm, json_body(), user=current_user)
    with saving("calendar link"):
        feed, token = services.create_feed(current_user, form.data_for_service())
    links = subscribe_links(token, feed.name)
    return jsonify({**feed_json(feed), "url": links["https"], "webcal_url": links["webcal"]}), 201


@bp.delete("/calendar-feeds/<int:feed_id>")
def revoke_feed(feed_id: int) -> Response:
    feed = feed_or_404(current_user, feed_id)
    services.revoke_feed(current_user, feed)
    commit()
    return jsonify(feed_json(feed))
