"""The project manager's *waiting to be planned* card: whose, in what order, with what, in one query."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock
from app.dashboard import services
from app.extensions import db
from app.projects import services as projects
from tests.queries import counting


def test_proposed_campaigns_wait_oldest_first_with_who_submitted_and_for_how_long(make_project, people, clock):
    older = make_project(title="Older", state="proposed")
    clock.advance(days=3)
    newer = make_project(title="Newer", state="proposed")
    make_project(title="Still a draft")
    make_project(title="Planned", state="planned")
    clock.advance(hours=5)

    head = services.waiting_to_be_planned(people["pm"], clock.now())

    assert [r.project.title for r in head.items] == ["Older", "Newer"] and head.total == 2
    assert head.items[0].submitted_by == people["sales"].name
    assert head.items[0].age == "3 days" and head.items[1].waiting == timedelta(hours=5)
    assert head.items[0].project.id == older.id and head.items[1].project.id == newer.id


def test_the_card_is_the_planners_own(make_project, people):
    mine = make_project(title="Mine", state="proposed")
    unmanaged = make_project(title="Nobody plans it yet", project_manager_id=None, member_ids=[people["pm"].id])
    projects.fire_transition(people["sales"], unmanaged, "submit")
    others = make_project(title="Another planner's", owner=people["sales2"], project_manager_id=None)
    projects.fire_transition(people["sales2"], others, "submit")
    db.session.commit()

    assert {r.project.title for r in services.waiting_to_be_planned(people["pm"], clock.now()).items} == {
        mine.title, unmanaged.title}  # the third is not one they may see
    assert services.waiting_to_be_planned(people["admin"], clock.now()).total == 3
    assert services.waiting_to_be_planned(people["sales"], clock.now()).items == []


def test_the_card_is_one_query_and_bounded_however_many_wait(make_project, people, login):
    for n in range(services.SHOWN + 2):
        make_project(title=f"Proposal {n}", state="proposed")
    planner = people["pm"]
    assert planner.is_admin is False  # the person is loaded before counting, as a request's is
    with counting() as statements:
        head = services.waiting_to_be_planned(planner, clock.now())
    assert len(statements) == 1
    assert len(head.items) == services.SHOWN and head.total == services.SHOWN + 2

    page = login(people["pm"]).get("/").text
    assert "Waiting to be planned" in page and "/campaigns/?state=proposed" in page
    assert page.count(">Plan</a>") == services.SHOWN
