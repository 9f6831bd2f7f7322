"""Our feeds read by a real calendar client's parser: Mozilla's ical.js, the one in Thunderbird.

The other calendar tests read the feeds back with Python's ``icalendar``; these hand the same
HTTP responses to ``tests/calendars/icaljs/parse.mjs`` (ical.js, pinned in the package-lock.json
there), which prints what a client sees as JSON. They need Node.js and the npm package installed:
``npm ci --prefix tests/calendars/icaljs`` (scripts/test does it). Without them they fail, saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Task
from app.milestones.services import MilestoneInput
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit
from tests.calendars.helpers import feed_path

ICALJS = Path(__file__).parent / "icaljs"
INSTALL = "npm ci --prefix tests/calendars/icaljs"


def icaljs(feed: bytes) -> dict[str, Any]:
    """What ical.js reads in ``feed``: {name, refreshInterval, properties, events: [...]}."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"Node.js is needed to check the feeds with ical.js: install nodejs and npm, then run {INSTALL} "
                    "(scripts/test does both).", pytrace=False)
    if not (ICALJS / "node_modules" / "ical.js" / "package.json").is_file():
        pytest.fail(f"ical.js is not installed: run {INSTALL} (scripts/test does it).", pytrace=False)
    done = subprocess.run([node, str(ICALJS / "parse.mjs")], input=feed, capture_output=True, timeout=30,
                          check=False)
    assert done.returncode == 0, f"ical.js refused the feed: {done.stderr.decode(errors='replace')}"
    return json.loads(done.stdout)


def by_uid(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    uids = [e["uid"] for e in parsed["events"]]
    assert len(uids) == len(set(uids)), f"duplicate UIDs: {sorted(u for u in uids if uids.count(u) > 1)}"
    return {e["uid"]: e for e in parsed["events"]}


@pytest.fixture
def read(client):
    """``read(token)``: the feed fetched over HTTP as a client would, as ical.js reads it."""

    def get(token: str) -> dict[str, Any]:
        response = client.get(feed_path(token))
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/calendar"
        return icaljs(response.data)

    return get


def test_my_calendar_with_an_alarm_loads_in_icaljs(campaign, people, subscribe, read):
    parsed = read(subscribe(people["team"], name="Phone", alarm_minutes=-15 * 60))
    assert parsed["name"] == "Phone · Countersign"
    assert parsed["refreshInterval"] == "PT1H"
    found = by_uid(parsed)
    tasks = db.session.scalars(sa.select(Task)).all()
    assert len(parsed["events"]) == len(campaign.milestones) + len(tasks)
    assert set(found) == {str(m.uuid) for m in campaign.milestones} | {str(t.uuid) for t in tasks}
    for milestone in campaign.milestones:
        event = found[str(milestone.uuid)]
        assert event["dtstart"] == {"value": milestone.due_date.isoformat(), "isDate": True}
        assert event["dtend"] == {"value": (milestone.due_date + timedelta(days=1)).isoformat(), "isDate": True}
        assert event["summary"] == f"{milestone.title} · Northwind Pro upgrade"
        assert event["url"] == f"http://countersign.test/campaigns/{campaign.id}#milestone-{milestone.id}"
        assert "State: Open" in event["description"] and event["url"] in event["description"]
        assert event["description"].count("\n") >= 3  # one line each: kind, state, owner, link
        assert (event["status"], event["transp"]) == ("CONFIRMED", "TRANSPARENT")
        assert event["sequence"] == milestone.version - 1
    for task in tasks:
        event = found[str(task.uuid)]
        assert event["summary"] == f"Task: {task.title} · Northwind Pro upgrade"
        assert event["dtstart"] == {"value": (task.due_date or task.milestone.due_date).isoformat(), "isDate": True}
    for event in found.values():
        assert event["alarms"] == [{"action": "DISPLAY", "trigger": "-PT15H", "description": event["summary"]}]


def test_a_replan_is_the_same_event_moved_with_a_higher_sequence(campaign, people, subscribe, read):
    token = subscribe(people["team"])
    milestone = campaign.milestones[1]
    before = by_uid(read(token))[str(milestone.uuid)]
    new_date = milestone.due_date + timedelta(days=21)
    roadmap.replan(people["pm"], campaign, [MilestoneEdit(milestone.id, new_date, milestone.target_value,
                                                          milestone.version)], reason="Customer asked for March")
    db.session.commit()
    after = read(token)
    found = by_uid(after)  # fails on any duplicate UID
    assert len(found) == len(after["events"]) == len(campaign.milestones) + len(db.session.scalars(sa.select(Task)).all())
    moved = found[str(milestone.uuid)]
    assert moved["dtstart"] == {"value": new_date.isoformat(), "isDate": True}
    assert moved["dtend"] == {"value": (new_date + timedelta(days=1)).isoformat(), "isDate": True}
    assert moved["sequence"] > before["sequence"]
    assert moved["summary"] == before["summary"]


HOSTILE = ("  Launch, phase 1; \"beta\" C:\\new\\table \\n \\, café 🚀 日本語\r\nATTENDEE:mailto:evil@example.com"
           "\r\nEND:VEVENT\nBEGIN:VEVENT\rUID:forged\x1b[31m\tred\x7f\x85next\u2028line\u2029end  ")
# The writer's rules (app/calendars/ical.py): the title is stripped, each CRLF, LF or lone CR of a
# single-line value becomes a space, other control characters (ESC, TAB, DEL, NEL, U+2028/9) go.
HOSTILE_SEEN = ("Launch, phase 1; \"beta\" C:\\new\\table \\n \\, café 🚀 日本語 ATTENDEE:mailto:evil@example.com"
                " END:VEVENT BEGIN:VEVENT UID:forged[31mrednextlineend")


def test_a_hostile_title_is_one_summary_and_nothing_more(campaign, people, subscribe, read):
    assert len(HOSTILE.strip()) <= 200  # the column's length
    milestone = milestones.create_milestone(people["pm"], campaign, MilestoneInput(
        title=HOSTILE, due_date=campaign.start_date + timedelta(days=100)), reason="Board asked for a launch")
    db.session.commit()
    parsed = read(subscribe(people["team"], name="Phone; work, \\ 📅", alarm_minutes=9 * 60))
    # ical.js gives X-WR-CALNAME no value type (RFC 5545 makes X- properties TEXT by default) and
    # hands it over as written: escaped, on one line, with nothing else in it.
    assert parsed["nameType"] == "unknown"
    assert parsed["name"] == "Phone\\; work\\, \\\\ 📅 · Countersign"
    assert parsed["properties"].count("X-WR-CALNAME") == 1 and parsed["properties"].count("NAME") == 1
    found = by_uid(parsed)
    event = found[str(milestone.uuid)]
    assert event["summary"] == f"{HOSTILE_SEEN} · Northwind Pro upgrade"
    assert event["alarms"] == [{"action": "DISPLAY", "trigger": "PT9H", "description": event["summary"]}]
    assert "forged" not in found
    assert len(found) == len(campaign.milestones) + len(db.session.scalars(sa.select(Task)).all())
    for each in found.values():
        assert each["attendees"] == [] and "ATTENDEE" not in each["properties"]
        assert each["properties"].count("UID") == 1 and each["properties"].count("SUMMARY") == 1
    assert "ATTENDEE" not in parsed["properties"]


def test_a_cancelled_milestone_is_cancelled_in_the_campaign_calendar(campaign, people, subscribe, read):
    cancelled = campaign.milestones[1]
    milestones.fire_milestone_transition(people["pm"], cancelled, "cancel", reason="Dropped by the board")
    db.session.commit()
    found = by_uid(read(subscribe(people["team"], kind="project", project_id=campaign.id)))
    assert found[str(cancelled.uuid)]["status"] == "CANCELLED"
    assert found[str(cancelled.uuid)]["transp"] == "TRANSPARENT"
    others = [m for m in campaign.milestones if m.id != cancelled.id]
    assert {found[str(m.uuid)]["status"] for m in others} == {"CONFIRMED"}
    start, end = found[f"{campaign.uuid}-start"], found[f"{campaign.uuid}-end"]
    assert start["dtstart"] == {"value": campaign.start_date.isoformat(), "isDate": True}
    assert end["dtstart"] == {"value": campaign.end_date.isoformat(), "isDate": True}
    assert start["summary"] == "Start: Northwind Pro upgrade"
