"""The inbox: on the page and in the API, each person sees only their own notifications."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify, unread_count


def test_the_inbox_lists_mine_opens_the_link_and_marks_it_read(people, login):
    [mine] = notify([people["sales"]], "commitment_approve", "Pat countersigned Acme", "Fine", "/commitments/7")
    notify([people["team"]], "x", "Not for Sam")
    client = login(people["sales"])
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Pat countersigned Acme" in page and "Not for Sam" not in page
    assert '<span class="count">1</span>' in client.get("/").get_data(as_text=True)
    opened = client.post(f"/inbox/{mine.id}/open")
    assert opened.headers["Location"] == "/commitments/7"
    assert unread_count(people["sales"]) == 0


def test_nobody_opens_someone_elses_notification_and_links_stay_inside(people, login):
    [theirs] = notify([people["team"]], "x", "Private")
    [outside] = notify([people["sales"]], "x", "Odd link", link="//evil.example/")
    client = login(people["sales"])
    assert client.post(f"/inbox/{theirs.id}/open").status_code == 404
    assert client.post(f"/inbox/{outside.id}/open").headers["Location"] == "/inbox/"


def test_the_api_lists_and_marks_read(people, login):
    notify([people["sales"]], "a", "First")
    [second] = notify([people["sales"]], "b", "Second")
    [other] = notify([people["team"]], "c", "Not yours")
    client = login(people["sales"])
    body = client.get("/api/v1/notifications").get_json()
    assert body["next"] is None
    assert body["unread"] == 2 and {n["subject"] for n in body["items"]} == {"First", "Second"}
    assert client.post(f"/api/v1/notifications/{second.id}/read", json={}).get_json()["read_at"] is not None
    assert client.post(f"/api/v1/notifications/{other.id}/read", json={}).status_code == 404
    assert [n["subject"] for n in client.get("/api/v1/notifications?unread=1").get_json()["items"]] == ["First"]
    assert client.post("/api/v1/notifications/read", json={}).get_json() == {"marked_read": 1, "unread": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None))) == 1


def test_deactivated_people_are_not_notified(people):
    people["team"].active = False
    assert notify([people["team"], people["sales"], people["sales"]], "x", "Hello", skip=None) != []
    assert {n.user_id for n in db.session.scalars(sa.select(Notification))} == {people["sales"].id}


def test_a_long_inbox_pages_unread_first_then_newest(people, login, clock):
    notes = []
    for n in range(5):
        clock.advance(minutes=1)
        notes += notify([people["sales"]], "x", f"Note {n}")
    client = login(people["sales"])
    client.post(f"/api/v1/notifications/{notes[4].id}/read", json={})  # the newest, read: after every unread one
    first = client.get("/api/v1/notifications?limit=3").get_json()
    assert [n["subject"] for n in first["items"]] == ["Note 3", "Note 2", "Note 1"] and first["unread"] == 4
    rest = client.get(first["next"].removeprefix("http://localhost")).get_json()
    assert [n["subject"] for n in rest["items"]] == ["Note 0", "Note 4"] and rest["next"] is None
    html = client.get("/inbox/?limit=3").get_data(as_text=True)
    assert "Note 1" in html and "Note 0" not in html and 'rel="next"' in html
