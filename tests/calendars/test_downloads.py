""""Add to calendar": one record's date as its own .ics, the very event the feeds hold."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from app.commitments import services as commitments
from app.extensions import db
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit
from tests.calendars.helpers import events
from tests.calendars.test_icaljs import by_uid, icaljs


def download(client, path: str) -> icalendar.Event:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.headers["Content-Disposition"].endswith('.ics"')
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    return event


def same_event(single: icalendar.Event, fed: icalendar.Event) -> None:
    for name in ("UID", "SEQUENCE", "SUMMARY", "DESCRIPTION", "URL", "STATUS"):
        assert str(single[name]) == str(fed[name]), name
    for name in ("DTSTART", "DTEND"):
        assert single.decoded(name) == fed.decoded(name), name  # DATE values: all-day, as in the feed


def test_a_milestone_is_the_feeds_event_and_moves_with_it(campaign, people, login, subscribe, fetch):
    token = subscribe(people["team"])
    client = login(people["team"])
    milestone = campaign.milestones[1]
    path = f"/campaigns/{campaign.id}/milestones/{milestone.id}.ics"
    before = download(client, path)
    same_event(before, events(fetch(token))[str(milestone.uuid)])
    assert before.decoded("DTSTART") == milestone.due_date

    new_date = milestone.due_date + timedelta(days=14)
    roadmap.replan(people["pm"], campaign, [MilestoneEdit(milestone.id, new_date, milestone.target_value,
                                                          milestone.version)], reason="Customer asked for later")
    db.session.commit()
    after = download(client, path)
    fed = events(fetch(token))[str(milestone.uuid)]
    same_event(after, fed)
    assert after.decoded("DTSTART") == new_date
    assert int(after["SEQUENCE"]) == int(fed["SEQUENCE"]) > int(before["SEQUENCE"])


def test_a_task_and_a_promised_date_are_the_feeds_events(campaign, promised, people, login, subscribe, fetch):
    client = login(people["team"])
    mine = events(fetch(subscribe(people["team"])))
    for task in campaign.milestones[0].tasks:
        same_event(download(client, f"/campaigns/{campaign.id}/tasks/{task.id}.ics"), mine[str(task.uuid)])
    calendar = events(fetch(subscribe(people["team"], kind="project", project_id=campaign.id)))
    for commitment in promised.values():
        same_event(download(client, f"/commitments/{commitment.id}.ics"), calendar[str(commitment.uuid)])


def test_a_withdrawn_promise_downloads_cancelled(campaign, promised, people, login):
    commitments.fire(people["sales"], promised["draft"], "withdraw", reason="Customer went elsewhere")
    db.session.commit()
    event = download(login(people["team"]), f"/commitments/{promised['draft'].id}.ics")
    assert str(event["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("who", ["outsider", None])
def test_someone_who_may_not_see_the_record_gets_404(campaign, promised, people, login, client, make_project, who):
    other = make_project(title="Someone else's campaign", state="active")
    asker = login(people[who]) if who else client
    milestone, task = campaign.milestones[0], campaign.milestones[0].tasks[0]
    paths = [f"/campaigns/{campaign.id}/milestones/{milestone.id}.ics",
             f"/campaigns/{campaign.id}/tasks/{task.id}.ics",
             f"/commitments/{promised['signed'].id}.ics"]
    for path in paths:
        response = asker.get(path)
        if who:
            assert response.status_code == 404, path
        else:  # not signed in: to the sign-in page, nothing of the record
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
    member = login(people["team"])
    # Another campaign's id in the URL does not reach this campaign's milestone or task.
    assert member.get(f"/campaigns/{other.id}/milestones/{milestone.id}.ics").status_code == 404
    assert member.get(f"/campaigns/{other.id}/tasks/{task.id}.ics").status_code == 404


def test_icaljs_reads_each_download_as_one_all_day_event(campaign, promised, people, login):
    client = login(people["team"])
    milestone, task = campaign.milestones[0], campaign.milestones[0].tasks[1]
    for path, record, day in ((f"/campaigns/{campaign.id}/milestones/{milestone.id}.ics", milestone, milestone.due_date),
                              (f"/campaigns/{campaign.id}/tasks/{task.id}.ics", task, task.due_date),
                              (f"/commitments/{promised['signed'].id}.ics", promised["signed"],
                               promised["signed"].promised_date)):
        found = by_uid(icaljs(client.get(path).data))
        (event,) = found.values()
        assert event["uid"] == str(record.uuid)
        assert event["dtstart"] == {"value": day.isoformat(), "isDate": True}
        assert event["dtend"] == {"value": (day + timedelta(days=1)).isoformat(), "isDate": True}
        assert event["sequence"] == record.version - 1
        assert event["status"] == "CONFIRMED" and event["attendees"] == []


def test_the_pages_offer_each_date(campaign, promised, people, login):
    client = login(people["team"])
    milestone, task = campaign.milestones[0], campaign.milestones[0].tasks[0]
    roadmap_page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}/milestones/{milestone.id}.ics"' in roadmap_page
    assert f'href="/campaigns/{campaign.id}/tasks/{task.id}.ics"' in roadmap_page
    commitment_page = client.get(f"/commitments/{promised['signed'].id}").get_data(as_text=True)
    assert f'href="/commitments/{promised["signed"].id}.ics" download' in commitment_page
