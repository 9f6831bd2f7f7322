"""The reminder pipeline in one process: schedules follow the items, the sweep writes each slot
once, and the email goes out after the commit (jobs run inline in the tests)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.milestones.models import Milestone
from app.notifications.models import Notification
from app.reminders import services
from app.reminders.models import ReminderSchedule


def _outbox() -> list:
    return current_app.extensions.setdefault("countersign.outbox", [])


def _schedules(milestone: Milestone) -> dict[int, ReminderSchedule]:
    return {r.user_id: r for r in db.session.scalars(
        sa.select(ReminderSchedule).where(ReminderSchedule.item_key == f"m{milestone.id}"))}


def test_a_planned_campaign_schedules_its_members_and_the_sweep_sends_once(people, make_project):
    project = make_project(state="active")
    milestone = project.milestones[0]
    rows = _schedules(milestone)
    members = {m.user_id for m in project.memberships}
    assert set(rows) == members
    row = rows[people["team"].id]
    assert row.due_date == milestone.due_date and row.next_at is not None
    _outbox().clear()
    at = row.next_at + timedelta(minutes=1)
    first = services.sweep(now=at)
    assert first.sent >= 1
    db.session.expire_all()
    notes = db.session.scalars(sa.select(Notification).where(Notification.kind == "reminder")).all()
    assert {n.user_id for n in notes} >= {people["team"].id}
    assert all(n.email_status == "sent" for n in notes), [(n.email_status, n.email_error) for n in notes]
    assert any(milestone.title in m["Subject"] for m in _outbox())
    again = services.sweep(now=at)
    assert again.sent == 0


def test_draft_campaigns_remind_nobody_and_a_closed_milestone_drops_its_schedules(people, make_project):
    draft = make_project(state="draft")
    assert _schedules(draft.milestones[0]) == {}
    project = make_project(title="Live", state="active")
    milestone = project.milestones[0]
    assert _schedules(milestone)
    milestone.state = "cancelled"
    db.session.commit()
    assert _schedules(milestone) == {}


def test_a_moved_due_date_moves_the_schedule(people, make_project):
    project = make_project(state="active")
    milestone = project.milestones[0]
    before = _schedules(milestone)[people["team"].id].next_at
    milestone.due_date = milestone.due_date + timedelta(days=30)
    db.session.commit()
    row = _schedules(milestone)[people["team"].id]
    assert row.due_date == milestone.due_date and row.next_at > before
