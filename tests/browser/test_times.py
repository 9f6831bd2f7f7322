"""Times in the reader's zone, in a real browser: a project manager in Berlin reads the inbox and a
campaign's history in Berlin time (across the 2027 change to summer time), each instant a
``<time>`` carrying the UTC instant, and the zone named once, in the footer."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.notifications import services
from app.notifications.models import NotificationPreference

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_a_berlin_reader_sees_berlin_times_with_the_zone_named_once(
    page: Page, live_server, people, make_project, sign_in, screenshot, clock
):
    pm = people["pm"]
    prefs = NotificationPreference.defaults(pm.id)
    prefs.time_zone = "Europe/Berlin"
    db.session.add(prefs)
    clock.to(datetime(2027, 3, 27, 16, 5))  # Saturday 17:05 CET
    project = make_project(title="Northwind Pro rollout", state="active")
    services.notify([pm], "commitment_submit", "Sam Seller asks for a countersignature", link=f"/campaigns/{project.id}")
    clock.to(datetime(2027, 3, 28, 0, 58))  # 01:58 CET, two minutes before the clocks go forward
    services.notify([pm], "reminder", "“Kick-off workshop” is due in 7 days", link=f"/campaigns/{project.id}")
    clock.to(datetime(2027, 3, 28, 9, 15))  # 11:15 CEST: now
    services.notify([pm], "commitment_approve", "Pat Product countersigned Acme Retail", link=f"/campaigns/{project.id}")
    db.session.commit()

    page.set_viewport_size(DESKTOP)
    sign_in(page, pm)
    page.goto(f"{live_server}/inbox/")
    times = page.locator(".notif-list time, main time")
    expect(page.locator("main")).to_contain_text("just now")
    expect(page.locator('time[datetime="2027-03-28T00:58:00Z"]')).to_have_text("today 01:58")
    expect(page.locator('time[datetime="2027-03-28T00:58:00Z"]')).to_have_attribute(
        "title", "Sun 28 Mar 2027, 01:58 CET (Europe/Berlin)")
    expect(page.locator('time[datetime="2027-03-27T16:05:00Z"]').first).to_have_text("yesterday 17:05")
    expect(page.locator('time[datetime="2027-03-28T09:15:00Z"]')).to_have_attribute(
        "title", "Sun 28 Mar 2027, 11:15 CEST (Europe/Berlin)")
    assert times.count() >= 3
    expect(page.locator("footer")).to_have_text("Countersign · Times in Europe/Berlin")
    assert page.content().count("Times in Europe/Berlin") == 1
    expect(page.locator("main")).not_to_contain_text("UTC")
    screenshot(page, "times-01-inbox-berlin")
    page.set_viewport_size(PHONE)
    screenshot(page, "times-02-inbox-berlin-phone")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server}/campaigns/{project.id}/history")
    history = page.locator("#history")
    expect(history.locator('time[datetime="2027-03-27T16:05:00Z"]').first).to_have_text("yesterday 17:05")
    expect(history.locator("time").first).to_have_attribute("title", "Sat 27 Mar 2027, 17:05 CET (Europe/Berlin)")
    expect(page.locator("main")).not_to_contain_text("UTC")
    expect(page.locator("footer")).to_have_text("Countersign · Times in Europe/Berlin")
    screenshot(page, "times-03-history-berlin")
    page.set_viewport_size(PHONE)
    screenshot(page, "times-04-history-berlin-phone")
