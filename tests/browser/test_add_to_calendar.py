"""*Add to calendar* in a real browser: a team member downloads one milestone's date from the
campaign's roadmap, at desktop and phone widths, and gets the feeds' own event as an .ics file."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page

from app.extensions import db
from app.milestones import services as milestones
from app.milestones.services import TaskInput

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(("viewport", "shot"), [(DESKTOP, "add-to-calendar-desktop"), (PHONE, "add-to-calendar-phone")])
def test_a_milestone_date_downloads_as_its_feed_event(page: Page, live_server, people, make_project, sign_in,
                                                      screenshot, viewport, shot):
    project = make_project(title="Northwind Pro upgrade", state="active")
    milestone = project.milestones[1]
    milestones.create_task(people["pm"], milestone, TaskInput(title="Book the venue for the launch",
                                                              assignee_id=people["team"].id))
    db.session.commit()

    page.set_viewport_size(viewport)
    sign_in(page, people["team"])
    page.goto(f"{live_server}/campaigns/{project.id}#milestone-{milestone.id}")
    row = page.locator(f"#milestone-{milestone.id}")
    link = row.get_by_role("link", name=f"Add {milestone.title} to calendar")
    link.scroll_into_view_if_needed()
    screenshot(page, shot)
    row.screenshot(path=str(screenshot(page, shot).with_name(f"{shot}-milestone.png")))
    # A task's own date is offered beside it too.
    assert row.get_by_role("link", name="Add task Book the venue for the launch to calendar").is_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(milestone.uuid)
    assert int(event["SEQUENCE"]) == milestone.version - 1
    assert event.decoded("DTSTART") == milestone.due_date
    assert str(event["SUMMARY"]) == f"{milestone.title} · Northwind Pro upgrade"
