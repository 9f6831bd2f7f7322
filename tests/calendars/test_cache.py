"""Built feeds kept in Redis: served again without a rebuild while nothing changed, never after."""

from __future__ import annotations

import pytest

from app.calendars import feeds
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.services import MilestoneInput
from tests.calendars.conftest import feed_path


@pytest.fixture
def campaign(make_project):
    return make_project(title="Northwind Pro upgrade", state="active")


def no_build(_feed):
    raise AssertionError("the feed was rebuilt")


def test_a_second_client_gets_the_built_feed_from_redis(campaign, people, subscribe, client, redis_db, monkeypatch):
    token = subscribe(people["team"])
    first = client.get(feed_path(token))
    assert redis_db.url and first.status_code == 200
    monkeypatch.setattr(feeds, "build", no_build)
    second = client.get(feed_path(token))  # no If-None-Match: another device
    assert second.status_code == 200 and second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_a_change_is_never_hidden_by_the_cache(campaign, people, subscribe, client, redis_db):
    token = subscribe(people["team"])
    first = client.get(feed_path(token))
    milestone = campaign.milestones[0]
    milestones.update_milestone(people["pm"], milestone, MilestoneInput(
        title="Offer signed off", due_date=milestone.due_date, owner_id=milestone.owner_id), milestone.version,
        reason="Clearer name")
    db.session.commit()
    second = client.get(feed_path(token))
    assert second.headers["ETag"] != first.headers["ETag"]
    assert b"Offer signed off" in second.data and b"Offer signed off" not in first.data


def test_an_unreachable_redis_only_means_building_each_time(campaign, people, subscribe, client, configure, caplog):
    from tests import redisdb

    redisdb.drop_app_connection(client.application)
    configure(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        token = subscribe(people["team"])
        assert client.get(feed_path(token)).status_code == 200
        assert "Calendar feed cache unavailable" in caplog.text
        assert client.get(feed_path(token)).status_code == 200
    finally:
        client.application.extensions.pop("countersign.calendar_cache_down_until", None)
        redisdb.drop_app_connection(client.application)
