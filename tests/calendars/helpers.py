"""What the calendar tests share: a feed's path, and a calendar's events by UID."""

from __future__ import annotations

import icalendar


def feed_path(token: str) -> str:
    return f"/calendars/v1/{token}.ics"


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """The calendar's events by UID."""
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}
