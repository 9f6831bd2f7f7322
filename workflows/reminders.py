"""When reminders fall due, in a person's own time zone.

Everything here is a pure function of a due date, a person's preferences and the time.
Times going in and out are naive UTC (as the database stores them); local dates and hours
are the person's, from an IANA zone name, with daylight-saving changes handled by zoneinfo:
an hour that does not exist on a spring-forward day moves forward, an hour that happens
twice on a fall-back day is taken the first time.

A reminder *slot* is one moment a reminder is owed: N days before the due date, on the
day, or every few days once overdue. A schedule keeps a *cursor* (slots at or before it are
handled) and the time of its next slot; a sweep that finds that time passed sends the
latest slot it missed (one reminder, not one per missed slot) and moves on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

#: The lead times a new user starts with: a week before and the day before.
DEFAULT_LEAD_DAYS = (7, 1)
MAX_LEAD_DAYS = 90
MAX_LEADS = 10
MAX_OVERDUE_EVERY = 30


@dataclass(frozen=True)
class ReminderPrefs:
    """One person's reminder settings (the defaults are a new user's)."""

    lead_days: tuple[int, ...] = DEFAULT_LEAD_DAYS
    on_the_day: bool = True
    overdue_every: int = 3  # days between overdue reminders; 0 means none
    time_zone: str = "UTC"
    hour: int = 9  # local hour reminders and the digest go out
    quiet_start: int = 21  # local hours [quiet_start, quiet_end) send no email; equal means none
    quiet_end: int = 8
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", zone_or_utc(self.time_zone))
        object.__setattr__(self, "lead_days", tuple(sorted(set(self.lead_days), reverse=True)))


@dataclass(frozen=True, order=True)
class Slot:
    at: datetime  # naive UTC
    due: date
    offset: int  # days from the due date: -7 is a week before, 0 the day, 4 four days late

    @property
    def kind(self) -> str:
        return "before" if self.offset < 0 else "due" if self.offset == 0 else "overdue"

    @property
    def key(self) -> str:
        """Names the slot within one due date: unique per (item, person, due date, key)."""
        return f"{self.due.isoformat()}/{self.offset:+d}"


def zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a folder of the zone database ("America", "Etc") raises IsADirectoryError,
        # which would crash building the prefs before ``problems`` could name the field.
        return ZoneInfo("UTC")


def is_time_zone(name: str) -> bool:
    return name in time_zones()


_ZONES: frozenset[str] | None = None


def time_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        # The system database also holds entries that are not places a person lives in.
        _ZONES = frozenset((available_timezones() - _NOT_PLACES) | {"UTC"})
    return _ZONES


_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules", "leapseconds", "tzdata.zi"})


def problems(prefs: ReminderPrefs) -> dict[str, str]:
    """What is wrong with a person's settings, by field; empty when they can be saved."""
    found: dict[str, str] = {}
    if not is_time_zone(prefs.time_zone):
        found["time_zone"] = f"{prefs.time_zone!r} is not a time zone we know (e.g. Europe/Rome)."
    if any(not 1 <= d <= MAX_LEAD_DAYS for d in prefs.lead_days):
        found["lead_days"] = f"Each lead time is a whole number of days from 1 to {MAX_LEAD_DAYS}."
    elif len(prefs.lead_days) > MAX_LEADS:
        found["lead_days"] = f"At most {MAX_LEADS} lead times."
    if not 0 <= prefs.overdue_every <= MAX_OVERDUE_EVERY:
        found["overdue_every"] = f"Repeat overdue reminders every 1 to {MAX_OVERDUE_EVERY} days, or 0 for never."
    for name in ("hour", "quiet_start", "quiet_end"):
        if not 0 <= getattr(prefs, name) <= 23:
            found[name] = "An hour of the day, 0 to 23."
    if "hour" not in found and is_quiet_hour(prefs.hour, prefs):
        found["hour"] = "Reminders would go out during your quiet hours; pick a daytime hour."
    return found


def is_quiet_hour(hour: int, prefs: ReminderPrefs) -> bool:
    start, end = prefs.quiet_start, prefs.quiet_end
    if start == end:
        return False
    return start <= hour < end if start < end else hour >= start or hour < end


def local(at: datetime, prefs: ReminderPrefs) -> datetime:
    """A naive UTC time as the person's wall-clock time (aware)."""
    return at.replace(tzinfo=UTC).astimezone(prefs.zone)


def at_local(day: date, hour: int, prefs: ReminderPrefs) -> datetime:
    """``hour`` o'clock on ``day`` where the person is, as naive UTC."""
    wall = datetime.combine(day, time(hour), tzinfo=prefs.zone)
    return wall.astimezone(UTC).replace(tzinfo=None)


def offsets(prefs: ReminderPrefs) -> tuple[int, ...]:
    """The slots before and on the due date, as day offsets, earliest first."""
    before = tuple(-d for d in prefs.lead_days)
    return before + ((0,) if prefs.on_the_day else ())


def slots(due: date, prefs: ReminderPrefs) -> Iterator[Slot]:
    """Every slot for ``due``, earliest first; endless when overdue reminders repeat."""
    for offset in offsets(prefs):
        yield _slot(due, offset, prefs)
    if prefs.overdue_every > 0:
        offset = prefs.overdue_every
        while True:
            yield _slot(due, offset, prefs)
            offset += prefs.overdue_every


def _slot(due: date, offset: int, prefs: ReminderPrefs) -> Slot:
    return Slot(at_local(due + timedelta(days=offset), prefs.hour, prefs), due, offset)


def next_slot(due: date, prefs: ReminderPrefs, after: datetime) -> Slot | None:
    """The first slot strictly after ``after``, or None when no slot is left."""
    for slot in _from(due, prefs, after):
        if slot.at > after:
            return slot
    return None


def latest_slot(due: date, prefs: ReminderPrefs, after: datetime, until: datetime) -> Slot | None:
    """The last slot in ``(after, until]``: the one reminder a sweep owes after missing some."""
    found = None
    # Walk from ``until``, not ``after``: an old cursor must not mean walking every overdue
    # repeat since; ``_from`` still yields the latest slot at or before ``until``.
    for slot in _from(due, prefs, until):
        if slot.at > until:
            break
        if slot.at > after:
            found = slot
    return found


def _from(due: date, prefs: ReminderPrefs, after: datetime) -> Iterator[Slot]:
    """Slots from (about) ``after`` on, skipping overdue repeats long past without walking them."""
    yield from (_slot(due, offset, prefs) for offset in offsets(prefs))
    if prefs.overdue_every <= 0:
        return
    # Start one period before the day of ``after`` so a slot later that same day is not skipped.
    days_late = (local(after, prefs).date() - due).days
    periods = max(1, days_late // prefs.overdue_every)
    offset = periods * prefs.overdue_every
    if offset > prefs.overdue_every:
        offset -= prefs.overdue_every
    while True:
        yield _slot(due, offset, prefs)
        offset += prefs.overdue_every


@dataclass(frozen=True)
class Advance:
    """What a sweep does with one schedule: maybe send one slot, then wait for the next."""

    send: Slot | None
    cursor: datetime
    next_at: datetime | None


def advance(due: date, prefs: ReminderPrefs, cursor: datetime, now: datetime) -> Advance:
    """Send the latest slot missed since ``cursor`` (if any) and point at the next one."""
    send = latest_slot(due, prefs, cursor, now)
    following = next_slot(due, prefs, now)
    return Advance(send, now, following.at if following else None)


def email_at(now: datetime, prefs: ReminderPrefs, digest: bool, slot_at: datetime | None = None) -> datetime:
    """When an email written at ``now`` may go out.

    A single email goes at once, unless that is in the person's quiet hours: then when they
    end. A digest goes at the person's hour: a reminder written on time (within the hour of
    its slot) joins that hour's digest; anything else waits for the next one.
    """
    if digest:
        if slot_at is not None and timedelta(0) <= now - slot_at < timedelta(hours=1):
            return slot_at
        return next_local_hour(now, prefs.hour, prefs)
    return quiet_until(now, prefs) or now


def quiet_until(now: datetime, prefs: ReminderPrefs) -> datetime | None:
    """When the person's quiet hours end, if ``now`` is inside them (naive UTC); else None."""
    if not is_quiet_hour(local(now, prefs).hour, prefs):
        return None
    return next_local_hour(now, prefs.quiet_end, prefs)


def next_local_hour(after: datetime, hour: int, prefs: ReminderPrefs) -> datetime:
    """The first ``hour`` o'clock local at or after ``after`` (naive UTC)."""
    day = local(after, prefs).date()
    for step in range(3):  # today, tomorrow, or (across a DST jump) the day after
        candidate = at_local(day + timedelta(days=step), hour, prefs)
        if candidate >= after:
            return candidate
    raise AssertionError("unreachable: an hour of the day recurs within three days")


def phrase(due: date, today: date) -> str:
    """'due in 7 days', 'due tomorrow', 'due today', 'overdue by 3 days'."""
    days = (due - today).days
    if days > 1:
        return f"due in {days} days"
    if days == 1:
        return "due tomorrow"
    if days == 0:
        return "due today"
    late = -days
    return f"overdue by {late} day{'s' if late != 1 else ''}"


def parse_lead_days(text: str) -> tuple[int, ...]:
    """'7, 1' → (7, 1); raises ValueError naming the part that is not a number of days."""
    found: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        # isdecimal, not isdigit: "²" is a digit that int() refuses, which would escape as
        # int()'s own error instead of this one.
        if not part.isdecimal():
            raise ValueError(f"{part!r} is not a number of days")
        found.append(int(part))
    return tuple(sorted(set(found), reverse=True))


def group_digests(pending: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """(user id, notification id) pairs → one digest per user, notifications oldest first."""
    digests: dict[int, list[int]] = {}
    for user_id, notification_id in pending:
        digests.setdefault(user_id, []).append(notification_id)
    return {user: sorted(ids) for user, ids in digests.items()}


def lead_text(lead_days: Sequence[int]) -> str:
    return ", ".join(str(d) for d in sorted(set(lead_days), reverse=True))
