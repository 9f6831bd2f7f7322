"""A lean iCalendar (RFC 5545) writer for subscription feeds of all-day events.

Pure and stdlib only (no Flask, no database): the feed views hand it plain :class:`Event`
values. It is written by hand rather than with the ``icalendar`` library because that library
takes ~0.3 s per 1,000 events and a feed may hold thousands (see ``bench/ical.py``); the tests
parse every output back with ``icalendar`` to check it.

Safety: titles and descriptions come from users. TEXT values are escaped (§3.3.11) and every
value loses its control characters, so no CR/LF (nor NEL, U+2028, ...) can start a new content
line (§3.1): the only line breaks in the output are the CRLF line ends and the CRLF + space of
folding. Lone surrogates are dropped too, so the feed always encodes as UTF-8.

Speed: plain string building, one f-string per event, and fast paths for the common case
(``str.isprintable`` before any regex, no folding for short ASCII lines); about 8 µs an event
with a description and an alarm, against ~450 µs with the library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import AnyStr

__all__ = ["PRODID", "REFRESH", "Calendar", "Event", "duration", "render", "text"]

#: How often clients should fetch the feed again (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)
PRODID = "-//Countersign//Calendar feeds v1//EN"

#: RFC 5545 §3.1: content lines SHOULD NOT be longer than 75 octets, excluding the CRLF.
LINE_OCTETS = 75
CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class Event:
    """One all-day event (a milestone, a task, a promised date)."""

    uid: str  # stable id, e.g. a UUID string
    day: date
    summary: str
    modified: datetime  # naive UTC (an aware datetime is converted to UTC)
    description: str = ""  # may span lines
    url: str = ""
    sequence: int = 0
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class Calendar:
    """The feed itself; ``alarm`` (if set) is relative to the start of each event's day."""

    name: str
    description: str = ""
    alarm: timedelta | None = None


# --- values ----------------------------------------------------------------------------------

# What no value may contain: C0 controls (line breaks are dealt with first where they mean
# something), DEL, C1 controls (U+0085 is NEL), the line/paragraph separators U+2028/U+2029 that
# some parsers split lines on (Python's str.splitlines among them), and lone surrogates, which
# cannot be encoded as UTF-8 at all. Every one of them makes str.isprintable() false, a C-speed
# check that lets ordinary values skip the regex.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def text(value: str, *, multiline: bool = False) -> str:
    """``value`` as an escaped TEXT value (RFC 5545 §3.3.11), without any control characters.

    Backslash, semicolon and comma are escaped; CRLF and lone CR count as newlines. Single-line
    fields (SUMMARY, the calendar name: the default) get a space for each newline;
    ``multiline=True`` (DESCRIPTION) writes it as ``\\n``. Escaping before dropping anything is
    safe: the escaped text is a run of escape pairs and plain characters, and removing plain
    characters cannot join two of them into a new escape.
    """
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\n", "\\n" if multiline else " ")
    if not value.isprintable():
        value = _CONTROL.sub("", value)
    return value


def _uid(value: str) -> str:
    """UID's value type is TEXT too (§3.8.4.7), so it is escaped; line breaks are dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value if value.isprintable() else _CONTROL.sub("", value)


def _url(value: str) -> str:
    """URL is a URI (§3.3.13): no TEXT escaping, line breaks dropped. Space and backslash are not
    URI characters (RFC 3986) and are percent-encoded: a raw backslash would be read as a TEXT
    escape by lenient parsers (icalendar turns ``\\,`` into ``,``)."""
    if not value.isprintable():
        value = _CONTROL.sub("", value)
    return value.replace(" ", "%20").replace("\\", "%5C")


def duration(value: timedelta) -> str:
    """``value`` as an RFC 5545 DURATION (§3.3.6), e.g. ``PT9H``, ``-PT15H``, ``-P1DT15H``.

    Days are nominal days ("2 days before, at 9:00" stays 9:00 across a DST change), which is
    what an alarm relative to an all-day event means. Microseconds are dropped; zero is ``PT0S``.
    """
    negative = value < timedelta(0)
    if negative:
        value = -value
    days, seconds = value.days, value.seconds
    if not days and not seconds:
        return "PT0S"
    out = ["-P" if negative else "P"]
    if days:
        out.append(f"{days}D")
    if seconds:
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        out.append("T")
        if hours:
            out.append(f"{hours}H")
        if minutes or (hours and seconds):  # dur-hour = 1*DIGIT "H" [dur-minute]: no "H" then "S"
            out.append(f"{minutes}M")
        if seconds:
            out.append(f"{seconds}S")
    return "".join(out)


def _day(value: date) -> str:
    """DATE (§3.3.4): YYYYMMDD. isoformat + replace is ~2x faster than an f-string, 4x strftime."""
    return value.isoformat().replace("-", "")


def _utc(value: datetime) -> str:
    """DATE-TIME in UTC (§3.3.5, form #2): YYYYMMDDTHHMMSSZ; %-formatting is the fastest here."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031
        value.year, value.month, value.day, value.hour, value.minute, value.second)


# --- lines -----------------------------------------------------------------------------------

def _fold(line: str) -> str:
    """``line`` folded at 75 octets (§3.1): CRLF + one space starts each continuation.

    ASCII lines of at most 75 characters (nearly all of them) return at once; longer ASCII lines
    are cut as str, anything else on its UTF-8 bytes, never inside a character. No cut falls
    between a backslash and the character it escapes: some clients unescape before unfolding.
    """
    if line.isascii():
        return line if len(line) <= LINE_OCTETS else _cut(line, "\\", "\r\n ")
    data = line.encode()
    return line if len(data) <= LINE_OCTETS else _cut(data, b"\\", b"\r\n ").decode()


def _cut(data: AnyStr, backslash: AnyStr, fold: AnyStr) -> AnyStr:
    """``data`` with a fold every 75 octets (74 after the first: the leading space counts)."""
    chunks: list[AnyStr] = []
    start, end, limit = 0, len(data), LINE_OCTETS
    while end - start > limit:
        cut = start + limit
        if isinstance(data, bytes):
            while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character's start
                cut -= 1
        if data[cut - 1:cut] == backslash:
            slash = cut - 1
            while slash > start and data[slash - 1:slash] == backslash:
                slash -= 1
            if (cut - slash) % 2 and cut - 1 > start:  # an odd run: the last backslash begins an escape
                cut -= 1
        chunks.append(data[start:cut])
        start, limit = cut, LINE_OCTETS - 1
    chunks.append(data[start:])
    return fold.join(chunks)


# --- the feed --------------------------------------------------------------------------------

_ONE_DAY = timedelta(days=1)
_REFRESH = duration(REFRESH)
_CONFIRMED = "STATUS:CONFIRMED\r\nTRANSP:TRANSPARENT\r\n"
_CANCELLED = "STATUS:CANCELLED\r\nTRANSP:TRANSPARENT\r\n"


def _head(calendar: Calendar) -> str:
    name = text(calendar.name)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        _fold(f"X-WR-CALNAME:{name}"),
        _fold(f"NAME:{name}"),  # RFC 7986 §5.1
    ]
    if calendar.description:
        lines.append(_fold(f"X-WR-CALDESC:{text(calendar.description, multiline=True)}"))
    lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{_REFRESH}", f"X-PUBLISHED-TTL:{_REFRESH}"]  # RFC 7986 §5.7
    return CRLF.join(lines)


def render(calendar: Calendar, events: Iterable[Event]) -> str:
    """The whole feed: a VCALENDAR of one all-day VEVENT per event, CRLF line ends, folded.

    Each event is one f-string of its lines: the constant parts are literals and only the
    values that may be long or non-ASCII (UID, SUMMARY, DESCRIPTION, URL) go through ``_fold``.
    """
    alarm = ""
    if calendar.alarm is not None:
        # §3.6.6: a DISPLAY alarm needs ACTION, TRIGGER and DESCRIPTION. A relative TRIGGER is
        # from DTSTART, which for an all-day event is the start of its day.
        alarm = f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:{duration(calendar.alarm)}\r\n"
    days: dict[date, str] = {}  # many events share a day: its DTSTART and DTEND lines, once
    out = [_head(calendar)]
    append = out.append
    fold = _fold
    for event in events:
        day = event.day
        dates = days.get(day)
        if dates is None:
            # date.max has no next day; without DTEND an all-day event lasts that one day (§3.6.1).
            end = f"\r\nDTEND;VALUE=DATE:{_day(day + _ONE_DAY)}" if day != date.max else ""
            dates = days[day] = f"DTSTART;VALUE=DATE:{_day(day)}{end}"
        stamp = _utc(event.modified)
        summary = text(event.summary)
        description = event.description
        if description and (description := text(description, multiline=True)):  # empty once cleaned: left out
            description = fold("DESCRIPTION:" + description) + CRLF
        url = event.url
        if url and (url := _url(url)):
            url = fold("URL:" + url) + CRLF
        if event.cancelled:
            tail = _CANCELLED
        elif alarm:
            tail = f"{_CONFIRMED}{alarm}{fold('DESCRIPTION:' + summary)}\r\nEND:VALARM\r\n"
        else:
            tail = _CONFIRMED
        append(
            f"BEGIN:VEVENT\r\n{fold('UID:' + _uid(event.uid))}\r\nDTSTAMP:{stamp}\r\n{dates}\r\n"
            f"{fold('SUMMARY:' + summary)}\r\n{description}{url}SEQUENCE:{event.sequence:d}\r\nLAST-MODIFIED:{stamp}\r\n{tail}"
            "END:VEVENT"
        )
    append("END:VCALENDAR\r\n")
    return CRLF.join(out)
