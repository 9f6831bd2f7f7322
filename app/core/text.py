"""Dates, times and spans of time in words, written the same on pages, in emails, feeds and the
audit trail: "05 Mar 2027", "05 Mar 2027, 14:30 UTC", "3 days", "2 hours ago", "in 4 days".

Everything here is a pure function of its arguments (the caller passes "now" or "today"), so a
phrase reads the same in a request, a job or a test; ``app/templating.py`` registers the filters
templates use. Times are naive UTC, as the database stores them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

#: A day as every page, email and message writes it: "05 Mar 2027".
DATE_FORMAT = "%d %b %Y"
#: A day with its weekday, where the day of the week matters (reminders): "Fri 05 Mar 2027".
WEEKDAY_DATE_FORMAT = "%a %d %b %Y"

#: The units a span is said in, largest first, with their length in seconds.
_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def date_label(day: date) -> str:
    """'05 Mar 2027' (a datetime: its day)."""
    return day.strftime(DATE_FORMAT)


def weekday_date_label(day: date) -> str:
    """'Fri 05 Mar 2027'."""
    return day.strftime(WEEKDAY_DATE_FORMAT)


def datetime_label(at: datetime) -> str:
    """'05 Mar 2027, 14:30 UTC'."""
    return f"{at.strftime(DATE_FORMAT)}, {at:%H:%M} UTC"


def local_moment(at: datetime, zone: tzinfo) -> datetime:
    """``at`` (naive UTC, or aware) as the wall clock of ``zone`` reads it; UTC's for an instant
    whose local day would fall outside the calendar (year 1 west of UTC, 9999 east of it)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    try:
        return aware.astimezone(zone)
    except OverflowError:
        return aware.astimezone(UTC)


def zone_name(zone: tzinfo) -> str:
    """'Europe/Berlin'; 'UTC' for the UTC of datetime as for ZoneInfo('UTC')."""
    return getattr(zone, "key", None) or str(zone)


def iso_instant(at: datetime) -> str:
    """The instant for machines: ISO 8601 in UTC with a "Z", '2027-03-05T14:30:00Z'."""
    return local_moment(at, UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def local_datetime_label(at: datetime, zone: tzinfo) -> str:
    """'05 Mar 2027, 15:30': the wall clock of ``zone``, the zone left to the page (it names it once)."""
    local = local_moment(at, zone)
    return f"{local.strftime(DATE_FORMAT)}, {local:%H:%M}"


def full_datetime_label(at: datetime, zone: tzinfo) -> str:
    """'Fri 05 Mar 2027, 15:30 CET (Europe/Berlin)': with its zone named, for a tooltip or an email
    (the abbreviation tells summer from winter time; the name says which place)."""
    local = local_moment(at, zone)
    name, short = zone_name(zone), local.tzname() or ""
    named = name if short in (name, "") else f"{short} ({name})"
    return f"{local.strftime(WEEKDAY_DATE_FORMAT)}, {local:%H:%M} {named}"


def recent_label(at: datetime, now: datetime, zone: tzinfo) -> str:
    """An event in a list, said as people say it, in ``zone`` (``now`` naive UTC): under a minute
    'just now'; under an hour '5 minutes ago'; under six hours '3 hours ago' (the hour itself
    matters little yet); later the same local day 'today 08:05'; the local day before 'yesterday
    14:05'; within the last week 'Mon 14:05'; anything older, or in the future, the full
    :func:`local_datetime_label`."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    span = now - at
    if span < -timedelta(seconds=10):  # the future (or another machine's clock well ahead)
        return local_datetime_label(at, zone)
    if span < timedelta(minutes=1):
        return "just now"
    if span < timedelta(hours=6):
        return f"{duration_words(span)} ago"
    local, today = local_moment(at, zone), local_moment(now, zone).date()
    days = (today - local.date()).days
    if days == 0:
        return f"today {local:%H:%M}"
    if days == 1:
        return f"yesterday {local:%H:%M}"
    if days < 7:
        return f"{local:%a %H:%M}"
    return local_datetime_label(at, zone)


def counted(count: int, unit: str) -> str:
    """'1 day', '3 days', '0 days'."""
    return f"{count} {unit}{'' if count == 1 else 's'}"


def duration_words(span: timedelta) -> str:
    """The span in its largest whole unit, rounded down: '3 days', '5 hours', '20 minutes', '40 seconds'."""
    seconds = max(int(span.total_seconds()), 0)
    size, unit = next(((size, unit) for size, unit in _UNITS if seconds >= size), _UNITS[-1])
    return counted(seconds // size, unit)


def waited(span: timedelta) -> str:
    """How long a request has waited: 'just now' under a minute (a queue is not read by the
    second), else :func:`duration_words`."""
    return "just now" if span < timedelta(minutes=1) else duration_words(span)


def ago(then: datetime, now: datetime) -> str:
    """'just now', '40 seconds ago', '3 minutes ago', '2 hours ago', '5 days ago'.

    ``then`` may be aware (it is read as UTC); a ``then`` a little after ``now`` (another
    machine's clock) is 'just now' too.
    """
    if then.tzinfo is not None:
        then = then.astimezone(UTC).replace(tzinfo=None)
    span = now - then
    return "just now" if span < timedelta(seconds=10) else f"{duration_words(span)} ago"


def days_ago(days: int) -> str:
    """Whole days in the past: 'today', '1 day ago', '3 days ago'."""
    return "today" if days <= 0 else f"{counted(days, 'day')} ago"


def days_from(day: date, today: date) -> str:
    """A day as seen from ``today``: 'today', 'tomorrow', 'in 3 days', '1 day ago', '2 days ago'."""
    days = (day - today).days
    if days == 1:
        return "tomorrow"
    if days > 1:
        return f"in {days} days"
    return days_ago(-days)


def moment_text(at: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """``at`` (naive UTC) said the way people read it next to ``now``: '08:00 UTC', '08:00 UTC
    tomorrow', 'Wed 18 Nov, 08:00 UTC' within the coming 300 days, else with its year.

    With a ``zone`` (a page, which names its zone once): the same in that zone's wall clock and
    calendar days, without the zone after the time: '09:00 tomorrow'."""
    if zone is not None:
        at, now = local_moment(at, zone), local_moment(now, zone)
    time = f"{at:%H:%M}" if zone is not None else f"{at:%H:%M} UTC"
    days = (at.date() - now.date()).days
    if days == 0:
        return time
    if days == 1:
        return f"{time} tomorrow"
    return f"{at:%a %d %b}, {time}" if timedelta(0) < at - now < timedelta(days=300) else f"{date_label(at)}, {time}"
