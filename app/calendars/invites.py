"""One event as its own calendar file: the "Add to calendar" download and the iTIP invitations
(RFC 5546) that emails carry.

Built with the ``icalendar`` library, which is slow for a feed of thousands (hence the hand-written
:mod:`app.calendars.ical` there) but exact for one event. Pure: an :class:`~app.calendars.ical.Event`
in, bytes out. The event is the one the feeds show (:mod:`app.calendars.items`): same UID, same
SEQUENCE, same all-day date and wording, so a subscribed calendar and an accepted invitation hold one
event, not two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

import icalendar

from app.calendars.ical import PRODID, Event

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _calendar(method: Method) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _vevent(event: Event, stamp: datetime, cancelled: bool, sequence: int) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(stamp))
    vevent.add("dtstart", event.day)  # a date: an all-day event, as in the feeds
    if event.day != date.max:  # date.max has no next day; without DTEND an all-day event lasts that day (§3.6.1)
        vevent.add("dtend", event.day + timedelta(days=1))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("sequence", sequence)
    vevent.add("last-modified", _utc(event.modified))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    return vevent


def single(event: Event) -> bytes:
    """The event alone (METHOD:PUBLISH), for a calendar to import."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_vevent(event, event.modified, event.cancelled, event.sequence))
    return calendar.to_ical()


def invitation(event: Event, method: Literal["REQUEST", "CANCEL"], organizer: tuple[str, str],
               attendee: tuple[str, str], *, stamp: datetime, removed: bool = False) -> bytes:
    """An iTIP REQUEST (or CANCEL) of the event for one attendee; ``organizer`` and ``attendee`` are (name, email).

    A CANCEL carries STATUS:CANCELLED and a SEQUENCE above the last REQUEST's: the record's own
    version has already moved past it when it was cancelled or withdrawn, but a record being
    removed (or a task taken off with its milestone) has no later version, so ``removed`` counts one more.
    """
    cancel = method == "CANCEL"
    calendar = _calendar(method)
    vevent = _vevent(event, stamp, cancel or event.cancelled, event.sequence + (1 if removed else 0))
    vevent.add("organizer", f"mailto:{organizer[1]}", parameters={"CN": organizer[0]})
    vevent.add("attendee", f"mailto:{attendee[1]}", parameters={
        "CN": attendee[0], "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE",
        "CUTYPE": "INDIVIDUAL"})
    calendar.add_component(vevent)
    return calendar.to_ical()


def filename(event: Event) -> str:
    """A file name from the summary: letters, digits and dashes only (it goes into a header)."""
    stem = "".join(c if c.isascii() and c.isalnum() else "-" for c in event.summary.split(" · ")[0]).strip("-")
    while "--" in stem:
        stem = stem.replace("--", "-")
    return f"{(stem or 'event')[:60].lower()}.ics"
