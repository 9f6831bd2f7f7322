"""Settings → Calendars, the admins' page, and the JSON API on calendar links."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.calendars.models import CalendarFeed
from app.extensions import db
from app.projects import services as projects
from app.projects.models import Project
from tests.calendars.helpers import feed_path


@pytest.fixture
def campaign(make_project):
    return make_project(title="Northwind Pro upgrade", state="active")


def created_url(html: str) -> str:
    match = re.search(r'id="cal-url-https" value="([^"]+)"', html)
    assert match, "the new link is shown"
    return match.group(1)


def test_creating_a_link_shows_it_once(campaign, people, login):
    client = login(people["team"])
    page = client.get("/settings/calendars")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "My calendar" in html and "Campaign calendar" in html
    assert "Waiting for your countersignature" not in html  # not a product manager

    response = client.post("/settings/calendars", data={
        "csrf_token": _csrf(html), "name": "Work phone", "kind": "mine", "project_id": "", "alarm_minutes": "-900",
    })
    html = response.get_data(as_text=True)
    url = created_url(html)
    assert url.startswith("http://countersign.test/calendars/v1/") and url.endswith(".ics")
    assert 'value="webcal://countersign.test/calendars/v1/' in html
    assert "calendar.google.com/calendar/r?cid=webcal%3A%2F%2F" in html
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    token = url.rsplit("/", 1)[1].removesuffix(".ics")

    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    assert (feed.name, feed.kind, feed.alarm_minutes, feed.user_id) == ("Work phone", "mine", -900, people["team"].id)
    assert client.get(feed_path(token)).status_code == 200

    again = client.get("/settings/calendars").get_data(as_text=True)
    assert token not in again and "Work phone" in again and "The day before, at 9:00" in again


def test_a_bad_link_form_says_what_is_wrong_and_saves_nothing(campaign, people, login, make_project):
    client = login(people["team"])
    html = client.get("/settings/calendars").get_data(as_text=True)
    other = make_project(title="Not Tara's", member_ids=[])
    cases = [
        ({"name": "", "kind": "mine"}, "Name the link."),
        ({"name": "Queue", "kind": "signoff"}, "Not a valid choice"),
        ({"name": "Theirs", "kind": "project", "project_id": str(other.id)}, "Choose one of your campaigns."),
        ({"name": "None", "kind": "project", "project_id": ""}, "Choose one of your campaigns."),
        ({"name": "Odd", "kind": "mine", "alarm_minutes": "5"}, "Not a valid choice"),
    ]
    for data, message in cases:
        response = client.post("/settings/calendars", data={"csrf_token": _csrf(html), "alarm_minutes": "", **data})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0


def test_the_campaign_page_offers_its_calendar(campaign, people, login):
    client = login(people["team"])
    show = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/settings/calendars?project={campaign.id}" in show
    html = client.get(f"/settings/calendars?project={campaign.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="project"|<input[^>]*value="project"[^>]*checked', html)
    assert re.search(rf'<option selected value="{campaign.id}"|<option value="{campaign.id}" selected', html)


def test_revoking_a_link_stops_its_feed(campaign, people, login, subscribe):
    token = subscribe(people["team"], name="Laptop")
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    client = login(people["team"])
    html = client.get("/settings/calendars").get_data(as_text=True)
    response = client.post(f"/settings/calendars/{feed.id}/revoke", data={"csrf_token": _csrf(html)},
                           follow_redirects=True)
    assert "Link revoked" in response.get_data(as_text=True)
    assert client.get(feed_path(token)).status_code == 404


def test_a_link_to_a_campaign_one_has_left_names_it_no_more(campaign, people, login, subscribe):
    subscribe(people["team"], kind="project", name="Upgrade", project_id=campaign.id)
    client = login(people["team"])
    assert "Northwind Pro upgrade" in client.get("/settings/calendars").get_data(as_text=True)

    projects.remove_member(people["sales"], campaign, people["team"])
    db.session.commit()

    html = client.get("/settings/calendars").get_data(as_text=True)
    assert "Northwind Pro upgrade" not in html and "a campaign you are no longer on" in html


def test_someone_elses_link_is_not_found(campaign, people, login, subscribe):
    subscribe(people["team"])
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    client = login(people["sales"])
    html = client.get("/settings/calendars").get_data(as_text=True)
    assert client.post(f"/settings/calendars/{feed.id}/revoke", data={"csrf_token": _csrf(html)}).status_code == 404
    assert client.delete(f"/api/v1/calendar-feeds/{feed.id}").status_code == 404
    db.session.refresh(feed)
    assert feed.revoked_at is None


def test_the_admins_page_turns_feeds_off_and_revokes_links(campaign, people, login, subscribe):
    token = subscribe(people["team"], name="Tara phone")
    assert login(people["pm"]).get("/admin/calendars").status_code == 404
    admin = login(people["admin"])
    html = admin.get("/admin/calendars").get_data(as_text=True)
    assert "Tara phone" in html and "Feeds are on" in html

    admin.post("/admin/calendars/switch", data={"csrf_token": _csrf(html), "enabled": "0"})
    assert admin.get(feed_path(token)).status_code == 404
    team = login(people["team"])
    assert "turned off by an administrator" in team.get("/settings/calendars").get_data(as_text=True)
    html = admin.get("/admin/calendars").get_data(as_text=True)
    assert "Feeds are off for everyone" in html and "Turned off by Ada Admin" in html

    admin.post("/admin/calendars/switch", data={"csrf_token": _csrf(html), "enabled": "1"})
    assert admin.get(feed_path(token)).status_code == 200
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    admin.post(f"/admin/calendars/{feed.id}/revoke", data={"csrf_token": _csrf(html)})
    assert admin.get(feed_path(token)).status_code == 404


# --- the JSON API -----------------------------------------------------------------------------------

def test_the_api_creates_lists_and_revokes_links(campaign, people, login, client):
    api = login(people["product"])
    created = api.post("/api/v1/calendar-feeds", json={"name": "Queue", "kind": "signoff", "alarm_minutes": 540})
    assert created.status_code == 201
    body = created.get_json()
    assert body["url"].startswith("http://countersign.test/calendars/v1/") and body["webcal_url"].startswith("webcal://")
    token = body["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(feed_path(token)).status_code == 200

    listed = api.get("/api/v1/calendar-feeds").get_json()
    assert listed["enabled"] is True and "signoff" in listed["kinds"]
    assert [f["name"] for f in listed["items"]] == ["Queue"] and "url" not in listed["items"][0]
    assert listed["next"] is None
    assert token not in api.get("/api/v1/calendar-feeds").get_data(as_text=True)

    revoked = api.delete(f"/api/v1/calendar-feeds/{body['id']}")
    assert revoked.status_code == 200 and revoked.get_json()["active"] is False
    assert client.get(feed_path(token)).status_code == 404


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "mine"}, "name"),
    ({"name": "Queue", "kind": "signoff"}, "kind"),
    ({"name": "Elsewhere", "kind": "project", "project_id": 999}, "project_id"),
    ({"name": "Huge", "kind": "project", "project_id": 10**30}, "project_id"),  # no key holds it: not a 500
    ({"name": "Odd", "kind": "mine", "alarm_minutes": "soon"}, "alarm_minutes"),
    ({"name": {"text": "Phone"}, "kind": "mine"}, "name"),
])
def test_the_api_names_each_bad_field(campaign, people, login, payload, field):
    response = login(people["team"]).post("/api/v1/calendar-feeds", json=payload)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarFeed)) == 0


def _csrf(html: str) -> str:
    """The page's CSRF token (tests switch CSRF off; tests/test_app.py checks it is enforced otherwise)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


def test_the_campaign_picker_offers_ones_own_campaigns_and_the_one_linked_from(people, login, make_project):
    make_project(title="Led by the project manager"), make_project(title="Linked from its page")
    linked = db.session.scalar(sa.select(Project).where(Project.title == "Linked from its page"))
    page = login(people["admin"]).get(f"/settings/calendars?project={linked.id}").get_data(as_text=True)
    assert "Linked from its page" in page and "Led by the project manager" not in page  # the admin is on neither
    assert "Led by the project manager" in login(people["pm"]).get("/settings/calendars").get_data(as_text=True)
