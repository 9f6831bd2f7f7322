"""Built feeds kept in Redis: served again without a rebuild while nothing changed, never after."""

from __future__ import annotations

import gzip

import pytest

from app.calendars import feeds
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.services import MilestoneInput
from tests.calendars.helpers import feed_path


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


# --- gzip: stored compressed, sent compressed to whoever accepts it ------------------------------

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_the_feed_is_stored_and_sent_gzipped_and_decompressed_for_others(campaign, people, subscribe, client,
                                                                          redis_db, monkeypatch):
    token = subscribe(people["team"])
    zipped = client.get(feed_path(token), headers=GZIP)
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.vary and zipped.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert int(zipped.headers["Content-Length"]) == len(zipped.data)
    (key,) = redis_db.connection.keys(f"{redis_db.queue_name}:calendar-feed:*")
    stored = redis_db.connection.get(key)
    assert stored.split(b"\n", 1)[1] == zipped.data  # kept as it is sent

    monkeypatch.setattr(feeds, "build", no_build)  # both come from Redis from now on
    plain = client.get(feed_path(token))
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.vary
    assert gzip.decompress(zipped.data) == plain.data and plain.data.startswith(b"BEGIN:VCALENDAR")
    assert len(zipped.data) < len(plain.data) / 3
    # Two representations, two strong ETags (RFC 9110 §8.8.3): the same fingerprint, one marked gzip.
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert client.get(feed_path(token), headers=GZIP).data == zipped.data


@pytest.mark.usefixtures("no_redis")
def test_without_redis_the_feed_is_still_gzipped_for_those_who_accept_it(campaign, people, subscribe, client):
    token = subscribe(people["team"])
    zipped, plain = client.get(feed_path(token), headers=GZIP), client.get(feed_path(token))
    assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.data) == plain.data


@pytest.mark.parametrize(("accept", "gzipped"), [
    ("gzip", True), ("x-gzip", True), ("*", True), ("deflate, gzip;q=0.5", True),
    ("", False), ("identity", False), ("gzip;q=0", False), ("br", False),
])
def test_gzip_only_when_the_client_accepts_it(campaign, people, subscribe, client, accept, gzipped):
    response = client.get(feed_path(subscribe(people["team"])), headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert (response.headers.get("Content-Encoding") == "gzip") is gzipped
    assert response.headers["ETag"].endswith('-gzip"') is gzipped


def test_conditional_requests_compare_the_tag_of_the_representation_sent(campaign, people, subscribe, client,
                                                                         redis_db):
    token = subscribe(people["team"])
    zipped, plain = client.get(feed_path(token), headers=GZIP), client.get(feed_path(token))
    same = client.get(feed_path(token), headers={**GZIP, "If-None-Match": zipped.headers["ETag"]})
    assert same.status_code == 304 and same.data == b"" and same.headers["ETag"] == zipped.headers["ETag"]
    assert "Accept-Encoding" in same.vary and "Content-Encoding" not in same.headers
    assert client.get(feed_path(token), headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    # A copy of the other representation is not the one this request would get.
    other = client.get(feed_path(token), headers={**GZIP, "If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200 and other.data == zipped.data


def test_head_answers_as_get_without_the_body(campaign, people, subscribe, client, redis_db):
    token = subscribe(people["team"])
    for headers in (GZIP, {}):
        got = client.get(feed_path(token), headers=headers)
        head = client.head(feed_path(token), headers=headers)
        assert head.status_code == 200 and head.data == b""
        for name in ("Content-Type", "Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Vary"):
            assert head.headers.get(name) == got.headers.get(name), name
        again = client.head(feed_path(token), headers={**headers, "If-None-Match": got.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
