"""Smaller real-browser checks: a refused transition, 404 for outsiders, the phone layout,
the admin's users page and API-token creation."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from app.core import clock
from app.extensions import db
from app.milestones import services as milestones
from app.projects import services as projects

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_refused_transition_says_why_once_and_cannot_be_pressed(
    page: Page, live_server, people, make_project, sign_in
):
    project = make_project(title="Blank draft", template=None)  # a draft without milestones
    url = f"{live_server}/campaigns/{project.id}"
    sign_in(page, people["sales"])
    page.goto(url)

    lifecycle = page.locator("#lifecycle")
    submit = lifecycle.locator("button[data-event=submit]")
    expect(submit).to_have_attribute("aria-disabled", "true")
    expect(submit).not_to_have_attribute("title", re.compile(".+"))
    why = f"why-submit-campaigns-{project.id}-transition"
    expect(submit).to_have_attribute("aria-describedby", why)
    warning = lifecycle.locator(f"#{why}")
    expect(warning).to_contain_text("Submit for planning is not possible yet:")
    expect(warning.locator("ul.reasons li")).to_have_text(["Add at least one milestone."])
    expect(submit).to_have_accessible_description(re.compile("Add at least one milestone."))

    submit.focus()
    page.keyboard.press("Enter")  # pressing it anyway: nothing to post, nothing said a second time

    expect(page).to_have_url(url)
    expect(page.locator(".flashes .flash-error")).to_have_count(0)
    expect(page.locator("main").get_by_text("Add at least one milestone.")).to_have_count(1)
    expect(page.locator("h1 > .badge").first).to_have_text("Draft")


def test_an_outsider_opening_another_campaign_gets_the_not_found_page(
    page: Page, live_server, people, make_project, sign_in
):
    project = make_project(title="Secret upgrade")
    sign_in(page, people["outsider"])

    response = page.goto(f"{live_server}/campaigns/{project.id}")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("main")).to_contain_text("There is nothing here, or it is not shared with you.")
    expect(page.locator("main")).not_to_contain_text("Secret upgrade")
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("#campaigns")).not_to_contain_text("Secret upgrade")


@pytest.mark.parametrize(
    "with_reports",
    [
        pytest.param(False, id="fresh"),
        pytest.param(True, id="with-actual-and-spend"),
    ],
)
def test_the_campaign_page_fits_a_phone_screen(
    page: Page, live_server, people, make_project, sign_in, screenshot, with_reports
):
    project = make_project(title="Northwind Pro tier upgrade across Southern Europe", state="active")
    pm = people["pm"]
    milestones.create_task(
        pm,
        project.milestones[0],
        milestones.TaskInput(title="Draft the price band memo", assignee_id=people["team"].id, due_date=None),
    )
    if with_reports:  # each adds a table to the page
        projects.report_actual(pm, project, 12.5, clock.today() - timedelta(days=3), "CRM export")
        projects.record_expense(pm, project, Decimal("1500"), clock.today() - timedelta(days=2), "Email design agency")
    db.session.commit()
    page.set_viewport_size(PHONE)
    sign_in(page, pm)  # the project manager sees every form on the page

    page.goto(f"{live_server}/campaigns/{project.id}")
    expect(page.locator("h1 > .badge").first).to_have_text("Active")
    expect(page.locator("#roadmap li.milestone")).to_have_count(5)
    expect(page.locator("#roadmap")).to_contain_text("Draft the price band memo")
    expect(page.get_by_role("navigation", name="Sections of this campaign")).to_be_visible()
    if with_reports:
        expect(page.locator("#goal table")).to_contain_text("CRM export")
        expect(page.locator("#budget table")).to_contain_text("Email design agency")
        # Stacked rows: no header row, each fact under its own label.
        expect(page.locator("#budget table thead")).to_be_hidden()
        expect(page.locator("#budget td[data-label='What for']")).to_have_text("Email design agency")
        screenshot(page, "06-campaign-phone")

    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["viewport"] == PHONE["width"]
    assert widths["scroll"] <= widths["viewport"] + 1, widths


def test_admin_sees_the_users_and_creates_an_api_token_shown_once(page: Page, live_server, people, sign_in, screenshot):
    sign_in(page, people["admin"])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)

    menu = page.locator("nav.nav details.nav-menu")
    menu.get_by_text("Admin", exact=True).click()  # the admins' pages share one menu
    expect(menu.get_by_role("link", name="Users")).to_be_visible()
    page.locator("main").click(position={"x": 5, "y": 5})  # a click elsewhere closes it
    expect(menu.get_by_role("link", name="Users")).to_be_hidden()
    page.keyboard.press("Escape")
    menu.get_by_text("Admin", exact=True).click()
    screenshot(page, "03-admin-menu")
    menu.get_by_role("link", name="Users").click()
    expect(page).to_have_url(f"{live_server}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(len(people))
    expect(rows.filter(has_text="Priya Planner")).to_contain_text("Project manager")
    expect(rows.filter(has_text="Ada Admin").locator(".badge-active")).to_have_text("Active")

    page.locator("header.topbar").get_by_role("link", name="Settings").click()
    expect(page).to_have_url(f"{live_server}/settings")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("You have no API tokens yet.")
    page.locator("#name").fill("Reporting script")
    page.get_by_role("button", name="Create token").click()

    token_input = page.locator("#new-token")
    expect(token_input).to_be_visible()
    expect(token_input).to_have_attribute("readonly", "")
    token = token_input.input_value()
    assert len(token) > 40, token
    copy = page.locator("#copy-token")
    expect(copy).to_have_text("Copy")
    expect(page.locator("#name")).to_have_value("")  # the form is reset for the next token
    listed = page.locator("table.table tbody tr").filter(has_text="Reporting script")
    expect(listed).to_have_count(1)
    expect(listed.locator("td.mono")).to_have_text(f"{token[:8]}…")
    expect(listed.locator(".badge-active")).to_have_text("Active")
    screenshot(page, "07-settings-token")

    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == token

    page.goto(f"{live_server}/settings")  # shown once: not on the next visit
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(token)
    expect(page.locator("table.table tbody tr").filter(has_text="Reporting script")).to_have_count(1)
