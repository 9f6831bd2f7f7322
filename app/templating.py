"""Jinja filters: dates, numbers and money, formatted the same on every page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_login import current_user

from app.core import clock
from app.core.axes import plain_number
from app.core.moments import moment_text
from app.navigation import loop_links
from app.notifications.services import unread_count
from workflows import commitment as commitment_workflow
from workflows import feedback as feedback_workflow
from workflows import milestone as milestone_workflow
from workflows import project as project_workflow


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%d %b %Y")


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%d %b %Y, %H:%M UTC")


def fmt_number(value: float | Decimal | None, digits: int = 1) -> str:
    return "—" if value is None else plain_number(float(value), digits)


def fmt_money(value: Decimal | float | None, currency: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} {currency}".strip() if value == int(value) else f"{value:,.2f} {currency}".strip()


def relative_days(value: date | None) -> str:
    """'in 3 days', 'today', '2 days overdue'."""
    if value is None:
        return ""
    days = (value - clock.today()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 0:
        return f"in {days} days"
    return f"{-days} day{'s' if days != -1 else ''} ago"


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
        state_label=state_label, moment=moment_text,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
