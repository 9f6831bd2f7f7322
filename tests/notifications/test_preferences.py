"""Each person's notification settings: the service, the settings page, muting, and the inbox buttons."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
import sqlalchemy as sa

from app.core import clock
from app.core.errors import InvalidInput
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification, NotificationPreference
from app.reminders.models import ReminderSchedule
from workflows import reminders

#: A complete, valid post of the settings form (unchecked boxes are simply absent).
VALID = {
    "time_zone": "Europe/Rome", "reminder_hour": "8", "quiet_start": "22", "quiet_end": "7",
    "lead_days": "14, 3,1", "on_the_day": "y", "overdue_every": "2",
    "reminders_in_app": "y", "updates_email": "y", "updates_in_app": "y", "email_digest": "y",
}


_FIELD = re.compile(r'<div class="field[ "]')


def _field_html(page: str, name: str) -> str:
    """The markup of one field of the settings form, from its label to the next field."""
    label = page.index(f'for="{name}"')
    start = max(m.start() for m in _FIELD.finditer(page, 0, label))
    following = _FIELD.search(page, label)
    return unescape(page[start:following.start() if following else None])


def _stored(user) -> NotificationPreference | None:
    db.session.expire_all()
    return db.session.get(NotificationPreference, user.id)


# --- the service -----------------------------------------------------------------------------

def test_defaults_until_saved_then_the_saved_settings(people):
    team = people["team"]
    assert services.preferences_of(team.id).time_zone == "UTC" and _stored(team) is None
    services.save_preferences(team, time_zone="Asia/Tokyo", lead_days=(3, 10), reminders_email=False)
    db.session.commit()
    prefs = _stored(team)
    assert (prefs.time_zone, prefs.lead_days, prefs.reminders_email, prefs.updates_email) == (
        "Asia/Tokyo", "10, 3", False, True)


def test_the_service_names_the_field_it_refuses(people):
    with pytest.raises(InvalidInput) as refused:
        services.save_preferences(people["team"], reminder_hour=23)  # inside the default quiet 21–8
    assert "quiet hours" in refused.value.fields["reminder_hour"][0]
    db.session.rollback()
    assert _stored(people["team"]) is None


def test_a_muted_campaign_notifies_nothing(people, make_project):
    project = make_project(state="active")
    services.set_muted(people["team"], project.id, True)
    db.session.commit()
    assert services.notify([people["team"], people["pm"]], "x", "News", project_id=project.id) != []
    db.session.commit()
    users = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.subject == "News")))
    assert users == {people["pm"].id}
    assert services.notify([people["team"]], "reminder", "Due", project_id=project.id) == []
    # Other campaigns still reach them.
    assert len(services.notify([people["team"]], "x", "Elsewhere", project_id=None)) == 1


def test_email_off_and_inbox_on_writes_an_inbox_row_with_no_email(people):
    services.save_preferences(people["team"], updates_email=False, updates_in_app=True)
    [note] = services.notify([people["team"]], "commitment_approve", "Countersigned")
    db.session.commit()
    assert note.in_app is True and note.email_status == "none" and note.email_due_at is None
    # Both off: nothing is written at all.
    services.save_preferences(people["team"], updates_in_app=False)
    assert services.notify([people["team"]], "commitment_approve", "Again") == []


def test_email_only_is_kept_out_of_the_inbox(people, login):
    services.save_preferences(people["team"], reminders_in_app=False)
    [note] = services.notify([people["team"]], "reminder", "Milestone due")
    db.session.commit()
    assert note.in_app is False and note.email_status != "none"
    assert services.unread_count(people["team"]) == 0
    assert "Milestone due" not in login(people["team"]).get("/inbox/").get_data(as_text=True)


def test_a_digest_waits_for_the_persons_next_local_hour(people, clock):
    services.save_preferences(people["team"], time_zone="Asia/Tokyo", reminder_hour=9, email_digest=True)
    db.session.commit()
    # 12:00 UTC is 21:00 in Tokyo: the digest goes at 09:00 Tokyo the next morning, 00:00 UTC.
    clock.to(datetime(2025, 3, 10, 12, 0))
    [note] = services.notify([people["team"]], "commitment_approve", "Countersigned")
    db.session.commit()
    assert note.email_digest is True and note.email_status == "pending"
    assert note.email_due_at == datetime(2025, 3, 11, 0, 0)
    prefs = services.preferences_of(people["team"].id).reminder_prefs
    assert note.email_due_at == reminders.next_local_hour(datetime(2025, 3, 10, 12, 0), 9, prefs)


# --- the settings page -----------------------------------------------------------------------

def test_the_page_saves_the_settings_and_shows_them_again(people, login):
    client = login(people["team"])
    page = client.get("/settings/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<optgroup label="Europe">' in html and 'value="Europe/Rome"' in html
    assert 'name="lead_days"' in html and 'value="7, 1"' in html

    saved = client.post("/settings/notifications", data=VALID)
    assert saved.status_code == 302 and saved.headers["Location"] == "/settings/notifications"
    prefs = _stored(people["team"])
    assert (prefs.time_zone, prefs.reminder_hour, prefs.quiet_start, prefs.quiet_end) == ("Europe/Rome", 8, 22, 7)
    assert (prefs.lead_days, prefs.on_the_day, prefs.overdue_every) == ("14, 3, 1", True, 2)
    assert (prefs.reminders_email, prefs.reminders_in_app, prefs.updates_email, prefs.updates_in_app) == (
        False, True, True, True)
    assert prefs.email_digest is True

    again = client.get("/settings/notifications").get_data(as_text=True)
    assert "Notification settings saved." in again
    assert re.search(r'<option selected value="Europe/Rome">|<option value="Europe/Rome" selected>', again)
    assert 'value="14, 3, 1"' in again
    assert re.search(r'id="email_digest"[^>]*checked|checked[^>]*id="email_digest"', again)
    assert not re.search(r'id="reminders_email"[^>]*checked|checked[^>]*id="reminders_email"', again)


def test_a_reminder_hour_in_quiet_hours_is_refused_beside_the_field(people, login):
    client = login(people["team"])
    page = client.post("/settings/notifications", data={**VALID, "reminder_hour": "23"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "quiet hours; pick a daytime hour" in _field_html(html, "reminder_hour")
    assert 'class="field has-error"' in _field_html(html, "reminder_hour")
    assert "Notification settings saved." not in html
    assert _stored(people["team"]) is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("time_zone", "Mars/Olympus", "'Mars/Olympus' is not a time zone we know"),
    ("time_zone", "Europe", "is not a time zone we know"),
    ("lead_days", "7, soon", "'soon' is not a number of days"),
    ("lead_days", "0, 7", "from 1 to 90"),
    ("lead_days", "120", "from 1 to 90"),
    ("lead_days", "1,2,3,4,5,6,7,8,9,10,11", "At most 10 lead times"),
    ("overdue_every", "31", "every 1 to 30 days, or 0 for never"),
    ("overdue_every", "often", "Enter a whole number"),
    ("reminder_hour", "24", "An hour of the day, 0 to 23."),
    ("quiet_end", "x", "An hour of the day, 0 to 23."),
])
def test_bad_settings_are_refused_by_field_and_nothing_is_saved(people, login, field, value, message):
    client = login(people["team"])
    page = client.post("/settings/notifications", data={**VALID, field: value}).get_data(as_text=True)
    if field in {"quiet_start", "quiet_end"}:
        start = page.index("notif-quiet")
        assert message in page[start:page.index("</fieldset>", start)]
    else:
        assert message in _field_html(page, field), _field_html(page, field)
    assert _stored(people["team"]) is None


def test_empty_lead_times_mean_only_on_the_day(people, login):
    login(people["team"]).post("/settings/notifications", data={**VALID, "lead_days": ""})
    prefs = _stored(people["team"])
    assert prefs.lead_days == "" and prefs.reminder_prefs.lead_days == ()


def test_the_page_needs_a_sign_in(client):
    response = client.get("/settings/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_lists_my_campaigns_and_my_next_reminders_in_my_time(people, login, make_project):
    project = make_project(title="Autumn upgrade", state="active")
    make_project(title="Someone else's", state="active", member_ids=[], owner=people["sales2"])
    services.save_preferences(people["team"], time_zone="America/New_York", reminder_hour=10, quiet_end=7)
    db.session.commit()
    html = login(people["team"]).get("/settings/notifications").get_data(as_text=True)
    campaigns = html[html.index('id="campaigns"'):html.index('id="upcoming"')]
    assert "Autumn upgrade" in campaigns and "Someone else" not in campaigns
    assert f'action="/settings/notifications/mute/{project.id}"' in campaigns
    upcoming = html[html.index('id="upcoming"'):]
    milestone = min((m for m in project.milestones if m.due_date >= clock.today()), key=lambda m: m.due_date)
    assert milestone.title in upcoming and "America/New_York" in upcoming
    assert re.search(r'class="notif-hour">10:00<', upcoming)
    # The time shown is the next slot at 10:00 New York time.
    rows = db.session.scalars(sa.select(ReminderSchedule).where(ReminderSchedule.user_id == people["team"].id)).all()
    assert rows
    assert re.search(r'<time datetime="[0-9-]+T10:00:00-0[45]:00">', upcoming)


def test_mute_and_unmute_a_campaign_from_the_settings_page(people, login, make_project):
    project = make_project(state="active")
    client = login(people["team"])
    muted = client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "1"})
    assert muted.status_code == 302 and muted.headers["Location"] == "/settings/notifications#campaigns"
    assert services.is_muted(people["team"].id, project.id)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "is muted: it sends you no reminders or updates" in page and "Unmute" in page
    client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "0"})
    assert not services.is_muted(people["team"].id, project.id)
    # Idempotent: unmuting again changes nothing and fails nothing.
    assert client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "0"}).status_code == 302


def test_mute_returns_to_a_local_next_only(people, login, make_project):
    project = make_project(state="active")
    client = login(people["team"])
    back = client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "1", "next": f"/campaigns/{project.id}"})
    assert back.headers["Location"] == f"/campaigns/{project.id}"
    away = client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "1", "next": "//evil.example/"})
    assert away.headers["Location"] == "/settings/notifications#campaigns"


def test_a_campaign_i_am_not_on_cannot_be_muted(people, login, make_project):
    project = make_project(state="active")
    for who in ("outsider", "admin"):  # an admin sees every campaign but is not on this one
        assert login(people[who]).post(f"/settings/notifications/mute/{project.id}", data={"muted": "1"}).status_code == 404
        assert not services.is_muted(people[who].id, project.id)
    assert login(people["team"]).post("/settings/notifications/mute/999999", data={"muted": "1"}).status_code == 404


def test_the_campaign_page_has_a_mute_button_for_its_members(people, login, make_project):
    project = make_project(state="active")
    client = login(people["team"])
    page = client.get(f"/campaigns/{project.id}").get_data(as_text=True)
    header = page[page.index('class="page-header"'):page.index("</div>\n</div>", page.index('class="page-header"'))]
    assert f'action="/settings/notifications/mute/{project.id}"' in header
    assert f'name="next" value="/campaigns/{project.id}"' in header
    assert re.search(r"</svg>\s*Mute\s*</button>", header)
    client.post(f"/settings/notifications/mute/{project.id}", data={"muted": "1", "next": f"/campaigns/{project.id}"})
    after = client.get(f"/campaigns/{project.id}").get_data(as_text=True)
    assert "Unmute" in after and 'aria-pressed="true"' in after
    # An admin who is not on the campaign sees it but has nothing to mute.
    admin_page = login(people["admin"]).get(f"/campaigns/{project.id}").get_data(as_text=True)
    assert "/settings/notifications/mute/" not in admin_page


def test_the_account_settings_link_to_the_notification_settings(people, login):
    page = login(people["team"]).get("/settings").get_data(as_text=True)
    assert 'href="/settings/notifications"' in page


# --- the inbox's buttons ---------------------------------------------------------------------

def test_the_inbox_marks_one_read_and_shows_the_unread_count(people, login):
    [first] = services.notify([people["sales"]], "x", "First news", link="/campaigns/1")
    services.notify([people["sales"]], "x", "Second news")
    [theirs] = services.notify([people["team"]], "x", "Not Sam's")
    client = login(people["sales"])
    page = client.get("/inbox/").get_data(as_text=True)
    assert "2 unread" in page and page.count("</span> read</span></button>") == 2
    assert 'href="/settings/notifications"' in page
    marked = client.post(f"/inbox/{first.id}/read")
    assert marked.status_code == 302 and marked.headers["Location"] == "/inbox/"
    assert services.unread_count(people["sales"]) == 1
    page = client.get("/inbox/").get_data(as_text=True)
    assert "1 unread" in page and page.count("</span> read</span></button>") == 1
    assert client.post(f"/inbox/{theirs.id}/read").status_code == 404
    assert services.unread_count(people["team"]) == 1


def test_the_campaigns_one_may_mute_come_a_page_at_a_time(people, login, make_project):
    for n in range(3):
        make_project(title=f"Mutable {n}")
    client = login(people["pm"])
    first = client.get("/settings/notifications?limit=2").get_data(as_text=True)
    assert "Mutable 0" in first and "Mutable 1" in first and "Mutable 2" not in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert "Mutable 2" in second and "← First page" in second
