"""The large data set (app/demo/large.py), built small: its counts and shapes, values the app's own forms
accept, derived rows the services would agree with, pages that render it, and the CLI."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.accounts.models import Role, User
from app.briefings.forms import BriefingForm
from app.briefings.models import Briefing, briefing_attendees, briefing_products
from app.calendars.models import CalendarFeed
from app.commitments.forms import CommitmentForm
from app.commitments.models import Commitment
from app.commitments.services import findings
from app.core import clock as app_clock
from app.demo import cli as demo_cli
from app.demo import large
from app.demo.services import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.feedback.forms import FeedbackForm
from app.feedback.models import Feedback, feedback_products
from app.milestones.forms import MilestoneForm, TaskForm
from app.milestones.models import Milestone, Task
from app.notifications.forms import NotificationPreferencesForm
from app.notifications.models import NotificationPreference
from app.projects.access import visible_projects
from app.projects.forms import ActualForm, ExpenseForm, ProjectForm
from app.projects.models import Expense, GoalActual, Project, ProjectMember
from app.reminders import services as reminders
from app.reminders.models import ReminderSchedule
from workflows.reminders import problems

HUNDREDTH = large.Size.LARGE.scaled(0.01)
TENTH = large.Size.LARGE.scaled(0.1)


def count(model_or_table) -> int:
    table = getattr(model_or_table, "__table__", model_or_table)
    return db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def test_the_presets_and_any_scale():
    assert large.Size(people=200, campaigns=1_000, milestones=20_000, tasks=20_000,
                                          commitments=3_000, feedback=2_000, busy_pm_campaigns=200,
                                          briefings=200, updates=40) == large.Size.LARGE
    huge = large.Size.HUGE
    assert (huge.people, huge.campaigns, huge.milestones, huge.tasks) == (2_000, 10_000, 200_000, 200_000)
    assert huge.busy_pm_campaigns == 200  # a bigger organisation, the same busy person
    assert (TENTH.campaigns, TENTH.milestones, TENTH.busy_pm_campaigns) == (100, 2_000, 20)
    assert HUNDREDTH.people == large.Size.MIN_PEOPLE and HUNDREDTH.updates == 1  # never none of a kind
    with pytest.raises(ValueError, match="busy project manager"):
        dataclasses.replace(HUNDREDTH, busy_pm_campaigns=HUNDREDTH.campaigns + 1)
    with pytest.raises(ValueError, match="every role"):
        dataclasses.replace(HUNDREDTH, people=3)


@pytest.mark.parametrize("size", [HUNDREDTH, TENTH], ids=["hundredth", "tenth"])
def test_builds_exactly_the_size_asked_on_top_of_the_demo(app, size):
    load_demo(app_clock.today())
    before = {t.name: count(t) for t in db.metadata.sorted_tables}
    summary = large.build(size)  # on top of the demo already there

    # The rows it says it wrote are the rows that are there now.
    assert {t: count(db.metadata.tables[t]) - before[t] for t in summary.rows} == summary.rows
    demo_projects = 6
    assert count(Project) == size.campaigns + demo_projects
    assert summary.rows["projects"] == size.campaigns and summary.rows["milestones"] == size.milestones
    assert (summary.rows["tasks"], summary.rows["commitments"], summary.rows["feedback"]) == (
        size.tasks, size.commitments, size.feedback)
    assert summary.rows["briefings"] == size.briefings and summary.rows["product_updates"] == size.updates
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email.like("%.%@example.com"))) \
        == size.people
    assert sum(summary.campaigns_by_state.values()) == size.campaigns
    assert set(summary.campaigns_by_state) == {"draft", "proposed", "planned", "active", "on_hold", "completed",
                                               "cancelled"}
    for table in ("reminder_schedules", "notifications", "audit_events", "baseline_items", "calendar_feeds"):
        assert summary.rows[table] > 0, table

    roles = Counter(db.session.scalars(sa.select(User.role).where(User.email.like("%.%@example.com"))))
    assert set(roles) == set(Role)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.sales_rep)) >= 2


def test_the_busy_project_manager_and_the_admin_see_what_they_should(app):
    summary = large.build(HUNDREDTH)

    busy = db.session.scalars(sa.select(User).where(User.email == large.BUSY_PM_EMAIL)).one()
    seen = db.session.scalars(visible_projects(busy)).all()
    assert len(seen) == HUNDREDTH.busy_pm_campaigns == summary.busy_pm_campaigns
    assert all(p.project_manager_id == busy.id for p in seen)
    admin = db.session.scalars(sa.select(User).where(User.email == summary.admin_email)).one()
    assert admin.is_admin and len(db.session.scalars(visible_projects(admin)).all()) == count(Project)
    # People on many campaigns: the busiest crew member is on far more than one.
    per_person = Counter(db.session.scalars(sa.select(ProjectMember.user_id)))
    assert max(per_person.values()) >= 4


def test_shapes_a_real_portfolio_has(app):
    large.build(TENTH)
    today = app_clock.today()

    overdue = db.session.scalar(sa.select(sa.func.count()).select_from(Milestone).join(Project).where(
        Project.state == "active", Milestone.state == "open", Milestone.due_date < today))
    future = db.session.scalar(sa.select(sa.func.count()).select_from(Milestone).where(Milestone.due_date > today))
    assert overdue and future
    tasks = Counter(db.session.execute(sa.select(Task.done, Task.assignee_id.is_not(None))).tuples())
    assert tasks[(True, True)] and tasks[(False, True)] and tasks[(False, False)]
    assert set(db.session.scalars(sa.select(Commitment.state))) >= {
        "draft", "pending_signoff", "approved", "at_risk", "rejected", "fulfilled", "withdrawn"}
    assert set(db.session.scalars(sa.select(Feedback.state))) >= {"new", "now", "later", "declined", "duplicate",
                                                                  "done"}
    assert count(GoalActual) and count(Expense) and count(CalendarFeed) and count(NotificationPreference)
    completed = db.session.scalars(sa.select(Project).where(Project.state == "completed")).all()
    assert completed and all(p.outcome in {"achieved", "partial", "missed"} and p.actuals for p in completed)


def test_values_pass_the_apps_own_forms_and_rules(app):
    large.build(HUNDREDTH)
    ours = sa.select(Project).where(Project.id > 6).order_by(Project.id)

    with app.test_request_context():
        for project in db.session.scalars(ours):
            _valid(ProjectForm, _project_data(project), project=project)
            assert project.goal_target != project.goal_baseline and project.budget >= 0
            for milestone in project.milestones[:5]:
                assert milestone.due_date >= project.start_date
                _valid(MilestoneForm, {"title": milestone.title, "due_date": milestone.due_date.isoformat(),
                                       "target_value": _text(milestone.target_value),
                                       "owner_id": _text(milestone.owner_id)}, project)
                for task in milestone.tasks:
                    _valid(TaskForm, {"title": task.title, "assignee_id": _text(task.assignee_id),
                                      "due_date": _text(task.due_date and task.due_date.isoformat())}, project)
            for actual in project.actuals:
                _valid(ActualForm, {"value": str(actual.value), "measured_on": actual.measured_on.isoformat(),
                                    "note": actual.note})
            for expense in project.expenses:
                _valid(ExpenseForm, {"amount": str(expense.amount), "spent_on": expense.spent_on.isoformat(),
                                     "description": expense.description})
        for commitment in db.session.scalars(sa.select(Commitment).join(Project).where(Project.id > 6)):
            _valid(CommitmentForm, _commitment_data(commitment), commitment.project, commitment=commitment)
        for item in db.session.scalars(sa.select(Feedback).where(Feedback.submitted_by_id.in_(
                sa.select(User.id).where(User.email.like("%.%@example.com"))))):
            _valid(FeedbackForm, _feedback_data(item), item.submitted_by)
        for prefs in db.session.scalars(sa.select(NotificationPreference)):
            assert not problems(prefs.reminder_prefs)
            _valid(NotificationPreferencesForm, _preference_data(prefs))
        for briefing in db.session.scalars(sa.select(Briefing)):
            _valid(BriefingForm, _briefing_data(briefing))


def _valid(form_class, data, *args, **kwargs) -> None:
    formdata = MultiDict()
    for key, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            if one is not None:
                formdata.add(key, one)
    form = form_class(*args, formdata=formdata, meta={"csrf": False}, **kwargs)
    assert form.validate(), (form_class.__name__, data, form.errors)


def _text(value) -> str:
    return "" if value is None else str(value)


def _project_data(project: Project) -> dict:
    return {
        "title": project.title, "goal_statement": project.goal_statement, "goal_metric": project.goal_metric,
        "goal_unit": project.goal_unit, "goal_baseline": str(project.goal_baseline),
        "goal_target": str(project.goal_target), "budget": str(project.budget), "currency": project.currency,
        "start_date": project.start_date.isoformat(), "end_date": project.end_date.isoformat(),
        "region_ids": [str(r.id) for r in project.regions],
        "project_manager_id": _text(project.project_manager_id),
        "product_manager_ids": [str(m.user_id) for m in project.memberships if m.role.value == "product_manager"],
        "member_ids": [str(m.user_id) for m in project.memberships if m.role.value == "member"],
    }


def _commitment_data(c: Commitment) -> dict:
    return {
        "customer": c.customer.name, "product_id": str(c.product_id), "region_id": str(c.region_id), "promise": c.promise,
        "promised_date": c.promised_date.isoformat(), "band_id": _text(c.band_id), "unit_price": _text(c.unit_price),
        "discount_percent": _text(c.discount_percent), "quantity": str(c.quantity),
        "milestone_id": _text(c.milestone_id),
    }


def _feedback_data(f: Feedback) -> dict:
    return {
        "kind": f.kind, "title": f.title, "product_ids": [str(p.id) for p in f.products], "region_id": str(f.region_id),
        "details": f.details, "customer": f.customer.name if f.customer else "", "source_name": f.source_name, "channel": f.channel,
        "revenue_at_stake": _text(f.revenue_at_stake), "currency": f.currency, "project_id": _text(f.project_id),
        "commitment_id": _text(f.commitment_id),
    }


def _preference_data(p: NotificationPreference) -> dict:
    data = {"time_zone": p.time_zone, "reminder_hour": str(p.reminder_hour), "quiet_start": str(p.quiet_start),
            "quiet_end": str(p.quiet_end), "lead_days": p.lead_days, "overdue_every": str(p.overdue_every)}
    for name in ("on_the_day", "reminders_email", "reminders_in_app", "updates_email", "updates_in_app",
                 "email_digest"):
        data[name] = "y" if getattr(p, name) else None
    return data


def _briefing_data(b: Briefing) -> dict:
    products = db.session.scalars(sa.select(briefing_products.c.product_id).where(
        briefing_products.c.briefing_id == b.id)).all()
    attendees = db.session.scalars(sa.select(briefing_attendees.c.user_id).where(
        briefing_attendees.c.briefing_id == b.id)).all()
    return {
        "title": b.title, "region_id": str(b.region_id), "sales_team": b.sales_team, "held_on": b.held_on.isoformat(),
        "duration_minutes": str(b.duration_minutes), "presenter_id": str(b.presenter_id),
        "product_ids": [str(i) for i in products], "attendee_ids": [str(i) for i in attendees],
        "key_points": b.key_points,
    }


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Times that may lie ahead: a reminder's next slot, an email held for quiet hours or a digest (the demo's).
FUTURE_TIMES = {"next_at", "email_due_at"}


def test_every_stored_value_is_in_its_documented_range(app):
    load_demo(app_clock.today())
    demo_projects = db.session.scalar(sa.select(sa.func.max(Project.id)))
    large.build(HUNDREDTH)  # on top of the demo already there
    now, today = app_clock.now(), app_clock.today()

    for table in db.metadata.sorted_tables:
        for column in table.c:
            kind = column.type
            if isinstance(kind, sa.String):
                values = db.session.scalars(sa.select(column).where(column.is_not(None))).all()
                assert not any(isinstance(v, str) and _CONTROL.search(v) for v in values), column
                if kind.length:
                    assert all(len(v) <= kind.length for v in values if isinstance(v, str)), column
            elif isinstance(kind, sa.DateTime) and column.name not in FUTURE_TIMES:
                latest = db.session.scalar(sa.select(sa.func.max(column)))
                assert latest is None or latest <= now, column
            elif isinstance(kind, sa.Date):
                low, high = db.session.execute(sa.select(sa.func.min(column), sa.func.max(column))).one()
                assert low is None or today - timedelta(days=3650) <= low <= high <= today + timedelta(days=3 * 365), \
                    column
    for c in db.session.scalars(sa.select(Commitment).where(Commitment.project_id > demo_projects)):
        assert c.submitted_at is None or c.created_at <= c.submitted_at
        assert c.decided_at is None or c.submitted_at <= c.decided_at
        assert 1 <= c.quantity <= 10_000_000 and (c.discount_percent is None or 0 <= c.discount_percent <= 100)
        if c.decided_by_id is not None:  # a manager of the product, never who wrote or submitted it
            assert c.decided_by_id in {o.id for o in c.product.owners} - {c.created_by_id, c.submitted_by_id}
        if c.state in {"approved", "fulfilled"}:  # binding, and nothing stands against it
            assert not [f for f in findings(c) if f.is_blocker], (c.title, findings(c))
    for item in db.session.scalars(sa.select(Feedback).where(Feedback.state == "duplicate")):
        assert item.duplicate_of is not None and item.duplicate_of.state != "duplicate"
    for original in db.session.scalars(sa.select(Feedback)):
        dups = db.session.scalars(sa.select(Feedback).where(Feedback.duplicate_of_id == original.id)).all()
        assert original.weight == (original.revenue_at_stake or 0) + sum((d.revenue_at_stake or Decimal(0)
                                                                          for d in dups), Decimal(0))
    for task in db.session.scalars(sa.select(Task).join(Milestone).where(Milestone.state == "done")):
        assert task.done  # a milestone is done only once its tasks are
    assert db.session.scalar(sa.select(sa.func.count()).select_from(feedback_products)) >= count(Feedback)


def _schedules() -> set[tuple]:
    return set(db.session.execute(sa.select(
        ReminderSchedule.user_id, ReminderSchedule.item_key, ReminderSchedule.milestone_id, ReminderSchedule.task_id,
        ReminderSchedule.due_date, ReminderSchedule.cursor, ReminderSchedule.next_at)).tuples())


def test_reminder_schedules_are_what_the_sync_would_make_and_the_sweep_sends_them(app, clock):
    large.build(TENTH)
    built = _schedules()
    assert built

    reminders.sync_projects(set(db.session.scalars(sa.select(Project.id))))
    db.session.flush()
    assert _schedules() == built  # nothing added, removed or moved: the rows were exactly right

    db.session.commit()
    clock.advance(days=1)
    result = reminders.sweep()
    assert result.sent > 0  # the next slots come and are sent, without colliding with the inbox's old ones


def test_indexes_come_back_and_a_failed_build_leaves_nothing(app, monkeypatch):
    inspector = sa.inspect(db.engine)
    before = {t: sorted(i["name"] for i in inspector.get_indexes(t)) for t in ("milestones", "reminder_schedules")}
    large.build(HUNDREDTH)
    db.session.commit()
    inspector = sa.inspect(db.engine)
    assert {t: sorted(i["name"] for i in inspector.get_indexes(t)) for t in before} == before

    # Run again it refuses, and writes nothing.
    projects = count(Project)
    with pytest.raises(large.AlreadyBuilt, match="already loaded"):
        large.build(HUNDREDTH)
    assert count(Project) == projects


def test_the_same_seed_builds_the_same_data(app):
    def fingerprint() -> list:
        ours = Project.owner_id.in_(sa.select(User.id).where(User.email.like("%.%@example.com")))
        return db.session.execute(sa.select(Project.title, Project.uuid, Project.start_date, Project.state)
                                  .where(ours).order_by(Project.uuid)).all() + \
            db.session.execute(sa.select(Milestone.uuid, Milestone.due_date).join(Project).where(ours)
                               .order_by(Milestone.uuid)).all()

    large.build(HUNDREDTH)
    first = fingerprint()
    db.session.rollback()  # build only flushed: the whole set goes, demo included
    assert count(Project) == 0
    large.build(HUNDREDTH)
    assert fingerprint() == first


def test_its_pages_render_for_the_people_it_names(app, client):
    summary = large.build(HUNDREDTH)
    db.session.commit()

    for email in (summary.busy_pm_email, summary.admin_email, summary.seller_email, summary.signer_email):
        signed_in = app.test_client()
        assert signed_in.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        campaign = db.session.scalars(visible_projects(db.session.scalars(
            sa.select(User).where(User.email == email)).one()).order_by(Project.id.desc())).first()
        for path in ("/", "/campaigns/", f"/campaigns/{campaign.id}", "/inbox/", "/my-work/", "/settings/calendars"):
            assert signed_in.get(path).status_code == 200, (email, path)
        for path in ("/feedback/", "/feedback/triage", "/briefings/", "/updates/", "/reports/", "/catalog/"):
            response = signed_in.get(path, follow_redirects=True)  # some are not for every role: never an error
            assert response.status_code in (200, 403, 404), (email, path, response.status_code)
    feed = client.get(f"/calendars/v1/{summary.feed_tokens['mine']}.ics")
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.data


def test_the_cli_builds_once_then_refuses(app, monkeypatch):
    monkeypatch.setitem(demo_cli.SIZES, "large", HUNDREDTH)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "--size", "large"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output and "countersign-demo" in first.output  # the demo's sign-ins
    assert f"{large.BUSY_PM_EMAIL:<34} project manager on {HUNDREDTH.busy_pm_campaigns} campaigns" in first.output
    assert re.search(r"Large data set built in \d+\.\d s", first.output)
    assert re.search(r"milestones\s+200\n", first.output) and "/calendars/v1/" in first.output
    projects = count(Project)

    again = runner.invoke(args=["demo", "--size", "large"])
    assert again.exit_code == 1 and "already loaded" in again.output
    assert count(Project) == projects
    assert runner.invoke(args=["demo"]).exit_code == 0  # the small demo stays idempotent on top


def test_the_cli_refuses_a_size_it_does_not_know(app):
    result = app.test_cli_runner().invoke(args=["demo", "--size", "enormous"])
    assert result.exit_code == 2 and "'enormous' is not one of 'small', 'large', 'huge'" in result.output
    assert count(Project) == 0
