"""The dashboard's cards show the head of each list; My work pages through the whole of it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.core import clock

pytestmark = pytest.mark.browser


def test_a_project_manager_follows_all_n_from_the_dashboard_and_pages_through_my_work(
    page: Page, live_server, people, make_project, sign_in, screenshot
):
    for n in range(12):  # each a month or two in: each has overdue milestones
        make_project(title=f"Campaign {n:02}", state="active", start=clock.today() - timedelta(days=60 + n))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, people["pm"])

    expect(page.locator("#campaigns tbody tr")).to_have_count(10)
    expect(page.locator("#campaigns")).to_contain_text("All 12 open campaigns →")
    overdue_link = page.locator("#overdue").get_by_role("link", name=re.compile(r"^All \d+ overdue milestones →$"))
    total = int(re.search(r"\d+", overdue_link.inner_text()).group())
    screenshot(page, "60-dashboard-bounded")

    overdue_link.click()
    expect(page).to_have_url(f"{live_server}/my-work/overdue")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("Overdue milestones")
    rows = page.locator("#work-overdue tbody tr")
    expect(rows).to_have_count(min(total, 50))
    seen = rows.count()
    screenshot(page, "61-my-work-overdue")
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        expect(page.get_by_role("link", name="← First page")).to_be_visible()
        seen += rows.count()
    assert seen == total

    page.get_by_role("link", name="My open tasks").click()
    expect(page.locator(".empty")).to_have_text("No open tasks assigned to you.")
