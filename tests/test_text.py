"""Dates and spans of time in words (app/core/text.py): each phrase as pages, emails and feeds show it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.core import text

NOW = datetime(2026, 11, 17, 9, 30)


def test_dates_and_times_read_the_same_everywhere():
    assert text.date_label(date(2027, 3, 5)) == "05 Mar 2027"
    assert text.date_label(datetime(2027, 3, 5, 23, 59)) == "05 Mar 2027"
    assert text.weekday_date_label(date(2027, 3, 5)) == "Fri 05 Mar 2027"
    assert text.datetime_label(datetime(2027, 3, 5, 14, 30)) == "05 Mar 2027, 14:30 UTC"
    assert text.date_label(date(9999, 12, 31)) == "31 Dec 9999"


@pytest.mark.parametrize(("span", "words"), [
    (timedelta(0), "0 seconds"), (timedelta(seconds=-5), "0 seconds"), (timedelta(seconds=1), "1 second"),
    (timedelta(minutes=1), "1 minute"), (timedelta(hours=5, minutes=59), "5 hours"),
    (timedelta(days=1, hours=3), "1 day"), (timedelta(days=12), "12 days"),
])
def test_a_duration_is_said_in_its_largest_whole_unit(span, words):
    assert text.duration_words(span) == words


def test_a_wait_is_not_counted_in_seconds():
    assert text.waited(timedelta(seconds=20)) == "just now"
    assert text.waited(timedelta(seconds=-5)) == "just now"
    assert text.waited(timedelta(minutes=1)) == "1 minute"
    assert text.waited(timedelta(days=3, hours=1)) == "3 days"


def test_how_long_ago_reads_naturally():
    assert text.ago(NOW, NOW) == "just now"
    assert text.ago(NOW - timedelta(seconds=9), NOW) == "just now"
    assert text.ago(NOW - timedelta(seconds=45), NOW) == "45 seconds ago"
    assert text.ago(NOW - timedelta(minutes=1, seconds=5), NOW) == "1 minute ago"
    assert text.ago(NOW - timedelta(hours=3), NOW) == "3 hours ago"
    assert text.ago(NOW - timedelta(days=2, hours=5), NOW) == "2 days ago"
    assert text.ago(NOW + timedelta(seconds=30), NOW) == "just now"  # a clock a little ahead
    assert text.ago((NOW - timedelta(hours=2)).replace(tzinfo=UTC), NOW) == "2 hours ago"


def test_a_day_is_said_from_today():
    today = NOW.date()
    said = {offset: text.days_from(today + timedelta(days=offset), today) for offset in (-3, -1, 0, 1, 2)}
    assert said == {-3: "3 days ago", -1: "1 day ago", 0: "today", 1: "tomorrow", 2: "in 2 days"}
    assert [text.days_ago(days) for days in (0, 1, 4)] == ["today", "1 day ago", "4 days ago"]
    assert [text.counted(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]


def test_a_moment_is_said_next_to_now():
    assert text.moment_text(datetime(2026, 11, 17, 21, 0), NOW) == "21:00 UTC"
    assert text.moment_text(datetime(2026, 11, 18, 7, 0), NOW) == "07:00 UTC tomorrow"
    assert text.moment_text(datetime(2026, 11, 20, 7, 0), NOW) == "Fri 20 Nov, 07:00 UTC"
    assert text.moment_text(datetime(2027, 11, 20, 7, 0), NOW) == "20 Nov 2027, 07:00 UTC"
