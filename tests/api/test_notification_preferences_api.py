"""Notification settings and muting in the JSON API: the settings form's rules, JSON errors by field."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import TestResponse

from app.extensions import db
from app.notifications import services
from app.notifications.models import NotificationPreference
from tests.api.helpers import Api, assert_json_error, count

URL = "/api/v1/notification-preferences"


def put(api: Api, url: str, body: Any) -> TestResponse:
    return api.client.put(url, headers=api.headers(), json=body)


def test_the_defaults_until_changed(people, api):
    body = api(people["team"]).get(URL).get_json()
    assert body == {
        "time_zone": "UTC", "reminder_hour": 9, "quiet_start": 21, "quiet_end": 8, "lead_days": [7, 1],
        "on_the_day": True, "overdue_every": 3, "reminders_email": True, "reminders_in_app": True,
        "updates_email": True, "updates_in_app": True, "email_digest": False, "muted_project_ids": [],
    }


def test_put_changes_the_fields_sent_and_keeps_the_rest(people, api):
    client = api(people["team"])
    response = put(client, URL, {"time_zone": "Europe/Rome", "lead_days": [2, 14, 2], "email_digest": True,
                                 "reminders_email": False, "reminder_hour": 8})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["time_zone"], body["lead_days"], body["email_digest"], body["reminders_email"]) == (
        "Europe/Rome", [14, 2], True, False)
    assert (body["reminder_hour"], body["quiet_start"], body["updates_email"], body["overdue_every"]) == (8, 21, True, 3)
    assert client.get(URL).get_json() == body
    db.session.expire_all()
    assert db.session.get(NotificationPreference, people["team"].id).lead_days == "14, 2"
    # Lead times also read as the page writes them, and an empty list means none.
    assert put(client, URL, {"lead_days": "7, 1"}).get_json()["lead_days"] == [7, 1]
    assert put(client, URL, {"lead_days": []}).get_json()["lead_days"] == []


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"time_zone": "Mars/Olympus"}, "time_zone", "not a time zone we know"),
    ({"time_zone": None}, "time_zone", "Choose your time zone."),
    ({"reminder_hour": 23}, "reminder_hour", "quiet hours"),  # refused by the service, named the same
    ({"reminder_hour": 24}, "reminder_hour", "An hour of the day, 0 to 23."),
    ({"quiet_start": "nine"}, "quiet_start", "An hour of the day, 0 to 23."),
    ({"lead_days": "7, soon"}, "lead_days", "'soon' is not a number of days"),
    ({"lead_days": [7, "x"]}, "lead_days", "Expected a list of whole numbers"),
    ({"lead_days": [0]}, "lead_days", "from 1 to 90"),
    ({"overdue_every": -1}, "overdue_every", "or 0 for never"),
    ({"reminders_email": "no"}, "reminders_email", "Expected true or false."),
    ({"email_digest": 1}, "email_digest", "Expected true or false."),
    ({"colour": "blue"}, "colour", "Unknown setting."),
])
def test_bad_fields_are_400_naming_the_field_and_nothing_is_saved(people, api, body, field, message):
    error = assert_json_error(put(api(people["team"]), URL, body), 400, "invalid")
    assert any(message in text for text in error["fields"][field]), error
    assert count(NotificationPreference) == 0


def test_put_needs_a_json_object(people, api):
    client = api(people["team"])
    assert_json_error(client.client.put(URL, headers=client.headers(), data="time_zone=UTC"), 415)
    assert_json_error(put(client, URL, ["time_zone"]), 400)


def test_signed_out_is_401(client):
    assert client.get(URL).status_code == 401


def test_mute_and_unmute_a_campaign(people, api, make_project):
    project = make_project(state="active")
    client = api(people["team"])
    response = put(client, f"/api/v1/projects/{project.id}/mute", {"muted": True})
    assert response.status_code == 200 and response.get_json() == {"project_id": project.id, "muted": True}
    assert client.get(URL).get_json()["muted_project_ids"] == [project.id]
    assert services.notify([people["team"]], "x", "Quiet please", project_id=project.id) == []
    assert put(client, f"/api/v1/projects/{project.id}/mute", {"muted": True}).get_json()["muted"] is True
    assert put(client, f"/api/v1/projects/{project.id}/mute", {"muted": False}).get_json()["muted"] is False
    assert client.get(URL).get_json()["muted_project_ids"] == []


def test_mute_says_true_or_false(people, api, make_project):
    project = make_project(state="active")
    error = assert_json_error(put(api(people["team"]), f"/api/v1/projects/{project.id}/mute", {"muted": "yes"}), 400)
    assert "muted" in error["fields"]


def test_a_campaign_i_am_not_on_is_404(people, api, make_project):
    project = make_project(state="active")
    for who in ("outsider", "admin"):
        assert_json_error(put(api(people[who]), f"/api/v1/projects/{project.id}/mute", {"muted": True}), 404)
        assert not services.is_muted(people[who].id, project.id)
    assert_json_error(put(api(people["team"]), "/api/v1/projects/999999/mute", {"muted": True}), 404)
