"""Calendar subscriptions in a real browser: a team member creates a link to a campaign's calendar,
copies it, a calendar client fetches it, a re-plan moves the event, and revoking the link stops it.
An admin sees every link and turns feeds off."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def fetch(url: str) -> tuple[int, bytes]:
    """GET as a calendar client does: no cookies, just the URL."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "Thunderbird"})) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_team_member_subscribes_to_a_campaign_calendar(page: Page, live_server, people, make_project, sign_in,
                                                          screenshot, screenshot_dir):
    project = make_project(title="Northwind Pro upgrade", state="active")
    milestone = project.milestones[1]
    db.session.commit()

    page.set_viewport_size(DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    sign_in(page, people["team"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    page.locator(".page-header").screenshot(path=str(screenshot_dir / "29-campaign-subscribe.png"))
    page.get_by_role("link", name="Subscribe to calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar subscriptions")
    expect(page.get_by_label("Campaign calendar")).to_be_checked()
    expect(page.locator("#project_id")).to_have_value(str(project.id))
    expect(page.locator("#only_mine")).to_be_hidden()  # only for "My calendar"

    page.get_by_label("My calendar").check()
    expect(page.locator("#project_id")).to_be_hidden()
    expect(page.locator("#only_mine")).to_be_visible()
    page.get_by_label("Campaign calendar").check()
    page.locator("#name").fill("Work phone")
    page.locator("#alarm_minutes").select_option(label="The day before, at 9:00")
    screenshot(page, "30-calendar-new-link")
    page.get_by_role("button", name="Create link").click()

    created = page.locator(".cal-created")
    expect(created).to_contain_text("“Work phone” is ready")
    expect(created).to_contain_text("shown only this once")
    https = page.locator("#cal-url-https").input_value()
    assert https.startswith(f"{live_server}/calendars/v1/") and https.endswith(".ics")
    expect(page.locator("#cal-url-webcal")).to_have_value("webcal://" + https.split("://", 1)[1])
    created.get_by_role("button", name="Copy").first.click()
    expect(created.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == https
    expect(page.locator(".cal-table")).to_contain_text("Work phone")
    screenshot(page, "31-calendar-link-created")

    status, body = fetch(https)
    assert status == 200
    calendar = icalendar.Calendar.from_ical(body)
    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    event = by_uid[str(milestone.uuid)]
    assert event.decoded("DTSTART") == milestone.due_date
    assert event.walk("VALARM")[0].decoded("TRIGGER") == timedelta(hours=-15)

    # The project manager re-plans: the same event moves, nothing is duplicated.
    moved_to = milestone.due_date + timedelta(days=14)
    roadmap.replan(people["pm"], project, [MilestoneEdit(milestone.id, moved_to, milestone.target_value,
                                                         milestone.version)], reason="Customer asked for later")
    db.session.commit()
    status, body = fetch(https)
    again = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert set(again) == set(by_uid)
    assert again[str(milestone.uuid)].decoded("DTSTART") == moved_to
    assert int(again[str(milestone.uuid)]["SEQUENCE"]) > int(event["SEQUENCE"])

    # Reloading never shows the link again; revoking it stops the feed.
    page.goto(f"{live_server}/settings/calendars")
    expect(page.locator(".cal-created")).to_have_count(0)
    expect(page.locator(".cal-table")).to_contain_text("Last fetched")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".cal-table").get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash-success")).to_contain_text("Link revoked")
    expect(page.locator(".cal-table")).to_contain_text("Revoked")
    assert fetch(https)[0] == 404
    screenshot(page, "32-calendar-links")

    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "33-calendar-links-phone")


def test_an_admin_sees_every_link_and_turns_feeds_off(page: Page, live_server, people, make_project, sign_in,
                                                     screenshot):
    from app.calendars import services
    from app.calendars.services import FeedInput

    project = make_project(title="Northwind Pro upgrade", state="active")
    services.create_feed(people["team"], FeedInput(name="Tara phone", kind="mine"))
    _, token = services.create_feed(people["pm"], FeedInput(name="Outlook", kind="project", project_id=project.id))
    db.session.commit()
    url = f"{live_server}/calendars/v1/{token}.ics"
    assert fetch(url)[0] == 200

    page.set_viewport_size(DESKTOP)
    sign_in(page, people["admin"])
    page.locator("header.topbar details.nav-menu > summary").click()  # the admins' menu
    page.locator("header.topbar").get_by_role("link", name="Calendars").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar feeds")
    expect(page.locator(".cal-table")).to_contain_text("Tara phone")
    expect(page.locator(".cal-table")).to_contain_text("Priya Planner")
    screenshot(page, "34-calendar-admin")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Turn feeds off").click()
    expect(page.locator(".flash-success")).to_contain_text("Calendar feeds are off")
    expect(page.get_by_role("heading", name="Feeds are off for everyone")).to_be_visible()
    assert fetch(url)[0] == 404
    screenshot(page, "35-calendar-admin-off")
    page.get_by_role("button", name="Turn feeds on").click()
    expect(page.get_by_role("heading", name="Feeds are on")).to_be_visible()
    assert fetch(url)[0] == 200
