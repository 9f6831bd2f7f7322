"""The main journey in a real browser: a sales manager launches an upgrade campaign from its
template, its project manager plans, re-dates a milestone and launches it, and a team member
finds it on their dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.core import clock
from app.extensions import db
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser

TITLE = "Acme Pro tier upgrade"
TEMPLATE_MILESTONES = [
    "Upgrade offer and price band agreed with product",
    "12-week email series launched",
    "12-week email series completed",
    "First-year checkpoint: 30% of customers upgraded",
    "Campaign goal: 50% of customers upgraded",
]


def fmt(day: date) -> str:
    """A date as the pages show it (app.templating.fmt_date)."""
    return day.strftime("%d %b %Y")


def state_badge(page: Page):
    return page.locator("h1 > .badge").first


def test_sales_manager_launches_a_campaign_that_its_team_then_runs(
    page: Page, live_server, people, sign_in, sign_out, screenshot
):
    region = RegionFactory(name="Southern Europe")
    db.session.commit()
    ids = {key: str(user.id) for key, user in people.items()}
    region_id = str(region.id)
    start = clock.today() + timedelta(days=7)
    end = start + timedelta(days=730)

    # The sales manager launches the campaign from the Upgrade campaign template.
    sign_in(page, people["sales"])
    page.locator("nav.nav").get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    page.get_by_role("link", name="Launch a campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Launch a campaign")
    expect(page.locator("[data-template]")).to_have_count(5)  # four templates and "Start blank"
    screenshot(page, "01-template-chooser")

    page.locator('a[data-template="upgrade_campaign"]').click()
    expect(page).to_have_url(f"{live_server}/campaigns/new/upgrade_campaign")
    expect(page.get_by_role("heading", level=1)).to_have_text("New upgrade campaign")
    expect(page.locator("#goal_metric")).to_have_value("Current customers on the new tier")  # from the template

    page.locator("#title").fill(TITLE)
    page.locator("#start_date").fill(start.isoformat())
    page.locator("#end_date").fill(end.isoformat())
    page.locator("#goal_target").fill("50")
    page.locator("#budget").fill("120000")
    page.locator(f'#region_ids input[value="{region_id}"]').check()
    page.locator("#project_manager_id").select_option(ids["pm"])
    page.locator(f'#product_manager_ids input[value="{ids["product"]}"]').check()
    page.locator(f'#member_ids input[value="{ids["team"]}"]').check()
    screenshot(page, "02-launch-form")
    page.get_by_role("button", name="Create campaign").click()

    # Its draft shows the template's five milestones, dated from the start date.
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/campaigns/\d+$"))
    campaign_url = page.url
    expect(page.locator(".flash-success")).to_contain_text(f"Campaign “{TITLE}” created as a draft.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(state_badge(page)).to_have_text("Draft")
    milestones = page.locator("#roadmap li.milestone")
    expect(milestones.locator(".milestone-title .title")).to_have_text(TEMPLATE_MILESTONES)
    expect(milestones.filter(has_text="12-week email series launched")).to_contain_text(
        f"due {fmt(start + timedelta(weeks=4))}"
    )
    expect(page.locator("#members")).to_contain_text("Tara Teammate")
    screenshot(page, "03-campaign-draft")

    page.locator("button[data-event=submit]").click()
    expect(page.locator(".flash-success")).to_have_text("Campaign is now proposed.")
    expect(state_badge(page)).to_have_text("Proposed")
    sign_out(page)

    # Its project manager plans it, re-dates a milestone and launches it.
    sign_in(page, people["pm"])
    page.locator("#campaigns").get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(campaign_url)
    expect(state_badge(page)).to_have_text("Proposed")
    page.locator("button[data-event=plan]").click()
    expect(page.locator(".flash-success")).to_have_text("Campaign is now planned.")
    expect(state_badge(page)).to_have_text("Planned")

    email_launch = page.locator("#roadmap li.milestone").filter(has_text="12-week email series launched")
    email_launch.locator(".milestone-head").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit milestone")
    expect(page.locator("#title")).to_have_value("12-week email series launched")
    new_due = start + timedelta(weeks=6)
    page.locator("#due_date").fill(new_due.isoformat())
    page.locator("#reason").fill("The email agency starts two weeks later")  # planned: a re-plan needs a reason
    page.get_by_role("button", name="Save milestone").click()

    expect(page).to_have_url(re.compile(re.escape(campaign_url) + r"#milestone-\d+$"))
    expect(page.locator(".flash-success")).to_have_text("Milestone saved.")
    expect(email_launch).to_contain_text(f"due {fmt(new_due)}")
    expect(email_launch).not_to_contain_text(f"due {fmt(start + timedelta(weeks=4))}")
    edit_entry = page.locator("#history li").filter(has_text="Edited milestone “12-week email series launched”")
    expect(edit_entry).to_have_count(1)
    expect(edit_entry).to_contain_text("Priya Planner")
    # The history names the new due date (ISO today; the pages' own format would do as well).
    expect(edit_entry).to_contain_text(re.compile(f"{re.escape(new_due.isoformat())}|{re.escape(fmt(new_due))}"))

    page.locator("button[data-event=launch]").click()
    expect(page.locator(".flash-success")).to_have_text("Campaign is now active.")
    expect(state_badge(page)).to_have_text("Active")
    history = page.locator("#history li")
    expect(history.first).to_contain_text("(Planned → Active)")
    expect(history.filter(has_text="(Proposed → Planned)")).to_have_count(1)
    expect(history.filter(has_text="(Draft → Proposed)")).to_have_count(1)
    screenshot(page, "04-campaign-active")
    sign_out(page)

    # The team member added at launch finds the campaign on their dashboard.
    sign_in(page, people["team"])
    row = page.locator("#campaigns tbody tr").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("Member")
    expect(row.locator(".badge-active")).to_have_text("Active")
    screenshot(page, "05-team-dashboard")
    row.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(campaign_url)
    expect(page.locator("button[data-event]")).to_have_count(0)  # a team member drives no lifecycle
