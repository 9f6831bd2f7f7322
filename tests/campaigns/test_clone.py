"""Cloning a campaign: the shift arithmetic, the service, who may, the page and the API."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.campaigns import services as cloning
from app.core import clock, events
from app.core.errors import InvalidInput, NotAllowed
from app.events import CampaignCreated
from app.extensions import db
from app.milestones.models import Task
from app.projects import services as projects
from app.projects.models import Project
from workflows.campaigns import shifted


@pytest.mark.parametrize(("day", "old", "new", "expected"), [
    # 29 February moves like any day: a year later it is the 365th or 366th day after.
    (date(2028, 2, 29), date(2028, 1, 1), date(2029, 1, 1), date(2029, 3, 1)),
    (date(2028, 2, 29), date(2028, 1, 1), date(2028, 12, 31), date(2029, 2, 28)),
    # A month end stays as many days after the start, not "the last day of the month".
    (date(2027, 1, 31), date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 3)),
    (date(2027, 3, 31), date(2027, 3, 1), date(2027, 2, 1), date(2027, 3, 3)),
    # Moving earlier works the same way, and no move keeps the day.
    (date(2027, 6, 30), date(2027, 6, 1), date(2027, 5, 1), date(2027, 5, 30)),
    (date(2027, 6, 30), date(2027, 6, 1), date(2027, 6, 1), date(2027, 6, 30)),
])
def test_a_day_moves_by_the_days_between_the_starts(day, old, new, expected):
    assert shifted(day, old, new) == expected


def _source(make_project, people):
    source = make_project(title="Spring upgrade", state="active", budget=Decimal("12000.00"))
    first = source.milestones[0]
    first.tasks.append(Task(title="Draft the offer", assignee_id=people["team"].id, due_date=first.due_date, done=True))
    projects.report_actual(people["pm"], source, 2.5, clock.today())
    projects.record_expense(people["pm"], source, Decimal("10.00"), clock.today(), "Flyers")
    db.session.commit()
    return source


def test_a_clone_is_a_new_draft_with_the_roadmap_moved_and_nothing_that_happened(make_project, people):
    source = _source(make_project, people)
    heard: list[CampaignCreated] = []
    events.subscribe(CampaignCreated, heard.append)
    start = source.start_date + timedelta(days=400)
    data = cloning.clone_input(source, start)

    clone = cloning.clone_campaign(people["sales2"], source, data)
    db.session.commit()

    assert clone.id != source.id and clone.state == "draft" and clone.owner_id == people["sales2"].id
    assert clone.title == "Copy of Spring upgrade" and clone.budget == Decimal("12000.00")
    assert clone.end_date - clone.start_date == source.end_date - source.start_date
    assert [(m.title, m.due_date, m.target_value, m.owner_id, m.state) for m in clone.milestones] == [
        (m.title, m.due_date + timedelta(days=400), m.target_value, None, "open") for m in source.milestones]
    copied = clone.milestones[0].tasks[0]
    assert (copied.title, copied.assignee_id, copied.done) == ("Draft the offer", None, False)
    assert copied.due_date == source.milestones[0].due_date + timedelta(days=400)
    assert clone.actuals == [] and clone.expenses == []
    assert [r.id for r in clone.regions] == [r.id for r in source.regions]
    assert heard[-1] == CampaignCreated(clone.id, people["sales2"].id, "", source.id)
    trail = dict(db.session.execute(sa.select(AuditEvent.project_id, AuditEvent.summary)
                                    .where(AuditEvent.action.in_(["project.created", "project.cloned"]),
                                           AuditEvent.project_id.in_([source.id, clone.id]),
                                           AuditEvent.at >= clone.created_at)).tuples().all())
    assert trail[clone.id] == f"Created campaign “Copy of Spring upgrade” cloned from “Spring upgrade” (#{source.id})"
    assert trail[source.id] == f"Cloned to “Copy of Spring upgrade” (#{clone.id})"
    # The source is untouched: its actual, spend and assigned task stay its own.
    assert len(source.actuals) == 1 and source.milestones[0].tasks[0].assignee_id == people["team"].id


def test_an_end_too_early_for_the_moved_milestones_is_refused_naming_them(make_project, people):
    source = make_project()
    start = clock.today() + timedelta(days=10)
    data = replace(cloning.clone_input(source, start), end_date=start + timedelta(days=20))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Project))

    with pytest.raises(InvalidInput) as error:
        cloning.clone_campaign(people["sales"], source, data)

    assert "would fall on" in error.value.fields["end_date"][0], error.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == before


@pytest.mark.parametrize("role", ["product", "team"])
def test_only_those_who_launch_campaigns_clone_them(make_project, people, role):
    source = make_project()
    with pytest.raises(NotAllowed):
        cloning.clone_campaign(people[role], source, cloning.clone_input(source, clock.today()))


def test_the_page_prefills_the_form_and_creates_the_copy(make_project, people, login):
    source = make_project(title="Autumn push")
    client = login(people["pm"])
    page = client.get(f"/campaigns/{source.id}")
    assert f'href="/campaigns/{source.id}/clone"' in page.text
    form = client.get(f"/campaigns/{source.id}/clone")
    assert form.status_code == 200 and 'value="Copy of Autumn push"' in form.text
    start = clock.today() + timedelta(days=7)
    end = start + (source.end_date - source.start_date)
    response = client.post(f"/campaigns/{source.id}/clone", data={
        "title": "Autumn push again", "start_date": start.isoformat(), "end_date": end.isoformat(),
        "goal_metric": "Customers on the new tier", "goal_unit": "%", "goal_baseline": "0", "goal_target": "50",
        "budget": "0", "currency": "EUR", "project_manager_id": str(people["pm"].id),
    })
    clone = db.session.scalar(sa.select(Project).where(Project.title == "Autumn push again"))
    assert response.status_code == 302 and response.location.endswith(f"/campaigns/{clone.id}")
    assert len(clone.milestones) == len(source.milestones)


def test_people_who_may_not_see_or_launch_get_404(make_project, people, login):
    source = make_project()
    assert login(people["outsider"]).get(f"/campaigns/{source.id}/clone").status_code == 404
    assert login(people["product"]).get(f"/campaigns/{source.id}/clone").status_code == 404
    assert 'clone"' not in login(people["product"]).get(f"/campaigns/{source.id}").text.split("Subscribe")[1][:400]


def test_the_goal_card_says_what_each_figure_is_on_the_page_and_the_dashboard(make_project, people, login):
    project = make_project(state="active")
    projects.report_actual(people["pm"], project, 2.5, clock.today())
    db.session.commit()
    client = login(people["pm"])
    for page in (client.get(f"/campaigns/{project.id}").text, client.get("/").text):
        assert "Actual 2.5%" in page and "target 50%" in page and "5% of the way to target" in page


def test_a_day_pushed_past_the_calendars_ends_stays_on_the_end_it_reached():
    # A campaign running to 31 Dec 9999, cloned later: its end cannot move on, and adding would raise.
    assert shifted(date.max, date(2026, 1, 1), date(2027, 1, 1)) == date.max
    assert shifted(date.min, date(2027, 1, 1), date(2026, 1, 1)) == date.min
