"""Every renderer draws whatever the database holds.

Rows written before the value rule (app/core/values.py), or by hand, may hold what the forms now
refuse: goals of ±1e308, dates in year 1 and year 9999, control characters, titles at their
longest. Such a row must not turn a page, a picture, a download, a feed or an email into a 500
for everyone on the campaign. The rows are written here with SQL, past every check, and then every
GET route (tests/routes.py) is walked as an admin and as a project manager on the campaign.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import User
from app.calendars import services as calendars
from app.calendars.services import FeedInput
from app.commitments.models import Commitment
from app.customers.models import Customer
from app.demo.large import Size, build
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.notifications.emails import notification_email
from app.notifications.models import Notification
from app.projects.models import GoalActual, Project
from app.roadmap.models import Baseline, BaselineItem
from tests import routes
from tests.fixtures.clients import RequestClient

FIRST_DAY, LAST_DAY = date(1, 1, 1), date(9999, 12, 31)
ODD_TEXT = "Ω" * 150 + " \u202eevil\u202c 🎯\x07\x1b"  # right-to-left override, emoji, bell and escape


def _sign_in(app: Flask, user: User) -> FlaskClient:
    app.test_client_class = RequestClient
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": routes.PASSWORD}).status_code == 302
    return client


def _write_extremes(project: Project) -> None:
    """The campaign's rows at the far edges of what their columns hold, past every validation."""
    milestone_ids = [m.id for m in project.milestones]
    statements = [
        sa.update(Project).where(Project.id == project.id).values(
            goal_baseline=-1e308, goal_target=1e308, start_date=FIRST_DAY, end_date=LAST_DAY,
            goal_statement=ODD_TEXT, goal_unit="%\x07"),
        sa.update(GoalActual).where(GoalActual.project_id == project.id).values(value=1e308, measured_on=LAST_DAY),
        sa.update(Milestone).where(Milestone.id == milestone_ids[0]).values(
            due_date=LAST_DAY, target_value=1e308, title=ODD_TEXT[:200], description=ODD_TEXT),
        sa.update(Milestone).where(Milestone.id == milestone_ids[1]).values(due_date=FIRST_DAY, target_value=-1e308),
        sa.update(Task).where(Task.milestone_id.in_(milestone_ids[:2])).values(due_date=LAST_DAY, title=ODD_TEXT[:200]),
        sa.update(Commitment).where(Commitment.project_id == project.id).values(promised_date=LAST_DAY),
        # Customers are shared by every campaign: all of them, so the list and every customer page draw it.
        sa.update(Customer).values(name=ODD_TEXT[:160], domain="acme\x07.example/\u202e", notes=ODD_TEXT),
        sa.update(BaselineItem).where(BaselineItem.baseline_id.in_(
            sa.select(Baseline.id).where(Baseline.project_id == project.id))).values(
            due_date=FIRST_DAY, target_value=-1e308),
        sa.update(Baseline).where(Baseline.project_id == project.id).values(start_date=FIRST_DAY, end_date=LAST_DAY),
    ]
    for statement in statements:
        db.session.execute(statement)
    db.session.add(GoalActual(project_id=project.id, value=-1e308, measured_on=FIRST_DAY, note=ODD_TEXT,
                              recorded_by_id=project.owner_id))
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def extreme_world(app: Flask) -> tuple[Project, User]:
    build(Size.LARGE.scaled(0.005))
    db.session.commit()
    pm = routes.busy_pm()
    project = routes.sample_project(pm)
    _write_extremes(project)
    return project, pm


def test_every_page_download_and_picture_draws_extreme_stored_values(app, extreme_world):
    project, pm = extreme_world
    values = routes.sample_values(project)
    failures = []
    for who, user in (("admin", routes.admin()), ("pm", pm)):
        client = _sign_in(app, user)
        for _rule, url in routes.get_routes(app, values):
            response = client.get(url)
            if url == "/readyz" and response.status_code == 503 and response.get_json()["status"] == "fail":
                continue  # an answer, not a crash: no scheduler runs here, so the sweep is behind (tests/ops)
            if response.status_code >= 500 or "/login" in response.headers.get("Location", ""):
                failures.append(f"{who} {url}: {response.status_code}")
            elif response.mimetype == "text/html" and response.status_code == 200:
                # A 300-digit number would stretch the page: every number is printed short.
                assert "1" * 30 not in response.get_data(as_text=True).replace(",", ""), f"{who} {url}"
    assert failures == []


def test_the_calendar_feed_and_the_emails_carry_extreme_stored_values(app, extreme_world, client):
    project, pm = extreme_world
    _, mine = calendars.create_feed(pm, FeedInput(name="Mine", kind="mine"))
    _, campaign = calendars.create_feed(pm, FeedInput(name="Campaign", kind="project", project_id=project.id))
    note = Notification(user_id=pm.id, kind="reminder", subject=ODD_TEXT, body=ODD_TEXT, link=f"/campaigns/{project.id}")
    db.session.add(note)
    db.session.commit()

    for token in (mine, campaign):
        response = client.get(f"/calendars/v1/{token}.ics")
        assert response.status_code == 200, response.status_code
        assert b"\x07" not in response.data and b"\x1b" not in response.data  # not valid in iCalendar text
    with app.test_request_context():
        message = notification_email(note)
    assert message.get_body(("plain",)).get_content()
