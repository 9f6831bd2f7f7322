"""Notification settings in a real browser: a team member picks a time zone, lead times and a daily
digest, sees them kept, mutes a campaign from its page, works through the inbox, and opens the
one-click link of an email."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.notifications import services
from app.notifications.emails import preferences_token

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_settings_are_kept_a_campaign_is_muted_and_the_inbox_marks_read(
    page: Page, live_server, people, make_project, sign_in, screenshot
):
    team = people["team"]
    project = make_project(title="Northwind Pro rollout", state="active")
    make_project(title="Spring quota push", state="active")
    services.mark_read(team)  # what launching the campaigns told Tara: read already
    services.notify([team], "commitment_approve", "Pat Product countersigned Acme Retail",
                    "Pro tier for 300 seats, by 30 June.", link=f"/campaigns/{project.id}")
    services.notify([team], "reminder", "“Kick-off workshop” is due in 7 days — Northwind Pro rollout",
                    link=f"/campaigns/{project.id}")
    [old] = services.notify([team], "commitment_submit", "Sam Seller asks for a countersignature")
    services.mark_read(team, old.id)
    db.session.commit()

    page.set_viewport_size(DESKTOP)
    sign_in(page, team)
    page.locator("header.topbar").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Notification settings").click()
    expect(page).to_have_url(f"{live_server}/settings/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")

    page.locator("#time_zone").select_option("Europe/Rome")
    page.locator("#lead_days").fill("14, 3, 1")
    page.locator("#email_digest").check()
    page.locator("#reminder_hour").select_option("8")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash-success")).to_contain_text("Notification settings saved.")

    page.reload()
    expect(page.locator("#time_zone")).to_have_value("Europe/Rome")
    expect(page.locator("#lead_days")).to_have_value("14, 3, 1")
    expect(page.locator("#email_digest")).to_be_checked()
    expect(page.locator("#reminder_hour")).to_have_value("8")
    upcoming = page.locator("#upcoming")
    expect(upcoming).to_contain_text("Europe/Rome")
    expect(upcoming.locator(".notif-hour").first).to_have_text("08:00")
    expect(page.locator("#campaigns")).to_contain_text("Spring quota push")
    screenshot(page, "20-notification-settings")
    page.set_viewport_size(PHONE)
    screenshot(page, "21-notification-settings-phone")

    # A bad lead time is refused beside its field, and nothing else is lost.
    page.set_viewport_size(DESKTOP)
    page.locator("#lead_days").fill("14, soon")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field.has-error")).to_contain_text("'soon' is not a number of days")
    expect(page.locator("#time_zone")).to_have_value("Europe/Rome")
    screenshot(page, "22-notification-settings-error")

    # Mute the campaign from its own page.
    page.goto(f"{live_server}/campaigns/{project.id}")
    header = page.locator(".page-header")
    header.get_by_role("button", name="Mute").click()
    expect(page).to_have_url(f"{live_server}/campaigns/{project.id}")
    expect(page.locator(".flash-success")).to_contain_text("“Northwind Pro rollout” is muted")
    expect(header.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "23-campaign-muted")
    page.goto(f"{live_server}/settings/notifications")
    muted_row = page.locator("#campaigns li", has_text="Northwind Pro rollout")
    expect(muted_row.locator(".badge-muted")).to_have_text("Muted")
    expect(page.locator("#campaigns li", has_text="Spring quota push").get_by_role("button", name="Mute")).to_be_visible()

    # The inbox: the count, one marked read, the settings a click away.
    page.locator("header.topbar").get_by_role("link", name=re.compile("Inbox")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2 unread")
    screenshot(page, "24-inbox")
    page.set_viewport_size(PHONE)
    screenshot(page, "25-inbox-phone")
    page.set_viewport_size(DESKTOP)
    page.locator("ul.inbox li", has_text="Pat Product countersigned").get_by_role("button", name=re.compile("Mark")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 unread")
    expect(page.locator("header.topbar .count")).to_have_text("1")
    page.get_by_role("link", name="Notification settings").click()
    expect(page).to_have_url(f"{live_server}/settings/notifications")


def test_the_email_link_stops_one_kind_of_email(page: Page, live_server, people, screenshot):
    token = preferences_token(people["team"].id, "reminders")
    db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/email/preferences/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop emails of reminders for Tara Teammate?")
    screenshot(page, "26-email-preferences")
    page.get_by_role("button", name="Stop emails of reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No more emails of reminders")
    screenshot(page, "27-email-preferences-done")
    db.session.expire_all()
    assert services.preferences_of(people["team"].id).reminders_email is False
