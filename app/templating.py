"""Jinja filters: dates, numbers and money, formatted the same on every page (dates and spans of
time in the words of app/core/text.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_login import current_user

from app.core import clock
from app.core.axes import plain_number
from app.core.text import counted, date_label, datetime_label, days_ago, days_from, moment_text
from app.navigation import loop_links
from app.notifications.services import unread_count
from workflows import commitment as commitment_workflow
from workflows import feedback as feedback_workflow
from workflows import milestone as milestone_workflow
from workflows import project as project_workflow


def fmt_date(value: date | datetime | None) -> str:
    return "—" if value is None else date_label(value)


def fmt_datetime(value: datetime | None) -> str:
    return "—" if value is None else datetime_label(value)


def fmt_number(value: float | Decimal | None, digits: int = 1) -> str:
    return "—" if value is None else plain_number(float(value), digits)


def fmt_money(value: Decimal | float | None, currency: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} {currency}".strip() if value == int(value) else f"{value:,.2f} {currency}".strip()


def relative_days(value: date | None) -> str:
    """'in 3 days', 'tomorrow', 'today', '2 days ago', seen from today."""
    return "" if value is None else days_from(value, clock.today())


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
        date=fmt_date, datetime=fmt_datetime, number=fmt_number, money=fmt_money, relative=relative_days,
        state_label=state_label, moment=moment_text, days=day_count, days_ago=days_ago,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
