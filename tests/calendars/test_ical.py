"""The iCalendar writer, checked by parsing its output back with the ``icalendar`` library.

Pure tests: no app, no database.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendars.ical import REFRESH, Calendar, Event, duration, render, text

MODIFIED = datetime(2030, 1, 15, 12, 30, 45)
INJECTIONS = [
    "\r\nATTENDEE:mailto:x@evil",
    "\nATTENDEE:mailto:x@evil",
    "\rATTENDEE:mailto:x@evil",
    "\nEND:VEVENT\nBEGIN:VEVENT\nATTENDEE:mailto:x@evil",
    "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE:mailto:x@evil",
    "\x85ATTENDEE:mailto:x@evil",
    "\u2028ATTENDEE:mailto:x@evil",
    "\u2029ATTENDEE:mailto:x@evil",
    "\x0bATTENDEE:mailto:x@evil",
    "\x0cATTENDEE:mailto:x@evil",
    "\x1cATTENDEE:mailto:x@evil",
]


def event(**overrides: object) -> Event:
    fields: dict = {"uid": str(uuid.uuid4()), "day": date(2030, 2, 1), "summary": "Launch", "modified": MODIFIED}
    return Event(**(fields | overrides))


def parse(feed: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(feed.encode("utf-8"))


def events_of(feed: str) -> list[icalendar.Event]:
    return list(parse(feed).walk("VEVENT"))


def unescaped(value: object) -> str:
    """icalendar reads NAME and the X-WR- properties as unknown (raw) values: unescape the TEXT
    here (RFC 5545 §3.3.11: ``\\\\``, ``\\;``, ``\\,``, ``\\n`` or ``\\N``), left to right."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], str(value))


def assert_well_formed(feed: str) -> None:
    """CRLF line ends only, at most 75 octets a line, each physical line valid UTF-8 on its own."""
    assert feed.endswith("\r\n")
    raw = feed.encode("utf-8")
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 75, line
        line.decode("utf-8", errors="strict")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2] == b"END:VCALENDAR"


# --- properties ------------------------------------------------------------------------------

def test_calendar_properties() -> None:
    feed = render(Calendar("Campaign, Q1; launch", "First line\nsecond line"), [])
    assert_well_formed(feed)
    parsed = parse(feed)
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]) == "-//Countersign//Calendar feeds v1//EN"
    assert str(parsed["CALSCALE"]) == "GREGORIAN"
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert unescaped(parsed["X-WR-CALNAME"]) == "Campaign, Q1; launch"
    assert unescaped(parsed["NAME"]) == "Campaign, Q1; launch"
    assert unescaped(parsed["X-WR-CALDESC"]) == "First line\nsecond line"
    refresh = parsed["REFRESH-INTERVAL"]
    assert refresh.dt == timedelta(hours=1) == REFRESH
    assert refresh.params["VALUE"] == "DURATION"
    assert str(parsed["X-PUBLISHED-TTL"]) == "PT1H"
    assert parsed.walk("VEVENT") == []


def test_calendar_description_left_out_when_empty() -> None:
    feed = render(Calendar("Mine"), [])
    assert "X-WR-CALDESC" not in feed
    assert "X-WR-CALDESC" not in parse(feed)


def test_empty_calendar_is_valid() -> None:
    feed = render(Calendar(""), [])
    assert_well_formed(feed)
    parsed = parse(feed)
    assert parsed.name == "VCALENDAR"
    assert parsed.subcomponents == []


def test_event_properties() -> None:
    first = event(uid="0b9e6c1e-6c6f-4d0c-9d43-3b1f1a7f0001", day=date(2030, 12, 31), summary="Ship it, finally; v2",
                  description="Line one\nLine two, with; punctuation\\ and a backslash\n\nafter a blank line",
                  url="https://countersign.example/milestones/7?tab=a,b;c", sequence=4)
    second = event(uid="0b9e6c1e-6c6f-4d0c-9d43-3b1f1a7f0002", day=date(2028, 2, 28), summary="Cancelled one",
                   modified=datetime(2029, 3, 4, 5, 6, 7, 891011), cancelled=True)
    feed = render(Calendar("Mine"), [first, second])
    assert_well_formed(feed)
    one, two = events_of(feed)

    assert str(one["UID"]) == first.uid
    start, end = one["DTSTART"].dt, one["DTEND"].dt
    assert type(start) is date and type(end) is date
    assert start == date(2030, 12, 31) and end == date(2031, 1, 1)
    assert one["DTSTART"].params["VALUE"] == "DATE"
    assert str(one["SUMMARY"]) == "Ship it, finally; v2"
    assert str(one["DESCRIPTION"]) == first.description
    assert str(one["URL"]) == first.url
    assert one["SEQUENCE"] == 4
    assert str(one["STATUS"]) == "CONFIRMED"
    assert str(one["TRANSP"]) == "TRANSPARENT"
    assert one["LAST-MODIFIED"].dt == MODIFIED.replace(tzinfo=UTC)
    assert one["DTSTAMP"].dt == MODIFIED.replace(tzinfo=UTC)

    assert str(two["UID"]) == second.uid
    assert (two["DTSTART"].dt, two["DTEND"].dt) == (date(2028, 2, 28), date(2028, 2, 29))
    assert str(two["STATUS"]) == "CANCELLED"
    assert two["SEQUENCE"] == 0
    assert two["LAST-MODIFIED"].dt == datetime(2029, 3, 4, 5, 6, 7, tzinfo=UTC)  # no microseconds
    assert "DESCRIPTION" not in two and "URL" not in two


def test_raw_layout() -> None:
    feed = render(Calendar("Mine"), [event(uid="u-1", description="d", url="https://x.example/")])
    assert feed.split("\r\n")[feed.split("\r\n").index("BEGIN:VEVENT"):] == [
        "BEGIN:VEVENT",
        "UID:u-1",
        "DTSTAMP:20300115T123045Z",
        "DTSTART;VALUE=DATE:20300201",
        "DTEND;VALUE=DATE:20300202",
        "SUMMARY:Launch",
        "DESCRIPTION:d",
        "URL:https://x.example/",
        "SEQUENCE:0",
        "LAST-MODIFIED:20300115T123045Z",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]


def test_aware_modified_is_written_in_utc() -> None:
    plus_two = datetime(2030, 1, 15, 14, 30, 45, tzinfo=timezone(timedelta(hours=2)))
    (parsed,) = events_of(render(Calendar("Mine"), [event(modified=plus_two)]))
    assert parsed["DTSTAMP"].dt == datetime(2030, 1, 15, 12, 30, 45, tzinfo=UTC)


def test_last_day_has_no_next_day() -> None:
    (parsed,) = events_of(render(Calendar("Mine"), [event(day=date.max)]))
    assert parsed["DTSTART"].dt == date.max
    assert "DTEND" not in parsed  # an all-day DTSTART alone lasts that day (RFC 5545 §3.6.1)


# --- alarms ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("alarm", "trigger"), [
    (timedelta(hours=9), "PT9H"),
    (timedelta(hours=-15), "-PT15H"),
    (timedelta(days=-2, hours=9), "-P1DT15H"),
    (timedelta(0), "PT0S"),
])
def test_alarm_on_each_confirmed_event(alarm: timedelta, trigger: str) -> None:
    events = [event(summary="Sign, please"), event(cancelled=True), event(summary="Second")]
    feed = render(Calendar("Mine", alarm=alarm), events)
    assert_well_formed(feed)
    assert f"\r\nTRIGGER:{trigger}\r\n" in feed
    first, cancelled, second = events_of(feed)
    for parsed, summary in ((first, "Sign, please"), (second, "Second")):
        (valarm,) = parsed.walk("VALARM")
        assert valarm["TRIGGER"].dt == alarm
        assert str(valarm["ACTION"]) == "DISPLAY"
        assert str(valarm["DESCRIPTION"]) == summary
    assert cancelled.walk("VALARM") == []


def test_no_alarm_without_calendar_alarm() -> None:
    feed = render(Calendar("Mine"), [event(), event()])
    assert "VALARM" not in feed
    assert all(parsed.walk("VALARM") == [] for parsed in events_of(feed))


# --- duration --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (timedelta(0), "PT0S"),
    (timedelta(microseconds=-5), "PT0S"),
    (timedelta(hours=1), "PT1H"),
    (timedelta(hours=9), "PT9H"),
    (timedelta(hours=-15), "-PT15H"),
    (timedelta(days=-2, hours=9), "-P1DT15H"),
    (timedelta(days=1), "P1D"),
    (timedelta(days=-7), "-P7D"),
    (timedelta(minutes=90), "PT1H30M"),
    (timedelta(minutes=-30), "-PT30M"),
    (timedelta(seconds=5), "PT5S"),
    (timedelta(hours=1, seconds=5), "PT1H0M5S"),  # RFC 5545 §3.3.6: no "H" directly before "S"
    (timedelta(days=3, hours=2, minutes=1, seconds=9, microseconds=999), "P3DT2H1M9S"),
])
def test_duration(value: timedelta, expected: str) -> None:
    assert duration(value) == expected


@given(st.timedeltas(min_value=timedelta(days=-999), max_value=timedelta(days=999)))
def test_duration_parses_back(value: timedelta) -> None:
    whole = timedelta(seconds=int(value.total_seconds()))  # microseconds are dropped, towards zero
    assert icalendar.vDuration.from_ical(duration(value)) == whole


# --- text ------------------------------------------------------------------------------------

def test_text_escapes() -> None:
    assert text("a\\b;c,d") == "a\\\\b\\;c\\,d"
    assert text("one\r\ntwo\rthree\nfour") == "one two three four"
    assert text("one\r\ntwo\rthree\nfour", multiline=True) == "one\\ntwo\\nthree\\nfour"
    assert text("\\n") == "\\\\n"  # a literal backslash-n stays literal
    assert text("plain title") == "plain title"


def test_text_strips_control_characters() -> None:
    assert text("a\x00b\x1bc\x7fd\x85e\x9ff\u2028g\u2029h\ti\ud800j") == "abcdefghij"


# --- folding ---------------------------------------------------------------------------------

@pytest.mark.parametrize("summary", [
    "x" * 500,
    "é" * 300,
    "€" * 200,
    "😀" * 150,
    "a" + "😀" * 150,
    "ab" + "€" * 100 + "x" * 7 + "😀" * 40,
    "\\" * 301,
    ";" * 200,
    "a" * 66 + "\\" * 9,
    "é" + "\\" * 200 + "€,€;" * 30,
])
def test_long_lines_fold_on_characters(summary: str) -> None:
    feed = render(Calendar(summary, summary), [event(summary=summary, description=summary, url="https://x/" + summary)])
    assert_well_formed(feed)
    (parsed,) = events_of(feed)
    assert str(parsed["SUMMARY"]) == summary
    assert str(parsed["DESCRIPTION"]) == summary
    assert unescaped(parse(feed)["X-WR-CALNAME"]) == summary


def test_folding_keeps_escapes_together() -> None:
    # "SUMMARY:" is 8 octets: the 75th octet of the line is the backslash of "\,".
    feed = render(Calendar("Mine"), [event(summary="a" * 66 + ",b")])
    line = next(line for line in feed.split("\r\n") if line.startswith("SUMMARY:"))
    assert line == "SUMMARY:" + "a" * 66
    assert "\r\n \\,b\r\n" in feed


def test_exactly_75_octets_is_not_folded() -> None:
    feed = render(Calendar("Mine"), [event(summary="s" * 67)])
    assert "\r\nSUMMARY:" + "s" * 67 + "\r\n" in feed


# --- injection -------------------------------------------------------------------------------

@pytest.mark.parametrize("evil", INJECTIONS)
def test_no_injection_through_any_value(evil: str) -> None:
    events = [
        event(summary=f"Title{evil}", description=f"Body{evil}", url=f"https://x.example/{evil}", uid=f"uid-1{evil}"),
        event(uid=f"uid-2{evil}", summary="Plain"),
    ]
    feed = render(Calendar(f"Name{evil}", f"About{evil}", alarm=timedelta(hours=9)), events)
    assert_well_formed(feed)
    assert not re.search(r"\r\n(ATTENDEE|BEGIN:VCALENDAR)", feed)
    assert feed.count("\r\nBEGIN:VEVENT\r\n") == 2 and feed.count("\r\nEND:VEVENT\r\n") == 2
    assert feed.count("\r\nEND:VCALENDAR\r\n") == 1 and feed.endswith("\r\nEND:VCALENDAR\r\n")
    parsed = parse(feed)
    vevents = parsed.walk("VEVENT")
    assert len(vevents) == 2
    for vevent in vevents:
        assert "ATTENDEE" not in vevent
        for valarm in vevent.walk("VALARM"):
            assert "ATTENDEE" not in valarm
    assert "ATTENDEE" not in parsed
    bad = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
    assert not bad.search(feed.replace("\r\n", ""))
    rest = re.sub(r"[\r\n\x0b\x0c\x1c\x85\u2028\u2029]", "", evil)  # a UID loses its line breaks
    assert [str(v["UID"]) for v in vevents] == [f"uid-1{rest}", f"uid-2{rest}"]
    assert str(vevents[0]["SUMMARY"]).startswith("Title") and "\n" not in str(vevents[0]["SUMMARY"])


def test_control_characters_are_gone() -> None:
    nasty = "a\x00b\x1bc\x7fd\x85e\u2028f\u2029g\x9fh"
    feed = render(Calendar(nasty), [event(summary=nasty, description=nasty, uid=nasty, url=nasty)])
    assert_well_formed(feed)
    for char in "\x00\x1b\x7f\x85\u2028\u2029\x9f":
        assert char not in feed
    (parsed,) = events_of(feed)
    assert str(parsed["SUMMARY"]) == str(parsed["DESCRIPTION"]) == str(parsed["UID"]) == "abcdefgh"
    assert str(parsed["URL"]) == "abcdefgh"


def test_url_is_not_text() -> None:
    feed = render(Calendar("Mine"), [event(url="https://x.example/a b\\c,d;e:f?g=h\r\nATTENDEE:x")])
    assert "\r\nURL:https://x.example/a%20b%5Cc,d;e:f?g=hATTENDEE:x\r\n" in feed
    (parsed,) = events_of(feed)
    assert str(parsed["URL"]) == "https://x.example/a%20b%5Cc,d;e:f?g=hATTENDEE:x"


def test_lone_surrogates_do_not_crash() -> None:
    feed = render(Calendar("x\udc80"), [event(summary="a\ud800b", description="c\udfffd", uid="u\ud801", url="v\udc00")])
    assert_well_formed(feed)  # encodes as strict UTF-8
    (parsed,) = events_of(feed)
    assert (str(parsed["SUMMARY"]), str(parsed["DESCRIPTION"])) == ("ab", "cd")


# --- arbitrary input -------------------------------------------------------------------------

def expected_single_line(value: str) -> str:
    """The oracle, independent of the implementation: line breaks become spaces, and control
    characters (Cc), surrogates (Cs) and the line/paragraph separators (Zl, Zp) disappear."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ")
    return "".join(c for c in value if unicodedata.category(c) not in {"Cc", "Cs", "Zl", "Zp"})


def expected_multiline(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c == "\n" or unicodedata.category(c) not in {"Cc", "Cs", "Zl", "Zp"})


def expected_url(value: str) -> str:
    """A URL is not TEXT: nothing escaped, the same characters dropped, space and backslash
    percent-encoded."""
    kept = "".join(c for c in value if unicodedata.category(c) not in {"Cc", "Cs", "Zl", "Zp"})
    return kept.replace(" ", "%20").replace("\\", "%5C")


# Any code point, surrogates included, with the characters that matter here made likely.
CHARACTERS = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from("\r\n\\;,:\"' \t\x00\x85\u2028\ud800é😀"),
)
EVENTS = st.lists(
    st.builds(
        Event,
        uid=st.uuids().map(str),
        day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
        summary=st.text(CHARACTERS),
        modified=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1)),
        description=st.text(CHARACTERS),
        url=st.text(CHARACTERS),
        sequence=st.integers(min_value=0, max_value=10_000),
        cancelled=st.booleans(),
    ),
    max_size=20,
)


@settings(deadline=None)
@given(name=st.text(CHARACTERS), events=EVENTS, alarm=st.none() | st.timedeltas(
    min_value=timedelta(days=-30), max_value=timedelta(days=30)))
def test_any_input_gives_a_valid_feed(name: str, events: list[Event], alarm: timedelta | None) -> None:
    feed = render(Calendar(name, name, alarm=alarm), events)
    assert_well_formed(feed)
    parsed = parse(feed)
    assert unescaped(parsed["X-WR-CALNAME"]) == expected_single_line(name)
    vevents = parsed.walk("VEVENT")
    assert len(vevents) == len(events)
    for vevent, source in zip(vevents, events, strict=True):
        assert str(vevent["UID"]) == source.uid
        assert vevent["DTSTART"].dt == source.day
        assert vevent["DTEND"].dt == source.day + timedelta(days=1)
        assert str(vevent["SUMMARY"]) == expected_single_line(source.summary)
        description = expected_multiline(source.description)
        assert str(vevent.get("DESCRIPTION", "")) == description
        assert vevent["SEQUENCE"] == source.sequence
        assert vevent["DTSTAMP"].dt == source.modified.replace(microsecond=0, tzinfo=UTC)
        assert str(vevent.get("URL", "")) == expected_url(source.url)
        valarms = vevent.walk("VALARM")
        assert len(valarms) == (alarm is not None and not source.cancelled)
        for valarm in valarms:
            assert valarm["TRIGGER"].dt == timedelta(seconds=int(alarm.total_seconds()))
            assert str(valarm["DESCRIPTION"]) == expected_single_line(source.summary)
        assert "ATTENDEE" not in vevent
