"""Calendar links in the JSON API: list, create (the only time the URL is shown), revoke."""

from __future__ import annotations

from typing import Annotated, TypedDict

from flask import Response, jsonify
from flask_login import current_user

from app.api import api_blueprint, json_body, page_json, timestamp, validated
from app.api.openapi import Body, operation
from app.api.schemas import OneOf, Timestamp
from app.calendars import services
from app.calendars.access import feed_or_404
from app.calendars.forms import CalendarLinkForm
from app.calendars.models import KINDS, CalendarFeed
from app.calendars.views import subscribe_links
from app.core.pagination import page_request
from app.core.views import commit, saving

bp = api_blueprint("calendars", __name__)

Kind = Annotated[str, OneOf(KINDS)]
AlarmMinutes = Annotated[int, OneOf(m for m in services.ALARMS if m is not None)]


class FeedJson(TypedDict):
    """A calendar link, without its URL: that is shown once, when it is made."""

    id: int
    name: str
    kind: Kind
    kind_label: str
    project_id: int | None
    only_mine: bool
    alarm_minutes: AlarmMinutes | None
    created_at: Timestamp
    last_fetched_at: Timestamp | None
    revoked_at: Timestamp | None
    active: bool


class NewFeedJson(FeedJson):
    url: str
    webcal_url: str


class AlarmJson(TypedDict):
    minutes: AlarmMinutes | None
    label: str


class FeedChoices(TypedDict):
    """Beside the links: whether feeds are on, the calendars one may subscribe to, the alerts offered."""

    enabled: bool
    kinds: dict[str, str]
    alarms: list[AlarmJson]


class KindChoice(TypedDict):
    kind: Kind  # the role calendars only for those who hold the role


def feed_json(feed: CalendarFeed) -> FeedJson:
    return {
        "id": feed.id, "name": feed.name, "kind": feed.kind, "kind_label": feed.kind_label,
        "project_id": feed.project_id, "only_mine": feed.only_mine, "alarm_minutes": feed.alarm_minutes,
        "created_at": timestamp(feed.created_at), "last_fetched_at": timestamp(feed.last_fetched_at),
        "revoked_at": timestamp(feed.revoked_at), "active": not feed.is_revoked,
    }


@bp.get("/calendar-feeds")
@operation(FeedJson, paged=True, page_extra=FeedChoices)
def list_feeds() -> Response:
    """One's own links (never their URLs: those are shown once), and the calendars one may subscribe to."""
    return page_json(
        services.user_feeds(current_user, page_request()), feed_json,
        enabled=services.feeds_enabled(), kinds=services.available_kinds(current_user),
        alarms=[{"minutes": minutes, "label": label} for minutes, label in services.ALARMS.items()],
    )


@bp.post("/calendar-feeds")
@operation(NewFeedJson, status=201, body=Body(CalendarLinkForm, extra=KindChoice), errors=(403, 409))
def create_feed() -> tuple[Response, int]:
    """Make a calendar link: the answer holds its ``url`` and ``webcal_url``, the only time they are shown."""
    form = validated(CalendarLinkForm, json_body(), user=current_user)
    with saving("calendar link"):
        feed, token = services.create_feed(current_user, form.data_for_service())
    links = subscribe_links(token, feed.name)
    body: NewFeedJson = {**feed_json(feed), "url": links["https"], "webcal_url": links["webcal"]}
    return jsonify(body), 201


@bp.delete("/calendar-feeds/<int:feed_id>")
@operation(FeedJson, errors=(403, 409))
def revoke_feed(feed_id: int) -> Response:
    """Revoke one of your calendar links: it answers 404 from now on."""
    feed = feed_or_404(current_user, feed_id)
    services.revoke_feed(current_user, feed)
    commit()
    return jsonify(feed_json(feed))
