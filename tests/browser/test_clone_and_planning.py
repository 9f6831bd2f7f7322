"""Cloning a campaign from its page, and the project manager's *waiting to be planned* card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.core import clock
from app.extensions import db
from app.projects import services as projects

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_a_sales_manager_clones_a_campaign_from_its_page(page: Page, live_server, people, make_project, sign_in,
                                                         screenshot, screenshot_dir, size):
    source = make_project(title="Spring upgrade", state="active")
    projects.report_actual(people["pm"], source, 2.5, clock.today())
    db.session.commit()
    page.set_viewport_size(SIZES[size])
    sign_in(page, people["sales"])
    page.goto(f"{live_server}/campaigns/{source.id}")
    expect(page.locator(".goal-figures")).to_contain_text("Actual 2.5% · target 50%")
    expect(page.locator(".stats")).to_contain_text("5% of the way to target")
    screenshot(page, f"90-goal-card-{size}")
    page.locator(".stats").screenshot(path=screenshot_dir / f"90-goal-card-{size}-close.png")

    page.get_by_role("link", name="Clone…").click()
    expect(page.get_by_role("heading", name="Clone campaign")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Copy of Spring upgrade")
    start = clock.today() + timedelta(days=14)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill((start + (source.end_date - source.start_date)).isoformat())
    screenshot(page, f"91-clone-form-{size}")
    page.get_by_role("button", name="Create the copy").click()

    expect(page.locator(".flash-success")).to_contain_text("created as a draft, with 5 milestones")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Copy of Spring upgrade")
    expect(page.locator("#goal")).to_contain_text("Customers on the new tier")
    screenshot(page, f"92-clone-created-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_project_manager_sees_what_waits_to_be_planned_and_plans_it(page: Page, live_server, people,
                                                                         make_project, sign_in, screenshot, size, clock):
    make_project(title="Autumn pursuit", state="proposed")
    clock.advance(days=4)
    make_project(title="Winter quota push", template="quota_push", state="proposed")
    clock.advance(hours=3)
    page.set_viewport_size(SIZES[size])
    sign_in(page, people["pm"])

    card = page.locator("#to-plan")
    expect(card.get_by_role("heading", name="Waiting to be planned")).to_be_visible()
    rows = card.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Autumn pursuit")
    expect(rows.first).to_contain_text("4 days")
    expect(rows.first).to_contain_text(people["sales"].name)
    screenshot(page, f"93-waiting-to-be-planned-{size}")

    rows.first.get_by_role("link", name="Plan").click()
    expect(page.locator("#lifecycle")).to_be_visible()
    page.locator("#lifecycle").get_by_role("button", name="Plan").click()
    expect(page.locator(".flash-success")).to_contain_text("Campaign is now planned")
