"""What each calendar holds, read back through a calendar library as a client would."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from app.calendars import feeds
from app.commitments import services as commitments
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Task
from app.milestones.services import MilestoneInput, TaskInput
from app.projects.models import ProjectRole
from app.projects.services import add_member, remove_member
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit
from tests.calendars.helpers import events, feed_path


def test_my_calendar_holds_every_milestone_and_task_of_my_campaigns(campaign, people, subscribe, fetch):
    calendar = fetch(subscribe(people["team"], name="Phone"))
    found = events(calendar)
    for milestone in campaign.milestones:
        event = found[str(milestone.uuid)]
        assert event.decoded("DTSTART") == milestone.due_date and type(event.decoded("DTSTART")) is date
        assert event.decoded("DTEND") == milestone.due_date + timedelta(days=1)
        assert str(event["SUMMARY"]) == f"{milestone.title} · Northwind Pro upgrade"
        assert str(event["TRANSP"]) == "TRANSPARENT" and str(event["STATUS"]) == "CONFIRMED"
        assert str(event["URL"]) == f"http://countersign.test/campaigns/{campaign.id}#milestone-{milestone.id}"
        description = str(event["DESCRIPTION"])
        assert "State: Open" in description and "Owner: " in description and str(event["URL"]) in description
        assert event.decoded("LAST-MODIFIED").tzinfo is not None  # UTC, written with Z
    tasks = db.session.scalars(sa.select(Task)).all()
    for task in tasks:
        event = found[str(task.uuid)]
        assert str(event["SUMMARY"]) == f"Task: {task.title} · Northwind Pro upgrade"
        assert event.decoded("DTSTART") == (task.due_date or task.milestone.due_date)
    assert len(found) == len(campaign.milestones) + len(tasks)
    assert str(calendar["X-WR-CALNAME"]) == "Phone · Countersign"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


def test_goal_targets_and_owners_are_in_the_description(campaign, people, subscribe, fetch):
    milestone = milestones.create_milestone(people["pm"], campaign, MilestoneInput(
        title="Half-way", due_date=campaign.start_date + timedelta(days=200), target_value=25,
        owner_id=people["team"].id), reason="Checkpoint asked for by the board")
    db.session.commit()
    event = events(fetch(subscribe(people["team"])))[str(milestone.uuid)]
    assert "Goal target: 25% Customers on the new tier" in str(event["DESCRIPTION"])
    assert "Owner: Tara Teammate" in str(event["DESCRIPTION"])


def test_only_mine_keeps_the_milestones_i_own_and_the_tasks_given_to_me(campaign, people, subscribe, fetch):
    owned = milestones.create_milestone(people["pm"], campaign, MilestoneInput(
        title="Tara's checkpoint", due_date=campaign.start_date + timedelta(days=100), owner_id=people["team"].id),
        reason="Tara leads this one")
    db.session.commit()
    found = events(fetch(subscribe(people["team"], only_mine=True)))
    mine = db.session.scalars(sa.select(Task).where(Task.assignee_id == people["team"].id)).all()
    assert set(found) == {str(owned.uuid), *(str(t.uuid) for t in mine)}


def test_a_replan_moves_the_event_with_the_same_uid_and_a_higher_sequence(campaign, people, subscribe, fetch):
    token = subscribe(people["team"])
    milestone = campaign.milestones[1]
    before = events(fetch(token))[str(milestone.uuid)]
    new_date = milestone.due_date + timedelta(days=21)
    roadmap.replan(people["pm"], campaign, [MilestoneEdit(milestone.id, new_date, milestone.target_value,
                                                          milestone.version)], reason="Customer asked for March")
    db.session.commit()
    after_calendar = fetch(token)
    after = events(after_calendar)
    assert len(after) == len(events(after_calendar))  # no duplicate
    moved = after[str(milestone.uuid)]
    assert moved.decoded("DTSTART") == new_date
    assert int(moved["SEQUENCE"]) > int(before["SEQUENCE"])
    assert moved.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_done_and_cancelled_items_are_marked(campaign, people, subscribe, fetch):
    done, cancelled = campaign.milestones[0], campaign.milestones[1]
    task = done.tasks[0]
    for each in done.tasks:  # a milestone completes once its tasks are done
        milestones.set_task_done(people["pm"], each, True)
    milestones.fire_milestone_transition(people["pm"], done, "complete")
    milestones.fire_milestone_transition(people["pm"], cancelled, "cancel", reason="Dropped by the board")
    db.session.commit()
    found = events(fetch(subscribe(people["team"])))
    assert str(found[str(done.uuid)]["SUMMARY"]).startswith("✓ ")
    assert str(found[str(task.uuid)]["SUMMARY"]).startswith("✓ Task: ")
    assert str(found[str(cancelled.uuid)]["STATUS"]) == "CANCELLED"


def test_an_alarm_chosen_for_the_link_is_on_every_event(campaign, people, subscribe, fetch):
    found = events(fetch(subscribe(people["team"], alarm_minutes=-15 * 60)))
    for event in found.values():
        (alarm,) = event.walk("VALARM")
        assert alarm.decoded("TRIGGER") == timedelta(hours=-15) and str(alarm["ACTION"]) == "DISPLAY"
    assert not any(e.walk("VALARM") for e in events(fetch(subscribe(people["team"]))).values())


def test_the_campaign_calendar_has_its_start_end_milestones_and_promised_dates(campaign, promised, people,
                                                                                subscribe, fetch):
    found = events(fetch(subscribe(people["team"], kind="project", project_id=campaign.id)))
    start, end = found[f"{campaign.uuid}-start"], found[f"{campaign.uuid}-end"]
    assert (start.decoded("DTSTART"), end.decoded("DTSTART")) == (campaign.start_date, campaign.end_date)
    assert str(start["SUMMARY"]) == "Start: Northwind Pro upgrade"
    assert "Goal target: 50% Customers on the new tier" in str(start["DESCRIPTION"])
    assert {str(m.uuid) for m in campaign.milestones} <= set(found)
    for commitment in promised.values():
        event = found[str(commitment.uuid)]
        assert event.decoded("DTSTART") == commitment.promised_date
        assert str(event["SUMMARY"]).startswith(f"Promised to {commitment.customer.name}: Northwind Pro")
        assert str(event["URL"]).endswith(f"/commitments/{commitment.id}")
    assert not any(str(u).startswith(str(t.uuid)) for u in found for t in db.session.scalars(sa.select(Task)))


def test_the_signoff_calendar_lists_what_waits_for_me_with_its_age(campaign, promised, people, subscribe, fetch,
                                                                   clock):
    token = subscribe(people["product"], kind="signoff")
    found = events(fetch(token))
    assert set(found) == {str(promised["waiting"].uuid)}
    assert "(waiting since today)" in str(found[str(promised["waiting"].uuid)]["SUMMARY"])
    clock.advance(days=3)
    event = events(fetch(token))[str(promised["waiting"].uuid)]
    assert str(event["SUMMARY"]) == "Countersign: Acme GmbH, Northwind Pro (waiting 3 days) · Northwind Pro upgrade"
    assert "Waiting for your countersignature since" in str(event["DESCRIPTION"])


def test_the_sellers_calendar_marks_promises_at_risk(campaign, promised, people, subscribe, fetch):
    token = subscribe(people["sales"], kind="promises")
    assert set(events(fetch(token))) == {str(c.uuid) for c in promised.values()}
    milestone = campaign.milestones[1]
    roadmap.replan(people["pm"], campaign, [MilestoneEdit(
        milestone.id, promised["signed"].promised_date + timedelta(days=30), milestone.target_value,
        milestone.version)], reason="Integration partner is late")
    db.session.commit()
    event = events(fetch(token))[str(promised["signed"].uuid)]
    assert str(event["SUMMARY"]) == "⚠ At risk: Promised to Globex: Northwind Pro · Northwind Pro upgrade"
    commitments.fire(people["sales"], promised["draft"], "withdraw", reason="Customer went elsewhere")
    db.session.commit()
    assert str(events(fetch(token))[str(promised["draft"].uuid)]["STATUS"]) == "CANCELLED"


def test_a_cancelled_campaign_cancels_its_events(campaign, people, subscribe, fetch):
    from app.projects.services import fire_transition

    fire_transition(people["pm"], campaign, "cancel", reason="Budget withdrawn")
    db.session.commit()
    assert {str(e["STATUS"]) for e in events(fetch(subscribe(people["team"]))).values()} == {"CANCELLED"}


def test_leaving_a_campaign_takes_it_out_of_my_calendar(campaign, people, subscribe, fetch):
    token = subscribe(people["team"])
    assert events(fetch(token))
    remove_member(people["pm"], campaign, people["team"])
    db.session.commit()
    assert events(fetch(token)) == {}


# --- speed: no query per event, and 304 without building -----------------------------------------

def count_queries():
    statements: list[str] = []

    def before(*args) -> None:
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", before)
    return statements, lambda: sa_event.remove(db.engine, "before_cursor_execute", before)


@pytest.mark.parametrize("kind", ["mine", "project"])
def test_a_feed_takes_the_same_queries_for_few_or_many_events(campaign, people, subscribe, client, kind):
    token = subscribe(people["pm"], kind=kind, project_id=campaign.id if kind == "project" else None)

    def queries() -> int:
        statements, stop = count_queries()
        try:
            assert client.get(feed_path(token)).status_code == 200
        finally:
            stop()
        return len(statements)

    queries()  # the first fetch also notes "last fetched"
    few = queries()
    for n in range(15):
        milestone = milestones.create_milestone(people["pm"], campaign, MilestoneInput(
            title=f"Extra {n}", due_date=campaign.start_date + timedelta(days=40 + n), owner_id=people["team"].id),
            reason="More steps")
        milestones.create_task(people["pm"], milestone, TaskInput(title=f"Task {n}", assignee_id=people["team"].id))
    db.session.commit()
    assert queries() == few


def test_an_unchanged_feed_answers_304_without_being_built(campaign, people, subscribe, client, monkeypatch):
    token = subscribe(people["team"])
    first = client.get(feed_path(token))
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "private, no-cache"

    def no_build(_feed):
        raise AssertionError("the feed was rebuilt")

    monkeypatch.setattr(feeds, "build", no_build)
    again = client.get(feed_path(token), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    weakened = client.get(feed_path(token), headers={"If-None-Match": f'"other", W/{etag}'})  # as a proxy may send
    assert weakened.status_code == 304
    since = client.get(feed_path(token), headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    monkeypatch.undo()

    milestone = campaign.milestones[0]
    milestones.update_milestone(people["pm"], milestone, MilestoneInput(
        title="Renamed", due_date=milestone.due_date, owner_id=milestone.owner_id), milestone.version,
        reason="Clearer name")
    db.session.commit()
    changed = client.get(feed_path(token), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"Renamed" in changed.data


@pytest.mark.parametrize("change", ["add task", "delete task", "join", "rename campaign"])
def test_every_kind_of_change_gives_a_new_etag(campaign, people, subscribe, client, change, make_project):
    token = subscribe(people["team"])
    etag = client.get(feed_path(token)).headers["ETag"]
    task = db.session.scalars(sa.select(Task)).first()
    if change == "add task":
        milestones.create_task(people["pm"], campaign.milestones[2], TaskInput(title="New"))
    elif change == "delete task":
        milestones.delete_task(people["pm"], task)
    elif change == "join":
        other = make_project(title="Second campaign", member_ids=[])
        add_member(people["sales"], other, people["team"], ProjectRole.MEMBER)
    else:
        campaign.title = "Northwind Pro upgrade (EMEA)"
    db.session.commit()
    assert client.get(feed_path(token)).headers["ETag"] != etag


def test_last_modified_is_the_last_change_or_the_window_moving(campaign, people, subscribe, client, clock):
    token = subscribe(people["team"])
    first = client.get(feed_path(token))
    assert first.last_modified.replace(tzinfo=None) == clock.now().replace(microsecond=0)  # the link was just made
    clock.advance(hours=3)
    milestone = campaign.milestones[0]
    milestones.update_milestone(people["pm"], milestone, MilestoneInput(
        title="Renamed", due_date=milestone.due_date, owner_id=milestone.owner_id), milestone.version,
        reason="Clearer name")
    db.session.commit()
    changed = client.get(feed_path(token))
    assert changed.last_modified.replace(tzinfo=None) == clock.now().replace(microsecond=0)
    assert client.get(feed_path(token), headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 200
    clock.to(datetime(2026, 11, 23, 6, 0))  # Monday: the window of past events moved at midnight
    assert client.get(feed_path(token)).last_modified.replace(tzinfo=None) == datetime(2026, 11, 23)


# --- bounds: a window of past events, and a largest size -------------------------------------------

def test_events_older_than_the_window_are_left_out(make_project, people, subscribe, fetch, clock):
    old = make_project(title="Last year's push", state="active", start=date(2025, 9, 1))
    token = subscribe(people["team"])
    start = feeds.window_start(clock.today())
    assert start == date(2025, 11, 16)  # 365 days before Monday 16 November 2026
    for milestone in old.milestones:
        milestone.due_date = date(2025, 11, 15)
    old.milestones[1].due_date = start
    db.session.commit()
    found = events(fetch(token))
    assert str(old.milestones[0].uuid) not in found and str(old.milestones[1].uuid) in found
    clock.to(datetime(2026, 11, 23, 9, 30))  # next Monday: the window moves by a week
    assert str(old.milestones[1].uuid) not in events(fetch(token))


def test_a_feed_holds_at_most_max_events_the_earliest_first(campaign, people, subscribe, fetch, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_EVENTS", 3)
    days = sorted([*(m.due_date for m in campaign.milestones),
                   *(t.due_date or t.milestone.due_date for t in db.session.scalars(sa.select(Task)))])
    found = events(fetch(subscribe(people["team"])))
    assert sorted(e.decoded("DTSTART") for e in found.values()) == days[:3]
