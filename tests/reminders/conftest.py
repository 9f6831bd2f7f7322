"""Shared setup of the reminder tests: a clock the test moves, a campaign with one milestone
built through the services, and short ways to read schedules, reminders and sent mail.

Times are fixed, so slots are easy to name: the clock starts on Monday 3 June 2030 at noon
UTC and the milestone is due on Thursday 20 June. With a new user's settings (UTC, 9 o'clock,
a week and a day before, on the day, every 3 days once overdue) its slots are at 09:00 UTC
on 13, 19 and 20 June, then 23 June, 26 June, ...
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone, Task
from app.notifications.models import Notification
from app.notifications.services import save_preferences
from app.projects import services as projects
from app.projects.models import Project
from app.reminders import services as reminders
from app.reminders.models import ReminderSchedule, milestone_key, task_key
from tests.clock import TestClock

NOW = datetime(2030, 6, 3, 12, 0)
START = date(2030, 5, 1)
DUE = date(2030, 6, 20)

#: From draft to active: each event and who fires it (the owner submits, the PM does the rest).
_WALK = (("submit", "sales"), ("plan", "pm"), ("launch", "pm"))


@pytest.fixture
def clock(clock: TestClock) -> TestClock:
    """The reminder tests start at ``NOW``."""
    clock.to(NOW)
    return clock


@pytest.fixture
def walk(people: dict[str, User]) -> Callable[[Project, str], Project]:
    """``walk(project, state)`` fires the lifecycle events from draft up to ``state`` and commits."""

    def to_state(project: Project, state: str) -> Project:
        for event, actor in _WALK:
            if project.state == state:
                break
            projects.fire_transition(people[actor], project, event)
        db.session.commit()
        return project

    return to_state


@pytest.fixture
def campaign(people: dict[str, User], make_project, walk, clock: TestClock) -> Callable[..., Project]:
    """A campaign with one milestone due ``due``, owned by the PM, walked to ``state``.

    Its people: the owner (sales), the project manager (pm), a product manager (product) and
    a member (team); the outsider is on no campaign.
    """

    def build(state: str = "active", due: date = DUE, title: str = "Spring upgrade") -> Project:
        project = make_project(title=title, template=None, start=START)
        milestones.create_milestone(people["pm"], project, milestones.MilestoneInput(
            title=f"{title}: pilot customers live", due_date=due, owner_id=people["pm"].id))
        return walk(project, state)

    return build


@pytest.fixture
def milestone(campaign) -> Milestone:
    """The one milestone of an active campaign."""
    return campaign().milestones[0]


@pytest.fixture
def schedules(app) -> Callable[[Milestone | Task], dict[int, ReminderSchedule]]:
    """``schedules(item)``: the stored schedules of a milestone or task, by person."""

    def of(item: Milestone | Task) -> dict[int, ReminderSchedule]:
        key = milestone_key(item.id) if isinstance(item, Milestone) else task_key(item.id)
        return {row.user_id: row for row in db.session.scalars(
            sa.select(ReminderSchedule).where(ReminderSchedule.item_key == key))}

    return of


@pytest.fixture
def sent_reminders(app) -> Callable[..., list[Notification]]:
    """``sent_reminders(user=None)``: the reminders written so far (to ``user``), oldest first."""

    def of(user: User | None = None) -> list[Notification]:
        db.session.expire_all()
        query = sa.select(Notification).where(Notification.kind == "reminder").order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        return list(db.session.scalars(query))

    return of


@pytest.fixture
def sweep_at(clock: TestClock) -> Callable[[datetime], reminders.SweepResult]:
    """``sweep_at(moment)``: move the clock there and run the sweep, as the minutely job does."""

    def run(at: datetime) -> reminders.SweepResult:
        clock.to(at)
        result = reminders.sweep()
        db.session.expire_all()
        return result

    return run


@pytest.fixture
def set_prefs(app) -> Callable[..., None]:
    """``set_prefs(user, **settings)``: save a person's notification settings and commit."""

    def save(user: User, **values: object) -> None:
        save_preferences(user, **values)
        db.session.commit()

    return save
