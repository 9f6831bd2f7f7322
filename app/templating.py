"""Jinja filters: dates, numbers and money, formatted the same on every page (dates and spans of
time in the words of app/core/text.py).

Instants (stored naive UTC) are shown in the reader's time zone: the signed-in person's setting,
the recipient's while an email is built (``app.core.zones.reading_in``), else the app's ``DEFAULT_TIME_ZONE``;
a missing or unknown zone falls back to that default, then to UTC. Each shown instant is a
``<time datetime="…Z" title="Fri 05 Mar 2027, 15:30 CET (Europe/Berlin)">`` and the page names
the zone once, in its footer (``reader_zone_name()``). Calendar days (due dates, promised dates)
are dates, the same everywhere: "05 Mar 2027".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal

from flask import Flask, g, has_app_context
from flask_login import current_user
from markupsafe import Markup

from app.core import clock
from app.core.axes import plain_number
from app.core.text import (
    counted,
    date_label,
    days_ago,
    days_from,
    full_datetime_label,
    iso_instant,
    local_datetime_label,
    local_moment,
    moment_text,
    recent_label,
    zone_name,
)
from app.core.zones import default_zone, overriding_zone, zone_of
from app.navigation import loop_links
from app.notifications.services import preferences_of, unread_count
from workflows import commitment as commitment_workflow
from workflows import feedback as feedback_workflow
from workflows import milestone as milestone_workflow
from workflows import project as project_workflow
from workflows.reminders import zone_or_utc


def reader_zone() -> tzinfo:
    """Whose clock this page or email reads by; looked up once per request and reader (one indexed
    read; keyed by the reader, as a test's app context may outlive several requests)."""
    if not has_app_context():
        return zone_or_utc("UTC")
    override = overriding_zone()
    if override is not None:
        return override
    reader = current_user.id if current_user and current_user.is_authenticated else None
    cached = g.get("_reader_zone")
    if cached is None or cached[0] != reader:
        cached = (reader, zone_of(preferences_of(reader).time_zone) if reader is not None else default_zone())
        g._reader_zone = cached
    return cached[1]


def reader_zone_name() -> str:
    """'Europe/Berlin': what the footer says times are in."""
    return zone_name(reader_zone())


def _time_element(value: datetime, text: str) -> Markup:
    zone = reader_zone()
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso_instant(value), full_datetime_label(value, zone), text)


def fmt_date(value: date | datetime | None) -> str:
    """A calendar day, '05 Mar 2027'; an instant: its day in the reader's zone."""
    if value is None:
        return "—"
    return date_label(local_moment(value, reader_zone()) if isinstance(value, datetime) else value)


def fmt_datetime(value: datetime | None) -> Markup | str:
    """An instant, '05 Mar 2027, 15:30' in the reader's zone, as a ``<time>`` (details, records)."""
    return "—" if value is None else _time_element(value, local_datetime_label(value, reader_zone()))


def fmt_when(value: datetime | None) -> Markup | str:
    """An instant in a list of recent events: '3 hours ago', 'yesterday 14:05' (the rule of
    ``text.recent_label``), as a ``<time>`` whose title has the full date and zone."""
    return "—" if value is None else _time_element(value, recent_label(value, clock.now(), reader_zone()))


def fmt_datetime_text(value: datetime | None) -> str:
    """Plain text with the zone named, 'Fri 05 Mar 2027, 15:30 CET (Europe/Berlin)': for
    attributes (a tooltip), options and emails, where no ``<time>`` can go."""
    return "—" if value is None else full_datetime_label(value, reader_zone())


def fmt_moment(value: datetime, now: datetime) -> str:
    """A coming moment near ``now``: '09:00 tomorrow' in the reader's zone."""
    return moment_text(value, now, reader_zone())


def fmt_number(value: float | Decimal | None, digits: int = 1) -> str:
    return "—" if value is None else plain_number(float(value), digits)


def fmt_money(value: Decimal | float | None, currency: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} {currency}".strip() if value == int(value) else f"{value:,.2f} {currency}".strip()


def relative_days(value: date | None) -> str:
    """'in 3 days', 'tomorrow', 'today', '2 days ago', seen from the reader's today (in Tokyo a
    day due tomorrow by UTC may be due today)."""
    return "" if value is None else days_from(value, local_moment(clock.now(), reader_zone()).date())


def day_count(days: int) -> str:
    """'1 day', '12 days'."""
    return counted(days, "day")


#: Each workflow's state labels, by the audit trail's entity name.
_STATE_LABELS: dict[str, Mapping[str, str]] = {
    "project": project_workflow.STATES,
    "milestone": milestone_workflow.STATES,
    "commitment": commitment_workflow.STATES,
    "feedback": feedback_workflow.STATES,
    "task": milestone_workflow.TASK_STATES,
}


def state_label(state: str | None, entity: str) -> str:
    """'pending_signoff' of a commitment reads 'Waiting for countersignature'."""
    if not state:
        return ""
    return _STATE_LABELS.get(entity, {}).get(state, state.replace("_", " ").capitalize())


def unread_notifications() -> int:
    """The count in the navigation; one indexed query per page."""
    return unread_count(current_user) if current_user.is_authenticated else 0


def init_app(app: Flask) -> None:
    app.jinja_env.globals["unread_notifications"] = unread_notifications
    app.jinja_env.globals["loop_links"] = loop_links
    app.jinja_env.globals["reader_zone_name"] = reader_zone_name
    # Templates test states by the workflows' names, never by spelling them: `c.state in SIGNED_COMMITMENT_STATES`.
    app.jinja_env.globals.update(
        ProjectState=project_workflow.ProjectState, MilestoneState=milestone_workflow.MilestoneState,
        CommitmentState=commitment_workflow.CommitmentState, FeedbackState=feedback_workflow.FeedbackState,
        SIGNED_COMMITMENT_STATES=commitment_workflow.SIGNED_STATES,
        UNSIGNED_COMMITMENT_STATES=commitment_workflow.UNSIGNED_STATES,
        VOID_COMMITMENT_STATES=commitment_workflow.VOID_STATES,
        WAITING_COMMITMENT_STATES=commitment_workflow.COUNTERSIGNING.waiting,
    )
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, when=fmt_when, datetime_text=fmt_datetime_text,
        number=fmt_number, money=fmt_money, relative=relative_days,
        state_label=state_label, moment=fmt_moment, days=day_count, days_ago=days_ago,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
