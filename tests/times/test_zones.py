"""Every instant in the reader's time zone (app/templating.py over app/core/text.py and zones.py): the words at
frozen instants in ordinary and odd zones, across a daylight-saving change, and on the pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_login import login_user, logout_user

from app import templating
from app.core import text, zones
from app.extensions import db
from app.notifications.emails import digest_email, notification_email
from app.notifications.models import NotificationPreference
from app.notifications.services import notify

BERLIN, KOLKATA, ST_JOHNS = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata"), ZoneInfo("America/St_Johns")
KIRITIMATI, TOKYO, UTC = ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Asia/Tokyo"), ZoneInfo("UTC")


def living_in(user, zone: str | None) -> None:
    prefs = NotificationPreference.defaults(user.id)
    prefs.time_zone = zone
    db.session.add(prefs)
    db.session.commit()


# --- the words, pure ----------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "zone", "shown", "full"), [
    # Berlin goes from CET (+01) to CEST (+02) at 01:00 UTC on 28 Mar 2027: 02:00 local never happens.
    (datetime(2027, 3, 28, 0, 59), BERLIN, "28 Mar 2027, 01:59", "Sun 28 Mar 2027, 01:59 CET (Europe/Berlin)"),
    (datetime(2027, 3, 28, 1, 0), BERLIN, "28 Mar 2027, 03:00", "Sun 28 Mar 2027, 03:00 CEST (Europe/Berlin)"),
    (datetime(2027, 3, 28, 1, 30), BERLIN, "28 Mar 2027, 03:30", "Sun 28 Mar 2027, 03:30 CEST (Europe/Berlin)"),
    (datetime(2027, 1, 10, 12, 0), KOLKATA, "10 Jan 2027, 17:30", "Sun 10 Jan 2027, 17:30 IST (Asia/Kolkata)"),
    (datetime(2027, 1, 10, 12, 0), ST_JOHNS, "10 Jan 2027, 08:30", "Sun 10 Jan 2027, 08:30 NST (America/St_Johns)"),
    (datetime(2027, 7, 10, 12, 0), ST_JOHNS, "10 Jul 2027, 09:30", "Sat 10 Jul 2027, 09:30 NDT (America/St_Johns)"),
    # +14: the instant is already the next day there (the zone has no letters, only its offset).
    (datetime(2027, 1, 10, 12, 0), KIRITIMATI, "11 Jan 2027, 02:00", "Mon 11 Jan 2027, 02:00 +14 (Pacific/Kiritimati)"),
    # 23:30 UTC is 08:30 tomorrow in Tokyo.
    (datetime(2027, 1, 10, 23, 30), TOKYO, "11 Jan 2027, 08:30", "Mon 11 Jan 2027, 08:30 JST (Asia/Tokyo)"),
    (datetime(2027, 1, 10, 23, 30), UTC, "10 Jan 2027, 23:30", "Sun 10 Jan 2027, 23:30 UTC"),
])
def test_an_instant_reads_as_the_wall_clock_of_the_zone(at, zone, shown, full):
    assert text.local_datetime_label(at, zone) == shown
    assert text.full_datetime_label(at, zone) == full
    assert text.iso_instant(at) == at.isoformat(timespec="seconds") + "Z"  # machines keep UTC


def test_an_instant_at_the_ends_of_the_calendar_stays_in_utc_rather_than_fail():
    assert text.local_datetime_label(datetime(9999, 12, 31, 23, 0), KIRITIMATI) == "31 Dec 9999, 23:00"
    assert text.local_datetime_label(datetime(1, 1, 1, 1, 0), ST_JOHNS) == f"{text.date_label(date(1, 1, 1))}, 01:00"
    assert text.recent_label(datetime(1, 1, 1, 1, 0), datetime(2027, 1, 1), ST_JOHNS) == f"{text.date_label(date(1, 1, 1))}, 01:00"


@pytest.mark.parametrize(("at", "now", "zone", "words"), [
    (datetime(2027, 1, 10, 11, 59, 30), datetime(2027, 1, 10, 12, 0), BERLIN, "just now"),
    (datetime(2027, 1, 10, 11, 55), datetime(2027, 1, 10, 12, 0), BERLIN, "5 minutes ago"),
    (datetime(2027, 1, 10, 9, 0), datetime(2027, 1, 10, 12, 0), BERLIN, "3 hours ago"),
    (datetime(2027, 1, 10, 5, 5), datetime(2027, 1, 10, 12, 0), BERLIN, "today 06:05"),
    # 22:30 UTC on the 27th is 23:30 CET, the evening before the change; now is after it (CEST).
    (datetime(2027, 3, 27, 22, 30), datetime(2027, 3, 28, 12, 0), BERLIN, "yesterday 23:30"),
    (datetime(2027, 3, 28, 0, 30), datetime(2027, 3, 28, 8, 0), BERLIN, "today 01:30"),
    # The same instant is "today" in UTC but "yesterday" seen from Tokyo's next morning... and back.
    (datetime(2027, 1, 10, 14, 0), datetime(2027, 1, 10, 23, 30), UTC, "today 14:00"),
    (datetime(2027, 1, 10, 14, 0), datetime(2027, 1, 10, 23, 30), TOKYO, "yesterday 23:00"),
    (datetime(2027, 1, 6, 12, 0), datetime(2027, 1, 10, 12, 0), KOLKATA, "Wed 17:30"),
    (datetime(2027, 1, 1, 12, 0), datetime(2027, 1, 10, 12, 0), KIRITIMATI, "02 Jan 2027, 02:00"),
    (datetime(2027, 1, 11, 12, 0), datetime(2027, 1, 10, 12, 0), ST_JOHNS, "11 Jan 2027, 08:30"),  # future
])
def test_a_recent_event_in_a_list_is_said_relatively(at, now, zone, words):
    assert text.recent_label(at, now, zone) == words


def test_a_coming_moment_reads_in_the_zone_without_repeating_it():
    now = datetime(2027, 1, 10, 22, 0)
    assert text.moment_text(datetime(2027, 1, 11, 8, 0), now) == "08:00 UTC tomorrow"  # jobs and logs: UTC
    assert text.moment_text(datetime(2027, 1, 10, 23, 30), now, TOKYO) == "08:30"  # both are the 11th there
    assert text.moment_text(datetime(2027, 1, 11, 8, 0), now, BERLIN) == "09:00 tomorrow"


# --- whose zone ---------------------------------------------------------------------------------

@pytest.mark.parametrize("stored", [None, "", "Mars/Olympus", "America", "localtime"])
def test_a_missing_or_unknown_zone_falls_back_to_the_default(stored, configure):
    assert zones.zone_of(stored) == UTC
    configure(DEFAULT_TIME_ZONE="Asia/Kolkata")
    assert zones.zone_of(stored) == KOLKATA
    configure(DEFAULT_TIME_ZONE="Not/AZone")  # a bad setting cannot break every page either
    assert zones.zone_of(stored) == UTC


def test_the_filters_read_in_the_signed_in_persons_zone(people, app):
    living_in(people["pm"], "Europe/Berlin")
    at = datetime(2027, 3, 28, 1, 30)
    with app.test_request_context():
        login_user(people["pm"])
        assert templating.reader_zone_name() == "Europe/Berlin"
        assert str(templating.fmt_datetime(at)) == (
            '<time datetime="2027-03-28T01:30:00Z" title="Sun 28 Mar 2027, 03:30 CEST (Europe/Berlin)">'
            "28 Mar 2027, 03:30</time>")
        assert templating.fmt_datetime_text(at) == "Sun 28 Mar 2027, 03:30 CEST (Europe/Berlin)"
        assert templating.fmt_date(datetime(2027, 3, 27, 23, 30)) == "28 Mar 2027"  # the instant's day there
        assert templating.fmt_date(date(2027, 3, 27)) == "27 Mar 2027"  # a calendar day stays that day
        assert templating.fmt_datetime(None) == "—" and templating.fmt_when(None) == "—"
        with zones.reading_in("Asia/Tokyo"):  # an email to someone in Tokyo
            assert templating.fmt_datetime_text(at) == "Sun 28 Mar 2027, 10:30 JST (Asia/Tokyo)"
        assert templating.reader_zone_name() == "Europe/Berlin"
        logout_user()
        assert templating.reader_zone_name() == "UTC"  # signed out: the app's default


def test_a_stored_zone_that_no_longer_exists_reads_in_the_default(people, app):
    living_in(people["pm"], "Europe/Atlantis")
    with app.test_request_context():
        login_user(people["pm"])
        assert templating.reader_zone_name() == "UTC"
        assert "<time" in str(templating.fmt_when(datetime(2026, 11, 17, 9, 0)))


# --- the pages ----------------------------------------------------------------------------------

def test_the_inbox_and_history_show_local_times_and_name_the_zone_once(people, login, make_project, clock):
    living_in(people["pm"], "Europe/Berlin")
    clock.to(datetime(2027, 3, 28, 0, 58))  # 01:58 CET, just before the change
    project = make_project(title="Spring campaign", state="active")
    notify([people["pm"]], "x", "Before the change")
    db.session.commit()
    clock.to(datetime(2027, 3, 28, 12, 0))  # 14:00 CEST
    notify([people["pm"]], "x", "Just now")
    db.session.commit()
    client = login(people["pm"])

    inbox = client.get("/inbox/").get_data(as_text=True)
    assert inbox.count("Times in Europe/Berlin") == 1 and "UTC" not in inbox
    assert ('<time datetime="2027-03-28T00:58:00Z" title="Sun 28 Mar 2027, 01:58 CET (Europe/Berlin)">'
            "today 01:58</time>") in inbox
    assert '<time datetime="2027-03-28T12:00:00Z" title="Sun 28 Mar 2027, 14:00 CEST (Europe/Berlin)">just now</time>' in inbox

    response = client.get(f"/campaigns/{project.id}/history")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    history = page.split('id="history"')[1]
    assert re.search(r'<time datetime="2027-03-28T00:58:00Z" title="[^"]+CET \(Europe/Berlin\)">today 01:58</time>', history)
    assert page.count("Times in Europe/Berlin") == 1 and " UTC" not in page


def test_a_signed_out_page_names_the_default_zone(client, configure):
    configure(DEFAULT_TIME_ZONE="America/St_Johns")
    assert "Times in America/St_Johns" in client.get("/login").get_data(as_text=True)


# --- emails -------------------------------------------------------------------------------------

def test_an_email_gives_its_time_in_the_recipients_zone_with_the_zone_named(people, clock):
    living_in(people["pm"], "Asia/Kolkata")
    living_in(people["sales"], "Europe/Atlantis")  # unknown: the default (UTC), still named
    clock.to(datetime(2027, 3, 28, 1, 30))
    [to_pm] = notify([people["pm"]], "x", "Countersigned")
    [to_sales] = notify([people["sales"]], "x", "Countersigned too")
    db.session.commit()

    email = notification_email(to_pm)
    plain, html = (part.get_content() for part in email.iter_parts())
    assert "Sun 28 Mar 2027, 07:00 IST (Asia/Kolkata)" in plain and "Sun 28 Mar 2027, 07:00 IST (Asia/Kolkata)" in html
    digest = digest_email(people["sales"], [to_sales]).get_body(("plain",)).get_content()
    assert "Sun 28 Mar 2027, 01:30 UTC" in digest


def test_a_due_day_is_counted_from_the_readers_today(people, app, clock):
    living_in(people["pm"], "Asia/Tokyo")
    clock.to(datetime(2027, 1, 10, 23, 30))  # still the 10th in UTC, already the 11th in Tokyo
    with app.test_request_context():
        assert templating.relative_days(date(2027, 1, 11)) == "tomorrow"  # signed out: UTC
        login_user(people["pm"])
        assert templating.relative_days(date(2027, 1, 11)) == "today"
        assert templating.fmt_date(datetime(2027, 1, 10, 23, 30)) == "11 Jan 2027"
