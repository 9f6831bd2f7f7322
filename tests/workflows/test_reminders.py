"""Unit and property tests of :mod:`workflows.reminders`, the pure reminder timetable.

Times going in and out are naive UTC; the expected values below were worked out by hand
from each zone's offsets (Berlin +1/+2, New York -5/-4, Kolkata +5:30, Auckland +13/+12).
The property tests compare the module with a slow, obvious reading of the same rules:
walk every slot from the first one and look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import reminders
from workflows.reminders import (
    DEFAULT_LEAD_DAYS,
    MAX_LEAD_DAYS,
    MAX_OVERDUE_EVERY,
    ReminderPrefs,
    Slot,
    advance,
    at_local,
    email_at,
    group_digests,
    is_quiet_hour,
    is_time_zone,
    latest_slot,
    lead_text,
    local,
    next_local_hour,
    next_slot,
    offsets,
    parse_lead_days,
    phrase,
    problems,
    slots,
    zone_or_utc,
)

MODEST = settings(max_examples=100, deadline=None)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
AUCKLAND = "Pacific/Auckland"
ZONES = ("UTC", BERLIN, NEW_YORK, KOLKATA, AUCKLAND)

#: Local dates of the 2026 daylight-saving changes in the zones above.
DST_DAYS = (
    date(2026, 3, 29), date(2026, 10, 25),  # Berlin: spring forward, fall back
    date(2026, 3, 8), date(2026, 11, 1),  # New York
    date(2026, 4, 5), date(2026, 9, 27),  # Auckland: autumn (fall back), spring (forward)
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive UTC time, as the module takes and gives them."""
    return datetime(year, month, day, hour, minute)


def wall_time_exists(day: date, hour: int, zone: ZoneInfo) -> bool:
    """Whether ``hour`` o'clock happens on ``day`` in ``zone`` (not skipped by spring-forward)."""
    wall = datetime.combine(day, time(hour), tzinfo=zone)
    back = wall.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == wall.replace(tzinfo=None)


def lands_at(at: datetime, day: date, hour: int, prefs: ReminderPrefs) -> bool:
    """Whether ``at`` is ``hour`` o'clock on ``day`` where the person is; an hour a spring-forward
    skipped counts as the hour after it, the wall-clock time at that instant."""
    seen = local(at, prefs)
    expected = hour if wall_time_exists(day, hour, prefs.zone) else hour + 1
    return (seen.date(), seen.hour, seen.minute, seen.second) == (day, expected, 0, 0)


def slots_until(due: date, prefs: ReminderPrefs, until: datetime) -> list[Slot]:
    """Every slot at or before ``until``, by walking all of them: slow and obviously right."""
    found: list[Slot] = []
    for slot in slots(due, prefs):
        if slot.at > until:
            break
        found.append(slot)
    return found


def first_slot_after(due: date, prefs: ReminderPrefs, after: datetime) -> Slot | None:
    return next((slot for slot in slots(due, prefs) if slot.at > after), None)


# --- strategies --------------------------------------------------------------------------------

HOURS = st.integers(min_value=0, max_value=23)
DUE_DATES = st.one_of(st.dates(date(2025, 6, 1), date(2027, 6, 1)), st.sampled_from(DST_DAYS))


@st.composite
def valid_prefs(draw: st.DrawFn) -> ReminderPrefs:
    """Settings a person could save: the reminder hour is always outside their quiet hours."""
    quiet_start, quiet_end = draw(HOURS), draw(HOURS)
    quiet = ReminderPrefs(quiet_start=quiet_start, quiet_end=quiet_end)
    open_hours = [hour for hour in range(24) if not is_quiet_hour(hour, quiet)]
    return ReminderPrefs(
        lead_days=tuple(draw(st.lists(st.integers(1, MAX_LEAD_DAYS), max_size=4))),
        on_the_day=draw(st.booleans()),
        overdue_every=draw(st.integers(0, MAX_OVERDUE_EVERY)),
        time_zone=draw(st.sampled_from(ZONES)),
        hour=draw(st.sampled_from(open_hours)),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )


@st.composite
def times_near(draw: st.DrawFn, days: st.SearchStrategy[date] = DUE_DATES, spread_days: int = 120) -> datetime:
    """A naive UTC time within ``spread_days`` of one of ``days``, to the minute."""
    day = draw(days)
    minutes = draw(st.integers(-spread_days * 24 * 60, spread_days * 24 * 60))
    return datetime.combine(day, time()) + timedelta(minutes=minutes)


NOWS = st.one_of(
    st.datetimes(min_value=utc(2025, 1, 1), max_value=utc(2027, 12, 31)),
    times_near(st.sampled_from(DST_DAYS), spread_days=2),  # the hours around a DST change
)


# --- lead times, the day itself, overdue repeats -----------------------------------------------

def test_a_new_user_is_reminded_a_week_before_and_the_day_before() -> None:
    prefs = ReminderPrefs()
    assert prefs.lead_days == DEFAULT_LEAD_DAYS == (7, 1)
    assert (prefs.on_the_day, prefs.overdue_every, prefs.time_zone, prefs.hour) == (True, 3, "UTC", 9)
    assert problems(prefs) == {}


def test_lead_days_are_deduplicated_and_sorted_longest_first() -> None:
    prefs = ReminderPrefs(lead_days=(1, 7, 3, 7, 1))
    assert prefs.lead_days == (7, 3, 1)
    assert offsets(prefs) == (-7, -3, -1, 0)


def test_offsets_leave_out_the_day_itself_when_on_the_day_is_off() -> None:
    assert offsets(ReminderPrefs(lead_days=(2,), on_the_day=False)) == (-2,)


def test_slots_fall_on_each_lead_day_and_on_the_day_at_the_persons_hour() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs(lead_days=(1, 7, 3), overdue_every=0, hour=10, quiet_start=22, quiet_end=7)
    assert list(slots(due, prefs)) == [
        Slot(utc(2026, 5, 13, 10), due, -7),
        Slot(utc(2026, 5, 17, 10), due, -3),
        Slot(utc(2026, 5, 19, 10), due, -1),
        Slot(utc(2026, 5, 20, 10), due, 0),
    ]


def test_slots_say_their_kind_and_a_key_naming_the_due_date_and_offset() -> None:
    due = date(2026, 5, 20)
    before, on_the_day, late = (Slot(utc(2026, 5, 20), due, offset) for offset in (-7, 0, 3))
    assert (before.kind, on_the_day.kind, late.kind) == ("before", "due", "overdue")
    assert (before.key, on_the_day.key, late.key) == ("2026-05-20/-7", "2026-05-20/+0", "2026-05-20/+3")


def test_overdue_reminders_repeat_every_k_days_without_end() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs(lead_days=(), on_the_day=True, overdue_every=4)
    first = list(islice(slots(due, prefs), 501))
    assert [slot.offset for slot in first] == [0, *range(4, 2001, 4)]
    assert first[-1].at == utc(2031, 11, 10, 9)  # 2000 days late, still reminding
    far = next_slot(due, prefs, utc(2040, 1, 1))
    assert far is not None and far.kind == "overdue" and far.offset % 4 == 0


def test_overdue_off_means_nothing_after_the_day_itself() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs(overdue_every=0)
    assert [slot.offset for slot in slots(due, prefs)] == [-7, -1, 0]
    assert next_slot(due, prefs, utc(2026, 5, 20, 9)) is None
    assert latest_slot(due, prefs, utc(2026, 5, 20, 9), utc(2030, 1, 1)) is None


def test_no_lead_days_no_day_and_no_repeats_means_no_slots_at_all() -> None:
    prefs = ReminderPrefs(lead_days=(), on_the_day=False, overdue_every=0)
    assert list(slots(date(2026, 5, 20), prefs)) == []
    assert next_slot(date(2026, 5, 20), prefs, utc(2020, 1, 1)) is None


def test_next_slot_is_strictly_after_the_given_time() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs()
    on_the_day = utc(2026, 5, 20, 9)
    assert next_slot(due, prefs, on_the_day - timedelta(seconds=1)) == Slot(on_the_day, due, 0)
    assert next_slot(due, prefs, on_the_day) == Slot(utc(2026, 5, 23, 9), due, 3)


def test_latest_slot_is_the_last_one_in_the_half_open_window() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs()
    week_before, day_before = utc(2026, 5, 13, 9), utc(2026, 5, 19, 9)
    assert latest_slot(due, prefs, utc(2026, 5, 1), day_before) == Slot(day_before, due, -1)
    assert latest_slot(due, prefs, week_before, day_before - timedelta(seconds=1)) is None  # after is excluded
    assert latest_slot(due, prefs, utc(2026, 5, 1), week_before) == Slot(week_before, due, -7)  # until is included


# --- time zones and daylight saving ------------------------------------------------------------

@pytest.mark.parametrize(
    ("zone", "day", "hour", "expected"),
    [
        pytest.param("UTC", date(2026, 1, 15), 9, utc(2026, 1, 15, 9), id="utc"),
        pytest.param(BERLIN, date(2026, 1, 15), 9, utc(2026, 1, 15, 8), id="berlin-winter"),
        pytest.param(BERLIN, date(2026, 7, 15), 9, utc(2026, 7, 15, 7), id="berlin-summer"),
        pytest.param(BERLIN, date(2026, 3, 29), 9, utc(2026, 3, 29, 7), id="berlin-spring-forward-day"),
        pytest.param(BERLIN, date(2026, 10, 25), 9, utc(2026, 10, 25, 8), id="berlin-fall-back-day"),
        pytest.param(NEW_YORK, date(2026, 3, 7), 9, utc(2026, 3, 7, 14), id="new-york-before-dst"),
        pytest.param(NEW_YORK, date(2026, 3, 8), 9, utc(2026, 3, 8, 13), id="new-york-dst-day"),
        pytest.param(NEW_YORK, date(2026, 1, 15), 20, utc(2026, 1, 16, 1), id="new-york-evening-is-utc-tomorrow"),
        pytest.param(KOLKATA, date(2026, 1, 15), 9, utc(2026, 1, 15, 3, 30), id="kolkata-half-hour"),
        pytest.param(AUCKLAND, date(2026, 1, 15), 9, utc(2026, 1, 14, 20), id="auckland-summer-is-utc-yesterday"),
        pytest.param(AUCKLAND, date(2026, 7, 15), 9, utc(2026, 7, 14, 21), id="auckland-winter"),
    ],
)
def test_at_local_turns_the_persons_hour_into_utc(zone: str, day: date, hour: int, expected: datetime) -> None:
    prefs = ReminderPrefs(time_zone=zone, hour=hour)
    assert at_local(day, hour, prefs) == expected
    assert local(expected, prefs).replace(tzinfo=None) == datetime.combine(day, time(hour))


@pytest.mark.parametrize(
    ("zone", "day", "hour", "expected", "wall_hour"),
    [
        pytest.param(BERLIN, date(2026, 3, 29), 2, utc(2026, 3, 29, 1), 3, id="berlin"),
        pytest.param(NEW_YORK, date(2026, 3, 8), 2, utc(2026, 3, 8, 7), 3, id="new-york"),
        pytest.param(AUCKLAND, date(2026, 9, 27), 2, utc(2026, 9, 26, 14), 3, id="auckland"),
    ],
)
def test_an_hour_that_spring_forward_skips_moves_forward(
    zone: str, day: date, hour: int, expected: datetime, wall_hour: int
) -> None:
    prefs = ReminderPrefs(time_zone=zone, hour=hour, quiet_start=hour, quiet_end=hour)
    on_the_day = next(slot for slot in slots(day, prefs) if slot.offset == 0)
    assert on_the_day.at == expected == at_local(day, hour, prefs)
    assert (local(on_the_day.at, prefs).date(), local(on_the_day.at, prefs).hour) == (day, wall_hour)


@pytest.mark.parametrize(
    ("zone", "day", "hour", "expected", "first_offset"),
    [
        pytest.param(BERLIN, date(2026, 10, 25), 2, utc(2026, 10, 25, 0), timedelta(hours=2), id="berlin"),
        pytest.param(NEW_YORK, date(2026, 11, 1), 1, utc(2026, 11, 1, 5), timedelta(hours=-4), id="new-york"),
        pytest.param(AUCKLAND, date(2026, 4, 5), 2, utc(2026, 4, 4, 13), timedelta(hours=13), id="auckland"),
    ],
)
def test_an_hour_that_fall_back_repeats_is_taken_the_first_time(
    zone: str, day: date, hour: int, expected: datetime, first_offset: timedelta
) -> None:
    prefs = ReminderPrefs(time_zone=zone, hour=hour, quiet_start=hour, quiet_end=hour)
    assert at_local(day, hour, prefs) == expected
    assert local(expected, prefs).utcoffset() == first_offset  # still summer time: the first pass
    assert local(expected + timedelta(hours=1), prefs).hour == hour  # the hour then comes round again


def test_a_week_of_reminders_across_spring_forward_keeps_the_local_hour() -> None:
    prefs = ReminderPrefs(lead_days=(7,), time_zone=BERLIN, hour=9)
    due = date(2026, 4, 1)
    week_before, on_the_day = islice(slots(due, prefs), 2)
    assert week_before.at == utc(2026, 3, 25, 8)  # CET, +1
    assert on_the_day.at == utc(2026, 4, 1, 7)  # CEST, +2
    assert on_the_day.at - week_before.at == timedelta(days=7, hours=-1)


@MODEST
@given(prefs=valid_prefs(), due=DUE_DATES)
def test_every_slot_is_at_the_persons_hour_on_due_plus_offset(prefs: ReminderPrefs, due: date) -> None:
    first = list(islice(slots(due, prefs), 12))
    for slot in first:
        assert slot.due == due
        assert lands_at(slot.at, due + timedelta(days=slot.offset), prefs.hour, prefs), slot
    assert first == sorted(first)  # earliest first
    assert len({slot.key for slot in first}) == len(first)


@MODEST
@given(day=DUE_DATES, hour=HOURS, zone=st.sampled_from(ZONES))
def test_at_local_and_local_agree_on_the_date(day: date, hour: int, zone: str) -> None:
    prefs = ReminderPrefs(time_zone=zone)
    at = at_local(day, hour, prefs)
    assert at.tzinfo is None
    assert lands_at(at, day, hour, prefs)


# --- zones, quiet hours and problems -----------------------------------------------------------

def test_known_zones_are_time_zones_and_made_up_ones_are_not() -> None:
    assert all(is_time_zone(zone) for zone in ZONES)
    assert not any(is_time_zone(name) for name in ("Mars/Olympus", "America", "", "europe/berlin", "UTC "))


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "America", "Etc", "America/"])
def test_an_unknown_zone_falls_back_to_utc_instead_of_failing(name: str) -> None:
    # "America" and "Etc" are folders of the zone database: ZoneInfo raises IsADirectoryError.
    prefs = ReminderPrefs(time_zone=name)
    assert zone_or_utc(name) == ZoneInfo("UTC")
    assert prefs.zone == ZoneInfo("UTC")
    assert at_local(date(2026, 7, 1), 9, prefs) == utc(2026, 7, 1, 9)
    assert problems(prefs) == {"time_zone": f"{name!r} is not a time zone we know (e.g. Europe/Rome)."}


@pytest.mark.parametrize(
    ("start", "end", "quiet", "open_"),
    [
        pytest.param(21, 8, [21, 22, 23, 0, 5, 7], [8, 9, 12, 20], id="across-midnight"),
        pytest.param(13, 15, [13, 14], [12, 15, 16, 0, 23], id="same-day"),
        pytest.param(0, 6, [0, 3, 5], [6, 23], id="from-midnight"),
        pytest.param(22, 0, [22, 23], [0, 1, 21], id="to-midnight"),
    ],
)
def test_quiet_hours_run_from_start_up_to_but_not_including_end(
    start: int, end: int, quiet: list[int], open_: list[int]
) -> None:
    prefs = ReminderPrefs(quiet_start=start, quiet_end=end)
    assert [is_quiet_hour(hour, prefs) for hour in quiet] == [True] * len(quiet)
    assert [is_quiet_hour(hour, prefs) for hour in open_] == [False] * len(open_)


def test_equal_quiet_start_and_end_means_no_quiet_hours() -> None:
    prefs = ReminderPrefs(quiet_start=5, quiet_end=5, hour=3)
    assert not any(is_quiet_hour(hour, prefs) for hour in range(24))
    assert problems(prefs) == {}


@MODEST
@given(start=HOURS, end=HOURS)
def test_quiet_hours_last_as_long_as_start_to_end_around_the_clock(start: int, end: int) -> None:
    prefs = ReminderPrefs(quiet_start=start, quiet_end=end)
    assert sum(is_quiet_hour(hour, prefs) for hour in range(24)) == (end - start) % 24


@MODEST
@given(start=HOURS, end=HOURS, hour=HOURS)
def test_problems_refuse_exactly_a_reminder_hour_inside_quiet_hours(start: int, end: int, hour: int) -> None:
    found = problems(ReminderPrefs(hour=hour, quiet_start=start, quiet_end=end))
    assert ("hour" in found) == is_quiet_hour(hour, ReminderPrefs(quiet_start=start, quiet_end=end))
    assert set(found) <= {"hour"}


def test_a_reminder_hour_at_quiet_end_is_fine_but_at_quiet_start_is_refused() -> None:
    assert problems(ReminderPrefs(hour=8, quiet_start=21, quiet_end=8)) == {}
    assert problems(ReminderPrefs(hour=21, quiet_start=21, quiet_end=8)) == {
        "hour": "Reminders would go out during your quiet hours; pick a daytime hour."
    }


@pytest.mark.parametrize("lead_days", [(0,), (MAX_LEAD_DAYS + 1,), (-1,), (7, 0, 1)])
def test_problems_refuse_lead_days_outside_one_to_ninety(lead_days: tuple[int, ...]) -> None:
    assert set(problems(ReminderPrefs(lead_days=lead_days))) == {"lead_days"}


@pytest.mark.parametrize("lead_days", [(), (1,), (MAX_LEAD_DAYS,), (90, 30, 1)])
def test_problems_accept_lead_days_from_one_to_ninety_or_none(lead_days: tuple[int, ...]) -> None:
    assert problems(ReminderPrefs(lead_days=lead_days)) == {}


@pytest.mark.parametrize(("every", "ok"), [(-1, False), (0, True), (1, True), (30, True), (31, False)])
def test_problems_accept_overdue_every_from_zero_to_thirty(every: int, ok: bool) -> None:
    found = problems(ReminderPrefs(overdue_every=every))
    assert (found == {}) is ok
    assert found in ({}, {"overdue_every": "Repeat overdue reminders every 1 to 30 days, or 0 for never."})


@pytest.mark.parametrize("field_name", ["hour", "quiet_start", "quiet_end"])
@pytest.mark.parametrize("value", [-1, 24])
def test_problems_refuse_hours_outside_the_day(field_name: str, value: int) -> None:
    values = {"hour": 12, "quiet_start": 21, "quiet_end": 8, field_name: value}
    found = problems(ReminderPrefs(**values))
    assert found[field_name] == "An hour of the day, 0 to 23."


def test_problems_name_every_bad_field_at_once() -> None:
    prefs = ReminderPrefs(lead_days=(0,), overdue_every=99, time_zone="Nowhere/Town", hour=23)
    assert set(problems(prefs)) == {"lead_days", "overdue_every", "time_zone", "hour"}


# --- when emails go out ------------------------------------------------------------------------

def test_a_single_email_in_the_day_goes_at_once() -> None:
    now = utc(2026, 1, 15, 11, 17)  # 12:17 in Berlin
    assert email_at(now, ReminderPrefs(time_zone=BERLIN), digest=False) == now


def test_a_single_email_at_night_waits_for_the_end_of_quiet_hours() -> None:
    prefs = ReminderPrefs(time_zone=BERLIN)  # quiet 21:00 to 08:00
    assert email_at(utc(2026, 1, 15, 22, 30), prefs, digest=False) == utc(2026, 1, 16, 7)  # 23:30 → 08:00
    assert email_at(utc(2026, 1, 16, 4), prefs, digest=False) == utc(2026, 1, 16, 7)  # 05:00 → 08:00
    assert email_at(utc(2026, 1, 15, 20), prefs, digest=False) == utc(2026, 1, 16, 7)  # 21:00 sharp is quiet


def test_quiet_hours_are_the_persons_not_utcs() -> None:
    now = utc(2026, 1, 15, 20)  # 20:00 UTC is daytime by UTC's quiet hours, but 01:30 in Kolkata
    assert email_at(now, ReminderPrefs(), digest=False) == now
    assert email_at(now, ReminderPrefs(time_zone=KOLKATA), digest=False) == utc(2026, 1, 16, 2, 30)  # 08:00 IST
    # and the other way round: 03:00 UTC is night in UTC, 16:00 in Auckland.
    assert email_at(utc(2026, 1, 15, 3), ReminderPrefs(time_zone=AUCKLAND), digest=False) == utc(2026, 1, 15, 3)


def test_without_quiet_hours_a_single_email_goes_at_once_even_at_night() -> None:
    now = utc(2026, 1, 15, 3)
    assert email_at(now, ReminderPrefs(quiet_start=0, quiet_end=0), digest=False) == now


def test_the_end_of_quiet_hours_follows_spring_forward() -> None:
    prefs = ReminderPrefs(time_zone=BERLIN)
    # 01:30 CET on 29 March; quiet hours end at 08:00 CEST, which is 06:00 UTC.
    assert email_at(utc(2026, 3, 29, 0, 30), prefs, digest=False) == utc(2026, 3, 29, 6)


def test_a_digest_goes_at_the_persons_hour() -> None:
    prefs = ReminderPrefs(time_zone=NEW_YORK, hour=9)
    assert email_at(utc(2026, 1, 15, 12), prefs, digest=True) == utc(2026, 1, 15, 14)  # 07:00 → 09:00 today
    assert email_at(utc(2026, 1, 15, 14), prefs, digest=True) == utc(2026, 1, 15, 14)  # 09:00 sharp: now
    assert email_at(utc(2026, 1, 15, 15), prefs, digest=True) == utc(2026, 1, 16, 14)  # 10:00 → tomorrow


def test_a_reminder_written_within_the_hour_of_its_slot_joins_that_slots_digest() -> None:
    prefs = ReminderPrefs(time_zone=BERLIN)
    slot_at = utc(2026, 1, 15, 8)  # 09:00 in Berlin
    assert email_at(slot_at, prefs, digest=True, slot_at=slot_at) == slot_at
    assert email_at(slot_at + timedelta(minutes=59), prefs, digest=True, slot_at=slot_at) == slot_at  # "due now"
    assert email_at(slot_at + timedelta(hours=1), prefs, digest=True, slot_at=slot_at) == utc(2026, 1, 16, 8)
    assert email_at(slot_at - timedelta(minutes=5), prefs, digest=True, slot_at=slot_at) == slot_at  # early: same


def test_next_local_hour_is_at_or_after_and_crosses_dst_changes() -> None:
    prefs = ReminderPrefs(time_zone=BERLIN)
    assert next_local_hour(utc(2026, 3, 28, 8), 9, prefs) == utc(2026, 3, 28, 8)
    assert next_local_hour(utc(2026, 3, 28, 8, 1), 9, prefs) == utc(2026, 3, 29, 7)  # over spring-forward
    assert next_local_hour(utc(2026, 10, 24, 8), 9, prefs) == utc(2026, 10, 25, 8)  # over fall-back
    # The skipped 02:00 is taken as 03:00 CEST; the repeated 02:00 the first time.
    assert next_local_hour(utc(2026, 3, 28, 23), 2, prefs) == utc(2026, 3, 29, 1)
    assert next_local_hour(utc(2026, 10, 24, 23), 2, prefs) == utc(2026, 10, 25, 0)
    assert next_local_hour(utc(2026, 10, 25, 0, 30), 2, prefs) == utc(2026, 10, 26, 1)


@MODEST
@given(prefs=valid_prefs(), now=NOWS)
def test_a_single_email_goes_now_or_when_quiet_hours_end_never_before_now(prefs: ReminderPrefs, now: datetime) -> None:
    at = email_at(now, prefs, digest=False)
    assert now <= at < now + timedelta(hours=25)
    if is_quiet_hour(local(now, prefs).hour, prefs):
        assert lands_at(at, local(at, prefs).date(), prefs.quiet_end, prefs)
    else:
        assert at == now
    # Never in quiet hours, except where a spring-forward pushed quiet_end into them (23-hour quiet).
    shifted = not wall_time_exists(local(at, prefs).date(), prefs.quiet_end, prefs.zone)
    assert not is_quiet_hour(local(at, prefs).hour, prefs) or shifted


@MODEST
@given(prefs=valid_prefs(), now=NOWS, slot_day=DUE_DATES, late=st.one_of(st.none(), st.integers(-180, 180)))
def test_a_digest_goes_at_the_persons_hour_never_in_the_past_unless_due_now(
    prefs: ReminderPrefs, now: datetime, slot_day: date, late: int | None
) -> None:
    # ``late``: minutes from the reminder's slot to when it is written; None: not a reminder.
    slot_at = None
    if late is not None:
        slot_at = at_local(slot_day, prefs.hour, prefs)
        now = slot_at + timedelta(minutes=late)
    at = email_at(now, prefs, digest=True, slot_at=slot_at)
    on_time = slot_at is not None and timedelta(0) <= now - slot_at < timedelta(hours=1)
    if on_time:
        assert at == slot_at <= now  # joins the digest of its slot, which is due now
    else:
        assert now <= at < now + timedelta(hours=25)
        assert at == next_local_hour(now, prefs.hour, prefs)
    assert lands_at(at, local(at, prefs).date(), prefs.hour, prefs)
    # Outside quiet hours, unless a spring-forward skipped the hour and the next one is quiet.
    shifted = not wall_time_exists(local(at, prefs).date(), prefs.hour, prefs.zone)
    assert not is_quiet_hour(local(at, prefs).hour, prefs) or shifted


def test_the_one_way_a_digest_lands_in_quiet_hours_is_an_hour_skipped_by_spring_forward() -> None:
    # Reminders at 02:00, quiet from 03:00: on 29 March 02:00 does not exist in Berlin, and the
    # digest goes at the instant 02:00 would have been, which the clock calls 03:00.
    prefs = ReminderPrefs(time_zone=BERLIN, hour=2, quiet_start=3, quiet_end=8)
    assert problems(prefs) == {}
    at = email_at(utc(2026, 3, 28, 12), prefs, digest=True)
    assert at == utc(2026, 3, 29, 1)
    assert is_quiet_hour(local(at, prefs).hour, prefs)


# --- digests -----------------------------------------------------------------------------------

def test_group_digests_makes_one_digest_per_person_oldest_first() -> None:
    pending = [(2, 40), (1, 9), (1, 3), (2, 4), (1, 5)]
    assert group_digests(pending) == {1: [3, 5, 9], 2: [4, 40]}
    assert group_digests([]) == {}


@MODEST
@given(pending=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 10_000)), unique_by=lambda p: p[1]))
def test_group_digests_keeps_every_notification_once_under_its_person(pending: list[tuple[int, int]]) -> None:
    digests = group_digests(iter(pending))  # any iterable, read once
    assert set(digests) == {user for user, _ in pending}
    assert Counter((user, n) for user, ids in digests.items() for n in ids) == Counter(pending)
    assert all(ids == sorted(ids) for ids in digests.values())


# --- moved deadlines ---------------------------------------------------------------------------

@MODEST
@given(prefs=valid_prefs(), old_due=DUE_DATES, new_due=DUE_DATES, now=NOWS)
def test_after_a_date_moves_only_slots_of_the_new_date_come_and_none_already_past(
    prefs: ReminderPrefs, old_due: date, new_due: date, now: datetime
) -> None:
    slot = next_slot(new_due, prefs, now)
    assert slot == first_slot_after(new_due, prefs, now)
    if slot is not None:
        assert slot.at > now
        assert slot.due == new_due and slot.key.startswith(new_due.isoformat() + "/")
        if old_due != new_due:
            assert not slot.key.startswith(old_due.isoformat())
        assert lands_at(slot.at, new_due + timedelta(days=slot.offset), prefs.hour, prefs)


# --- catching up: advance ----------------------------------------------------------------------

def test_a_late_sweep_sends_only_the_latest_missed_slot_and_points_at_the_next() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs(overdue_every=1)
    step = advance(due, prefs, cursor=utc(2026, 5, 1), now=utc(2026, 5, 23, 12))
    assert step.send == Slot(utc(2026, 5, 23, 9), due, 3)  # not the 7-days, 1-day, day, +1, +2 slots
    assert step.cursor == utc(2026, 5, 23, 12)
    assert step.next_at == utc(2026, 5, 24, 9)


def test_a_sweep_with_nothing_missed_sends_nothing_and_without_repeats_ends() -> None:
    due = date(2026, 5, 20)
    prefs = ReminderPrefs(overdue_every=0)
    early = advance(due, prefs, cursor=utc(2026, 5, 1), now=utc(2026, 5, 2))
    assert (early.send, early.next_at) == (None, utc(2026, 5, 13, 9))
    last = advance(due, prefs, cursor=utc(2026, 5, 19, 12), now=utc(2026, 5, 25))
    assert last.send == Slot(utc(2026, 5, 20, 9), due, 0)
    assert last.next_at is None


@MODEST
@given(prefs=valid_prefs(), due=DUE_DATES, cursor=times_near(), step=st.integers(0, 60 * 24 * 90))
def test_advance_sends_the_latest_slot_since_the_cursor_and_waits_for_the_next(
    prefs: ReminderPrefs, due: date, cursor: datetime, step: int
) -> None:
    now = cursor + timedelta(minutes=step)
    result = advance(due, prefs, cursor, now)
    missed = [slot for slot in slots_until(due, prefs, now) if slot.at > cursor]
    assert result.send == (missed[-1] if missed else None)
    if result.send is not None:
        assert cursor < result.send.at <= now
    assert result.cursor == now
    following = first_slot_after(due, prefs, now)
    assert result.next_at == (following.at if following else None)
    assert result.next_at is None or result.next_at > now


@MODEST
@given(prefs=valid_prefs(), due=DUE_DATES, cursor=NOWS, now=NOWS)
def test_advance_never_sends_a_slot_outside_cursor_to_now(
    prefs: ReminderPrefs, due: date, cursor: datetime, now: datetime
) -> None:
    result = advance(due, prefs, cursor, now)
    if now <= cursor:
        assert result.send is None
    elif result.send is not None:
        assert cursor < result.send.at <= now
        after_sent = next_slot(due, prefs, result.send.at)
        assert after_sent is None or after_sent.at > now  # nothing later was owed yet
    assert result.next_at is None or result.next_at > now


def sweep(
    due: date, prefs: ReminderPrefs, start: datetime, times: list[datetime], *, only_when_due: bool
) -> list[Slot]:
    """Run a schedule like the app's sweep does; returns the slots sent, in order.

    ``only_when_due`` mirrors the real sweep, which only looks at a schedule once its
    ``next_at`` has come; otherwise every sweep time advances it.
    """
    cursor = start
    first = next_slot(due, prefs, start)
    next_at = first.at if first else None
    sent: list[Slot] = []
    for now in times:
        if only_when_due and (next_at is None or next_at > now):
            assert latest_slot(due, prefs, cursor, now) is None  # waiting skips nothing owed
            continue
        step = advance(due, prefs, cursor, now)
        if only_when_due:
            assert step.send is not None  # next_at had come, so a slot was owed
        if step.send is not None:
            assert cursor < step.send.at <= now
            sent.append(step.send)
        cursor, next_at = step.cursor, step.next_at
    return sent


@MODEST
@given(
    prefs=valid_prefs(),
    due=DUE_DATES,
    start=times_near(spread_days=30),
    gaps=st.lists(st.integers(1, 60 * 24 * 10), min_size=1, max_size=40),
)
def test_repeated_sweeps_never_send_a_slot_twice_and_miss_no_sweep_window(
    prefs: ReminderPrefs, due: date, start: datetime, gaps: list[int]
) -> None:
    times: list[datetime] = []
    for gap in gaps:
        times.append((times[-1] if times else start) + timedelta(minutes=gap))
    sent = sweep(due, prefs, start, times, only_when_due=True)
    keys = [slot.key for slot in sent]
    assert len(keys) == len(set(keys))
    assert sent == sorted(sent)
    # One reminder for every sweep window that held a slot, and it is that window's latest.
    expected = [latest_slot(due, prefs, a, b) for a, b in pairwise([start, *times])]
    assert sent == [slot for slot in expected if slot is not None]
    # Looking at the schedule on every sweep, not only when due, sends the very same reminders.
    assert sweep(due, prefs, start, times, only_when_due=False) == sent


# --- long overdue: no walking every day --------------------------------------------------------

def count_slot_computations(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Counts the calls of ``at_local``, one per slot worked out."""
    calls = [0]
    original = reminders.at_local

    def counting(day: date, hour: int, prefs: ReminderPrefs) -> datetime:
        calls[0] += 1
        return original(day, hour, prefs)

    monkeypatch.setattr(reminders, "at_local", counting)
    return lambda: calls[0]


def test_an_item_ten_years_overdue_gets_its_next_daily_reminder_without_walking_the_decade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    due, now = date(2016, 3, 1), utc(2026, 3, 1, 12)
    prefs = ReminderPrefs(overdue_every=1, time_zone=BERLIN)
    computed = count_slot_computations(monkeypatch)
    slot = next_slot(due, prefs, now)
    assert slot == Slot(utc(2026, 3, 2, 8), due, (date(2026, 3, 2) - due).days)
    assert computed() < 20  # a handful, not 3,650


def test_a_sweep_with_a_cursor_ten_years_back_sends_the_latest_without_walking_the_decade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    due, now = date(2016, 3, 1), utc(2026, 3, 1, 12)
    prefs = ReminderPrefs(overdue_every=1)
    computed = count_slot_computations(monkeypatch)
    step = advance(due, prefs, cursor=utc(2016, 1, 1), now=now)
    assert step.send == Slot(utc(2026, 3, 1, 9), due, (date(2026, 3, 1) - due).days)
    assert step.next_at == utc(2026, 3, 2, 9)
    assert computed() < 40


# --- wording -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("days", "text"),
    [
        (30, "due in 30 days"),
        (2, "due in 2 days"),
        (1, "due tomorrow"),
        (0, "due today"),
        (-1, "overdue by 1 day"),
        (-3, "overdue by 3 days"),
    ],
)
def test_phrase_says_how_far_off_the_due_date_is(days: int, text: str) -> None:
    today = date(2026, 2, 27)
    assert phrase(today + timedelta(days=days), today) == text


def test_phrase_counts_calendar_days_across_a_month_end() -> None:
    assert phrase(date(2026, 3, 1), date(2026, 2, 28)) == "due tomorrow"
    assert phrase(date(2024, 2, 28), date(2024, 3, 1)) == "overdue by 2 days"  # leap year


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("7, 1", (7, 1)),
        ("1,7", (7, 1)),
        ("14; 3 ;1", (14, 3, 1)),
        ("7, 7, 1", (7, 1)),
        (" 3 , ", (3,)),
        ("", ()),
        (" , ; ", ()),
        ("007", (7,)),
    ],
)
def test_parse_lead_days_reads_numbers_separated_by_commas_or_semicolons(text: str, parsed: tuple[int, ...]) -> None:
    assert parse_lead_days(text) == parsed


@pytest.mark.parametrize(
    ("text", "bad_part"),
    [
        ("7, x", "x"),
        ("7, -1", "-1"),
        ("1.5", "1.5"),
        ("7 days", "7 days"),
        ("1 2", "1 2"),
        ("+3", "+3"),
        ("²", "²"),  # a digit to str.isdigit, but not a number int() reads
    ],
)
def test_parse_lead_days_names_the_part_that_is_not_a_number_of_days(text: str, bad_part: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_lead_days(text)
    assert str(raised.value) == f"{bad_part!r} is not a number of days"


@MODEST
@given(st.lists(st.integers(0, 10_000), max_size=8))
def test_lead_text_and_parse_lead_days_round_trip(days: list[int]) -> None:
    text = lead_text(days)
    assert parse_lead_days(text) == tuple(sorted(set(days), reverse=True))
    assert text == ", ".join(str(d) for d in parse_lead_days(text))
