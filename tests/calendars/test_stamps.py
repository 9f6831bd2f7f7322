"""Change stamps: the ETag changes with everything a feed shows, and with nothing else; a 304 is the
token check alone, and a bump costs the same few statements however many links it reaches."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.calendars import stamps
from app.calendars.models import CalendarFeed
from app.catalog import services as catalog
from app.commitments import services as commitments
from app.commitments.services import CommitmentInput
from app.core import clock as app_clock
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.milestones.services import MilestoneInput, TaskInput
from app.projects.models import Project, ProjectMember, ProjectRole
from app.projects.services import add_member, fire_transition, remove_member
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit
from tests.calendars.helpers import feed_path
from tests.factories import RegionFactory, UserFactory


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent inside the block."""
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def etag_of(client) -> Callable[[str], str]:
    def etag(token: str) -> str:
        response = client.get(feed_path(token))
        assert response.status_code == 200
        return response.headers["ETag"]

    return etag


@pytest.fixture
def other(make_project, people) -> Project:
    """A campaign Tara is not on, with a task for Oscar."""
    project = make_project(title="Contoso renewal", state="active", member_ids=[people["outsider"].id])
    milestones.create_task(people["pm"], project.milestones[0], TaskInput(title="Outsider's task",
                                                                          assignee_id=people["outsider"].id))
    db.session.commit()
    return project


@pytest.fixture
def promised(campaign, people, make_product) -> dict[str, Any]:
    """A commitment on the campaign, waiting for Pat's countersignature."""
    region = RegionFactory(name="Southern Europe")
    campaign.regions.append(region)  # a commitment names one of its campaign's regions
    product = make_product(coverage={region: "sellable"})
    commitment = commitments.create_commitment(people["sales"], campaign, CommitmentInput(
        customer="Acme GmbH", product_id=product.id, region_id=region.id, promise="SSO for 500 seats",
        promised_date=app_clock.today() + timedelta(days=60), unit_price=Decimal("90.00"), quantity=500,
        band_id=product.bands[0].id))
    commitments.fire(people["sales"], commitment, "submit")
    db.session.commit()
    return {"commitment": commitment, "product": product, "region": region}


def _edit_milestone(people, campaign) -> None:
    milestone = campaign.milestones[0]
    milestones.update_milestone(people["pm"], milestone, MilestoneInput(
        title="Offer agreed", due_date=milestone.due_date, owner_id=milestone.owner_id), milestone.version,
        reason="Clearer name")


def _rename(user: User, name: str) -> None:
    admin = db.session.scalars(sa.select(User).where(User.role == Role.ADMIN)).first()
    accounts.update_user(admin, user, accounts.UserInput(email=user.email, name=name, role=user.role,
                                                         active=user.active, sales_rep=user.sales_rep))


# --- "My calendar": every kind of change it shows ------------------------------------------------

MY_CALENDAR_CHANGES: dict[str, Callable[[dict[str, User], Project, Project], object]] = {
    "edit a milestone": lambda people, campaign, other: _edit_milestone(people, campaign),
    "re-plan a milestone": lambda people, campaign, other: roadmap.replan(people["pm"], campaign, [MilestoneEdit(
        campaign.milestones[1].id, campaign.milestones[1].due_date + timedelta(days=7),
        campaign.milestones[1].target_value, campaign.milestones[1].version)], reason="Customer asked"),
    "add a milestone": lambda people, campaign, other: milestones.create_milestone(people["pm"], campaign, MilestoneInput(
        title="Checkpoint", due_date=campaign.start_date + timedelta(days=90)), reason="Board asked"),
    "delete a milestone": lambda people, campaign, other: milestones.delete_milestone(
        people["pm"], campaign.milestones[2], reason="Not needed"),
    "cancel a milestone": lambda people, campaign, other: milestones.fire_milestone_transition(
        people["pm"], campaign.milestones[2], "cancel", reason="Dropped"),
    "edit a task": lambda people, campaign, other: milestones.update_task(
        people["pm"], campaign.milestones[0].tasks[0], TaskInput(title="Call the top 50", assignee_id=people["team"].id)),
    "tick a task": lambda people, campaign, other: milestones.set_task_done(
        people["team"], campaign.milestones[0].tasks[0], True),
    "add a task": lambda people, campaign, other: milestones.create_task(
        people["pm"], campaign.milestones[3], TaskInput(title="New")),
    "delete a task": lambda people, campaign, other: milestones.delete_task(people["pm"], campaign.milestones[0].tasks[1]),
    "rename the campaign": lambda people, campaign, other: setattr(campaign, "title", "Northwind Pro upgrade (EMEA)"),
    "put the campaign on hold": lambda people, campaign, other: fire_transition(
        people["pm"], campaign, "hold", reason="Budget review"),
    "join a campaign": lambda people, campaign, other: add_member(people["sales"], other, people["team"],
                                                                  ProjectRole.MEMBER),
    "leave the campaign": lambda people, campaign, other: remove_member(people["pm"], campaign, people["team"]),
    "rename a milestone owner": lambda people, campaign, other: _rename(people["pm"], "Priya Planner-Singh"),
    "rename the assignee": lambda people, campaign, other: _rename(people["team"], "Tara Teammate-Jones"),
}


@pytest.mark.parametrize("change", MY_CALENDAR_CHANGES)
def test_every_change_my_calendar_shows_gives_a_new_etag(campaign, other, people, subscribe, client, etag_of, change):
    token = subscribe(people["team"])
    first = client.get(feed_path(token))
    MY_CALENDAR_CHANGES[change](people, campaign, other)
    db.session.commit()
    second = client.get(feed_path(token), headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert second.data != first.data  # the change is in the feed: the stamp followed a real change


UNRELATED_CHANGES: dict[str, Callable[[dict[str, User], Project, Project], object]] = {
    "edit another campaign's milestone": lambda people, campaign, other: milestones.update_milestone(
        people["pm"], other.milestones[0], MilestoneInput(title="Theirs", due_date=other.milestones[0].due_date,
                                                          owner_id=other.milestones[0].owner_id),
        other.milestones[0].version, reason="Theirs"),
    "add a task to another campaign": lambda people, campaign, other: milestones.create_task(
        people["pm"], other.milestones[1], TaskInput(title="Theirs")),
    "tick another campaign's task": lambda people, campaign, other: milestones.set_task_done(
        people["outsider"], other.milestones[0].tasks[0], True),
    "rename another campaign": lambda people, campaign, other: setattr(other, "title", "Contoso renewal 2027"),
    "someone else joins another campaign": lambda people, campaign, other: add_member(
        people["sales"], other, people["sales2"], ProjectRole.MEMBER),
    "rename someone the feed does not show": lambda people, campaign, other: _rename(people["outsider"], "Oscar O."),
    "a campaign's budget (not shown)": lambda people, campaign, other: setattr(campaign, "budget", Decimal("1234.00")),
}


@pytest.mark.parametrize("change", UNRELATED_CHANGES)
def test_changes_my_calendar_does_not_show_keep_its_etag(campaign, other, people, subscribe, etag_of, client, change):
    token = subscribe(people["team"])
    etag = etag_of(token)
    UNRELATED_CHANGES[change](people, campaign, other)
    db.session.commit()
    again = client.get(feed_path(token), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag


def test_the_link_settings_are_in_the_etag(campaign, people, subscribe, etag_of):
    token = subscribe(people["team"])
    feed = db.session.scalars(sa.select(CalendarFeed)).one()
    seen = {etag_of(token)}
    for setting, value in (("name", "Laptop"), ("alarm_minutes", 540), ("only_mine", True)):
        setattr(feed, setting, value)
        db.session.commit()
        seen.add(etag_of(token))
    assert len(seen) == 4
    assert etag_of(token) in seen  # and nothing moves it by itself


def test_a_fetch_or_a_rolled_back_change_keeps_the_etag(campaign, people, subscribe, etag_of, clock):
    token = subscribe(people["team"])
    etag = etag_of(token)
    clock.advance(minutes=10)  # past TOUCH_EVERY: this fetch writes "last fetched"
    assert etag_of(token) == etag
    _edit_milestone(people, campaign)
    db.session.rollback()
    assert etag_of(token) == etag


def test_the_week_moves_the_window_and_the_etag(campaign, people, subscribe, etag_of, clock):
    token = subscribe(people["team"])
    etag = etag_of(token)  # Tuesday 17 November 2026
    clock.advance(days=5)  # Sunday: the same window
    assert etag_of(token) == etag
    clock.advance(days=1)  # Monday: the window moved
    assert etag_of(token) != etag


# --- the other calendars -------------------------------------------------------------------------

def _product_update(people, product, **changes) -> None:
    fields = {"name": product.name, "status": product.status, "owner_ids": [u.id for u in product.owners], **changes}
    catalog.update_product(people["product"], product, catalog.ProductInput(**fields), product.version)


CAMPAIGN_CALENDAR_CHANGES: dict[str, Callable[[dict[str, User], Project, dict[str, Any]], object]] = {
    "edit a milestone": lambda people, campaign, promised: _edit_milestone(people, campaign),
    "move the campaign's end": lambda people, campaign, promised: setattr(
        campaign, "end_date", campaign.end_date + timedelta(days=30)),
    "record a commitment": lambda people, campaign, promised: commitments.create_commitment(
        people["sales"], campaign, CommitmentInput(
            customer="Globex", product_id=promised["product"].id, region_id=promised["region"].id,
            promise="Pilot", promised_date=app_clock.today() + timedelta(days=90))),
    "countersign one": lambda people, campaign, promised: commitments.fire(
        people["product"], promised["commitment"], "approve"),
    "rename its product": lambda people, campaign, promised: _product_update(
        people, promised["product"], name="Northwind Pro+"),
    "rename its region": lambda people, campaign, promised: setattr(promised["region"], "name", "Iberia"),
    "rename the seller": lambda people, campaign, promised: _rename(people["sales"], "Sam Seller-Smith"),
}


@pytest.mark.parametrize("change", CAMPAIGN_CALENDAR_CHANGES)
def test_every_change_the_campaign_calendar_shows_gives_a_new_etag(campaign, promised, people, subscribe, client,
                                                                    change):
    token = subscribe(people["team"], kind="project", project_id=campaign.id)
    first = client.get(feed_path(token))
    CAMPAIGN_CALENDAR_CHANGES[change](people, campaign, promised)
    db.session.commit()
    second = client.get(feed_path(token), headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.data != first.data


def test_the_campaign_calendar_ignores_tasks_and_other_campaigns(campaign, other, people, subscribe, etag_of):
    token = subscribe(people["team"], kind="project", project_id=campaign.id)
    etag = etag_of(token)
    milestones.create_task(people["pm"], campaign.milestones[3], TaskInput(title="Tasks are not in it"))
    milestones.create_task(people["pm"], other.milestones[3], TaskInput(title="Nor theirs"))
    _edit_milestone(people, other)
    db.session.commit()
    assert etag_of(token) == etag


def test_the_promises_and_signoff_calendars_follow_their_commitments(campaign, other, promised, people, subscribe,
                                                                      etag_of, clock):
    tokens = {"promises": subscribe(people["sales"], kind="promises"), "signoff": subscribe(people["product"],
                                                                                            kind="signoff")}
    seen = {kind: etag_of(token) for kind, token in tokens.items()}

    def changed() -> set[str]:
        db.session.commit()
        now = {kind: etag_of(token) for kind, token in tokens.items()}
        moved = {kind for kind in now if now[kind] != seen[kind]}
        seen.update(now)
        return moved

    _edit_milestone(people, other)
    milestones.create_task(people["pm"], campaign.milestones[3], TaskInput(title="Not in these calendars"))
    assert changed() == set()
    commitments.fire(people["product"], promised["commitment"], "approve")
    assert changed() == {"promises", "signoff"}  # countersigned: no longer waiting
    campaign.title = "Northwind Pro upgrade (EMEA)"
    assert changed() == {"promises", "signoff"}
    second_owner = UserFactory(role=Role.PRODUCT_MANAGER, name="Paula Second")
    _product_update(people, promised["product"], owner_ids=[people["product"].id, second_owner.id])
    assert changed() == set()  # Pat's queue and Sam's promises are the same
    clock.advance(days=1)
    assert changed() == {"signoff"}  # each request's age in days


# --- the cost of a 304 and of a bump -------------------------------------------------------------

def _campaign_of(user: User, owner: User, events: int) -> None:
    """A campaign with ``user`` on it and ``events`` milestones (inserted in bulk: the stamp does not matter here)."""
    project_id = db.session.scalar(sa.insert(Project).values(
        uuid=uuid.uuid4(), title=f"Bulk {events}", state="active", owner_id=owner.id,
        start_date=app_clock.today(), end_date=app_clock.today() + timedelta(days=700)).returning(Project.id))
    db.session.execute(sa.insert(ProjectMember), [{"project_id": project_id, "user_id": user.id,
                                                   "role": ProjectRole.MEMBER}])
    db.session.execute(sa.insert(Milestone), [{
        "uuid": uuid.uuid4(), "project_id": project_id, "title": f"Step {n}", "description": "",
        "due_date": app_clock.today() + timedelta(days=n % 600), "state": "open", "owner_id": owner.id,
        "position": n, "version": 1, "created_at": app_clock.now(), "updated_at": app_clock.now(),
    } for n in range(events)])
    db.session.commit()


@pytest.mark.parametrize("accept", ["", "gzip"])
def test_a_304_is_the_token_check_alone_whatever_the_feed_size(people, subscribe, client, accept):
    small, large = UserFactory(name="Sid Small"), UserFactory(name="Lara Large")
    _campaign_of(small, people["pm"], 10)
    _campaign_of(large, people["pm"], 1000)
    counts = []
    for user, events in ((small, 10), (large, 1000)):
        token = subscribe(user)
        first = client.get(feed_path(token), headers={"Accept-Encoding": accept})
        text = gzip.decompress(first.data) if accept else first.data
        assert first.status_code == 200 and text.count(b"BEGIN:VEVENT") == events
        with statements() as sent:
            again = client.get(feed_path(token), headers={"If-None-Match": first.headers["ETag"],
                                                         "Accept-Encoding": accept})
        assert again.status_code == 304
        assert not any(table in s for s in sent for table in ("milestones", "tasks", "commitments")), sent
        counts.append(len(sent))
    small_count, large_count = counts
    assert small_count == large_count <= 2, counts  # the link (with its owner) and the admins' switch


def test_a_bump_costs_the_same_statements_for_one_link_or_many(make_project, people, subscribe):
    def commit_an_edit(project: Project) -> int:
        milestone = project.milestones[0]
        milestones.update_milestone(people["pm"], milestone, MilestoneInput(
            title=f"{milestone.title}!", due_date=milestone.due_date, owner_id=milestone.owner_id), milestone.version,
            reason="Sharper")
        with statements() as sent:
            db.session.commit()
        return [s for s in sent if "calendar_feeds" in s]

    few = make_project(title="Few links", state="active")
    subscribe(people["team"])
    many_people = [UserFactory(name=f"Member {n}") for n in range(20)]
    many = make_project(title="Many links", state="active", member_ids=[u.id for u in many_people])
    for user in many_people:
        subscribe(user)
        subscribe(user, kind="project", project_id=many.id)
    before = dict(db.session.execute(sa.select(CalendarFeed.id, CalendarFeed.stamp)).all())
    one, many_links = commit_an_edit(few), commit_an_edit(many)
    assert len(one) == 1 and one == many_links  # the bump: the same single UPDATE, in the edit's transaction
    assert one[0].lstrip().upper().startswith("UPDATE")
    after = dict(db.session.execute(sa.select(CalendarFeed.id, CalendarFeed.stamp)).all())
    bumped = {feed_id for feed_id in after if after[feed_id] != before[feed_id]}
    owners = dict(db.session.execute(sa.select(CalendarFeed.id, CalendarFeed.user_id)).all())
    assert {owners[f] for f in bumped} == {people["team"].id, *(u.id for u in many_people)}
    assert all(after[f] == before[f] + 1 for f in bumped)


def test_a_stamp_outlives_the_process(campaign, people, subscribe, etag_of):
    """The stamp is in the database: a fresh session (another worker, another machine) computes the same ETag."""
    token = subscribe(people["team"])
    _edit_milestone(people, campaign)
    db.session.commit()
    etag = etag_of(token)
    db.session.remove()
    db.engine.dispose()
    assert etag_of(token) == etag
    assert db.session.scalar(sa.select(CalendarFeed.stamp)) == 1


def test_writes_that_bypass_the_orm_need_bump_all(campaign, people, subscribe, etag_of):
    token = subscribe(people["team"])
    etag = etag_of(token)
    db.session.execute(sa.update(Milestone).where(Milestone.project_id == campaign.id).values(title="Bulk renamed"))
    db.session.commit()
    assert etag_of(token) == etag  # no flush of ORM objects: the listeners saw nothing
    stamps.bump_all(db.session)
    db.session.commit()
    assert etag_of(token) != etag
