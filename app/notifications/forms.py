"""Notification settings: one form for the settings page and the JSON API, and the mute button."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from app.core import clock
from app.core.forms import Form, IntegerField, choices
from app.notifications.models import DEFAULTS, NotificationPreference
from workflows import reminders

#: The areas of the IANA names, shown as groups in this order; every other name goes under "Other".
ZONE_AREAS = ("Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian",
              "Antarctica", "Arctic")
#: Lead times one person may keep (the column holds their text, "30, 14, 7, 3, 1").
MAX_LEAD_TIMES = 10
LEAD_DAYS_HINT = "Days before the due date, separated by commas, e.g. 7, 1. Leave empty for none."


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


def hour_choices() -> list[SelectChoice]:
    return choices((hour, _hour_label(hour)) for hour in range(24))


def _offset(zone: str, now: datetime) -> str:
    delta = now.astimezone(reminders.zone_or_utc(zone)).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_label(name: str, area: str | None) -> str:
    place = name[len(area) + 1:] if area else name
    return place.replace("_", " ").replace("/", " / ")


@lru_cache(maxsize=4)
def _zone_choices(hour_stamp: str) -> tuple[SelectChoice, ...]:
    now = datetime.fromisoformat(hour_stamp).replace(tzinfo=UTC)
    grouped: dict[str, list[str]] = {area: [] for area in ZONE_AREAS}
    other: list[str] = []
    for name in sorted(reminders.time_zones()):
        area = name.split("/", 1)[0] if "/" in name else ""
        grouped.get(area, other).append(name)
    found = [SelectChoice("UTC", "UTC (Coordinated Universal Time)", optgroup="Universal")]
    for area, names in grouped.items():
        found += [SelectChoice(n, f"{_zone_label(n, area)} ({_offset(n, now)})", optgroup=area) for n in names]
    found += [SelectChoice(n, f"{_zone_label(n, None)} ({_offset(n, now)})", optgroup="Other")
              for n in other if n != "UTC"]
    return tuple(found)


def zone_choices() -> list[SelectChoice]:
    """Every time zone we know, grouped by area and sorted, each with its UTC offset now.

    The offsets change with daylight saving, so the list is rebuilt once an hour.
    """
    return list(_zone_choices(clock.now().strftime("%Y-%m-%dT%H:00")))


class HourField(SelectField):
    """A local hour of the day, 0 to 23, shown as 09:00."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        message = "An hour of the day, 0 to 23."
        super().__init__(label, coerce=int, choices=hour_choices(), invalid_value_message=message,
                         invalid_choice_message=message, **kwargs)


class ZoneField(SelectField):
    """An IANA time zone name; the message of a bad one gives an example."""

    def pre_validate(self, form: Form) -> None:
        if not reminders.is_time_zone(self.data or ""):
            raise ValidationError(f"{self.data!r} is not a time zone we know (e.g. Europe/Rome).")


class LeadDays:
    """'7, 1': whole numbers of days, each within the range the reminders allow."""

    def __call__(self, form: Form, field: StringField) -> None:
        try:
            days = reminders.parse_lead_days(field.data or "")
        except ValueError as error:
            raise ValidationError(f"Write whole numbers of days separated by commas: {error}.") from None
        if any(not 1 <= d <= reminders.MAX_LEAD_DAYS for d in days):
            raise ValidationError(f"Each lead time is a whole number of days from 1 to {reminders.MAX_LEAD_DAYS}.")
        if len(days) > MAX_LEAD_TIMES:
            raise ValidationError(f"At most {MAX_LEAD_TIMES} lead times.")


class NotificationPreferencesForm(Form):
    """How one person hears from Countersign; the field names are the service's setting names."""

    time_zone = ZoneField("Time zone", validators=[InputRequired(message="Choose your time zone.")])
    reminder_hour = HourField("Reminders go out at")
    quiet_start = HourField("Quiet from")
    quiet_end = HourField("Quiet until")
    lead_days = StringField("Remind me before a due date", validators=[Length(max=60), LeadDays()],
                            description=LEAD_DAYS_HINT)
    on_the_day = BooleanField("Remind me on the day itself")
    overdue_every = IntegerField(
        "When overdue, remind me every", validators=[
            InputRequired(message="Say how often, or 0 for never."),
            NumberRange(min=0, max=reminders.MAX_OVERDUE_EVERY,
                        message=f"Repeat overdue reminders every 1 to {reminders.MAX_OVERDUE_EVERY} days, or 0 for never."),
        ],
    )
    reminders_email = BooleanField("By email")
    reminders_in_app = BooleanField("In the inbox")
    updates_email = BooleanField("By email")
    updates_in_app = BooleanField("In the inbox")
    email_digest = BooleanField("One daily digest instead of single emails")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone.choices = zone_choices()

    def values(self) -> dict[str, object]:
        """The settings as :func:`app.notifications.services.save_preferences` takes them."""
        values: dict[str, object] = {name: self[name].data for name in DEFAULTS}
        values.update({name: bool(values[name]) for name in BOOLEAN_FIELDS})
        values["lead_days"] = reminders.parse_lead_days(self.lead_days.data or "")
        return values


def preference_data(prefs: NotificationPreference) -> dict[str, Any]:
    """A person's settings as the form's (and the API's) fields hold them."""
    return {name: getattr(prefs, name) for name in DEFAULTS}


#: The on/off settings (checkboxes on the page, true/false in the API).
BOOLEAN_FIELDS = frozenset(name for name, value in DEFAULTS.items() if isinstance(value, bool))


class MuteForm(Form):
    """Mute or unmute one campaign; ``next`` leads back to the page the button was on."""

    muted = HiddenField()
    next = HiddenField()

    @property
    def wants_muted(self) -> bool:
        return (self.muted.data or "") in {"1", "y", "true", "on"}

