"""The main pages on a 390×844 phone: nothing wider than the screen, list tables as stacked rows
whose every fact says what it is, the campaign page's section bar reaching the roadmap in one tap,
and, at a desktop's 1280, the same tables with their column headers. Each phone page is
screenshotted (test-artifacts/screenshots/phone-*.png) to be looked at."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.accounts import services as accounts
from app.accounts.models import User
from app.briefings.models import Briefing
from app.commitments import services as commitments
from app.commitments.services import CommitmentInput
from app.core import clock
from app.extensions import db
from app.feedback import services as feedback
from app.feedback.services import FeedbackInput
from app.projects import services as projects
from app.projects.models import Project
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

#: The document, and every table or chart inside a card, against the width they may take.
OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('.card table, .card .chart svg, .card .table-wrap')]
    .filter(el => el.getClientRects().length > 0)
    .map(el => ({el, card: el.closest('.card')}))
    .filter(({el, card}) => el.getBoundingClientRect().right > card.getBoundingClientRect().right + 1
                            || el.scrollWidth > el.clientWidth + 1 && el.classList.contains('table-wrap'))
    .map(({el, card}) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} in ${card.id || card.className}`);
  return {scroll: doc.scrollWidth, viewport: window.innerWidth, wide};
}"""


@pytest.fixture
def world(people: dict[str, User], make_project, make_product) -> dict[str, Any]:
    """A campaign well under way (overdue milestones, an actual, a spend, commitments), feedback,
    briefings, an API token and a second campaign, so that every list on the pages has rows."""
    today = clock.today()
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics and the Baltic states")
    product = make_product(coverage={south: "sellable", north: "sellable"})
    project = make_project(title="Northwind Pro tier upgrade across Southern Europe", state="active",
                           start=today - timedelta(days=150))
    make_project(title="Contoso Edge launch in the Nordics", state="planned")
    pm = people["pm"]
    projects.report_actual(pm, project, 12.5, today - timedelta(days=3), "CRM export")
    projects.record_expense(pm, project, Decimal("1500"), today - timedelta(days=2), "Email design agency")
    for customer, region, days in (("Globex Corporation", south, 40), ("Acme GmbH", south, 75),
                                   ("Umbrella Oy", north, 120)):
        commitments.create_commitment(people["sales"], project, CommitmentInput(
            customer=customer, product_id=product.id, region_id=region.id,
            promise=f"Single sign-on and the audit log for {customer}'s 500 seats",
            promised_date=today + timedelta(days=days)))
    for kind, title in (("feature_request", "Audit log export to the customer's own storage"),
                        ("pricing", "The Pro tier's minimum price loses deals under 50 seats")):
        feedback.file_feedback(people["sales"], FeedbackInput(
            kind=kind, title=title, region_id=south.id, product_ids=[product.id], customer="Globex Corporation",
            revenue_at_stake=Decimal("48000")))
    for region, days in ((north, 10), (south, 100), (south, 200)):
        db.session.add(Briefing(title=f"Northwind Pro for field sales ({days})", region=region,
                                sales_team="Field sales", held_on=today - timedelta(days=days), duration_minutes=90,
                                presenter=people["product"], created_by=people["product"]))
    accounts.issue_token(pm, "Weekly status export to the board's spreadsheet")
    db.session.commit()
    return {"project": project}


def phone_pages(project: Project) -> list[tuple[str, str, str]]:
    """(screenshot name, path, who reads it): the pages people open every day."""
    return [
        ("dashboard", "/", "pm"),
        ("campaigns", "/campaigns", "pm"),
        ("campaign", f"/campaigns/{project.id}", "pm"),
        ("commitments", "/commitments", "pm"),
        ("inbox", "/inbox", "pm"),
        ("settings", "/settings", "pm"),
        ("customers", "/customers", "admin"),
        ("reports", "/reports", "admin"),
        ("feedback", "/feedback", "admin"),
        ("catalog", "/catalog", "admin"),
        ("briefings", "/briefings", "admin"),
        ("users", "/admin/users", "admin"),
    ]


def switch_to(page: Page, user: User, sign_in) -> None:
    page.context.clear_cookies()
    sign_in(page, user)


def test_the_main_pages_fit_a_phone_and_their_tables_stack_into_labelled_rows(
    page: Page, live_server, people, world, sign_in, screenshot
):
    page.set_viewport_size(PHONE)
    reader = None
    for name, path, who in phone_pages(world["project"]):
        if who != reader:
            switch_to(page, people[who], sign_in)
            reader = who
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 200, path
        measured = page.evaluate(OVERFLOW)
        assert measured["viewport"] == PHONE["width"]
        assert measured["scroll"] <= measured["viewport"], (path, measured)
        assert measured["wide"] == [], (path, measured["wide"])
        # Stacked rows: no header row shown; each labelled cell shows its label above its value.
        for table in page.locator("table.stack-sm:visible").all():
            expect(table.locator("thead")).to_be_hidden()
            cell = table.locator("tbody td[data-label]:visible").first
            if cell.count():
                label = cell.get_attribute("data-label")
                shown = cell.evaluate("td => getComputedStyle(td, '::before').content")
                assert shown == f'"{label}"', (path, label, shown)
        screenshot(page, f"phone-{name}")


def test_the_dashboard_shows_campaign_due_date_and_progress_on_a_phone_without_scrolling_sideways(
    page: Page, live_server, people, world, sign_in
):
    page.set_viewport_size(PHONE)
    sign_in(page, people["pm"])

    for card, labels in (("#overdue", ["Campaign", "Was due"]),
                         ("#campaigns", ["State", "Goal progress", "Next deadline"])):
        row = page.locator(f"{card} tbody tr").first
        box = page.locator(card).bounding_box()
        for label in labels:
            cell = row.locator(f"td[data-label='{label}']")
            expect(cell).to_be_visible()
            cell_box = cell.bounding_box()
            assert box is not None and cell_box is not None
            assert box["x"] <= cell_box["x"] and cell_box["x"] + cell_box["width"] <= box["x"] + box["width"] + 1, label
    expect(page.locator("#campaigns tbody tr").first.locator("td.lead-cell")).to_contain_text("Northwind Pro tier upgrade")
    expect(page.locator("#campaigns tbody tr").first.locator(".progress")).to_be_visible()


def test_the_section_bar_reaches_the_roadmap_in_one_tap_and_marks_where_one_is(
    page: Page, live_server, people, world, sign_in, screenshot_dir
):
    page.set_viewport_size(PHONE)
    sign_in(page, people["pm"])
    page.goto(f"{live_server}/campaigns/{world['project'].id}")
    bar = page.get_by_role("navigation", name="Sections of this campaign")
    expect(bar.get_by_role("link")).to_have_text(
        ["Goal", "Budget", "People", "Commitments", "Roadmap", "Timeline", "Comments", "History"])
    for link in bar.get_by_role("link").all():  # every link in view: none hidden off the side
        expect(link).to_be_in_viewport(ratio=1)

    bar.get_by_role("link", name="Roadmap").click()  # one tap

    expect(page).to_have_url(f"{live_server}/campaigns/{world['project'].id}#roadmap")
    heading = page.locator("#roadmap .card-header h2")
    expect(heading).to_be_in_viewport(ratio=1)
    # The bar stays at the top of the screen, over nothing of the roadmap's heading.
    bar_box, heading_box = bar.bounding_box(), heading.bounding_box()
    assert bar_box is not None and heading_box is not None
    assert bar_box["y"] == 0 and heading_box["y"] >= bar_box["height"]
    expect(bar.get_by_role("link", name="Roadmap")).to_have_attribute("aria-current", "location")
    expect(bar.locator("[aria-current]")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "phone-campaign-at-roadmap.png"))  # what the phone's screen shows

    # By keyboard: the links are in the tab order, Enter follows one.
    bar.get_by_role("link", name="Commitments").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/campaigns/{world['project'].id}#commitments")
    expect(page.locator("#commitments .card-header h2")).to_be_in_viewport(ratio=1)
    expect(bar.get_by_role("link", name="Commitments")).to_have_attribute("aria-current", "location")


def test_a_desktop_keeps_the_table_headers_and_the_section_bar_in_the_page(
    page: Page, live_server, people, world, sign_in
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, people["pm"])
    expect(page.locator("#campaigns thead th")).to_have_text(
        ["Campaign", "My role", "State", "Goal progress", "Next deadline"])
    expect(page.locator("#overdue thead")).to_be_visible()
    label = page.locator("#campaigns tbody td[data-label]").first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label in ("none", "normal")  # no label repeated in each cell: the header says it
    page.goto(f"{live_server}/commitments")
    expect(page.locator("table.commitments-table thead th").first).to_be_visible()

    page.goto(f"{live_server}/campaigns/{world['project'].id}")
    bar = page.get_by_role("navigation", name="Sections of this campaign")
    expect(bar).to_be_visible()
    page.get_by_role("heading", name="History").scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None and box["y"] < 0  # on a desktop it stays in the page, under the header
    expect(page.locator("#timeline svg.roadmap-timeline:visible")).to_have_count(1)
    expect(page.locator("#timeline svg.roadmap-timeline-narrow")).to_be_hidden()
