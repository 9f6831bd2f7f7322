"""Sales teams in a real browser: an admin makes a team from the Admin menu, finds sellers and adds them,
places a seller from their user page; a product manager sends an update to the team alone; the report
shows each team's briefing coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.accounts.models import Role
from app.briefings.models import Briefing
from app.core import clock
from app.extensions import db
from app.teams import services as teams
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_an_admin_builds_a_team_and_the_report_shows_its_coverage(
    page: Page, live_server, people, make_product, sign_in, sign_out, screenshot, screenshot_dir
):
    south, dach = RegionFactory(name="Southern Europe"), RegionFactory(name="DACH")
    product = make_product(coverage={south: "sellable", dach: "sellable"})
    reps = [UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name=name)
            for name in ("Luca Bianchi", "Lucia Verdi", "Marta Neri", "Karl Huber", "Greta Vogel")]
    munich = teams.save_team(people["admin"], None, "Munich enterprise team", dach.id)
    teams.add_members(people["admin"], munich, [reps[3].id, reps[4].id])
    for number in range(3):  # teams the list pages past nothing: still one line each
        teams.save_team(people["admin"], None, f"Partner desk {number + 1}", south.id)
    db.session.add(Briefing(title="Pro pricing", region=dach, sales_team="Munich enterprise team",
                            held_on=clock.today() - timedelta(days=10), duration_minutes=60,
                            presenter=people["product"], created_by=people["product"], products=[product],
                            attendees=[reps[3], reps[0]]))
    db.session.commit()
    page.set_viewport_size(DESKTOP)

    # 1. The admin finds Teams in the Admin menu and creates one.
    sign_in(page, people["admin"])
    page.locator("header.topbar summary", has_text="Admin").click()
    page.locator("header.topbar").get_by_role("link", name="Teams").click()
    expect(page).to_have_url(f"{live_server}/admin/teams/")
    page.get_by_label("Name").fill("Milan field sales")
    page.get_by_label("Region").select_option(label="Southern Europe")
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Milan field sales")

    # 2. Finds sellers by name and adds two of them.
    page.get_by_label("Name or email").fill("luc")
    page.get_by_role("button", name="Find sellers").click()
    found = page.locator(".candidates li")
    expect(found).to_have_count(2)
    page.get_by_label("Luca Bianchi").check()
    page.get_by_label("Lucia Verdi").check()
    page.get_by_role("button", name="Add to Milan field sales").click()
    expect(page.locator(".members-table tbody tr")).to_have_count(2)
    screenshot(page, "90-team-members")

    # 3. The list counts the members of each team.
    page.get_by_role("link", name="← All teams").click()
    row = page.locator(".teams-table tbody tr", has_text="Milan field sales")
    expect(row.locator("td").nth(2)).to_have_text("2")
    expect(page.locator(".teams-table tbody tr", has_text="Munich enterprise team").locator("td").nth(2)).to_have_text("2")
    screenshot(page, "91-teams-list")

    # 4. A seller without a team gets a region on their user page.
    page.goto(f"{live_server}/admin/users/{reps[2].id}")
    page.locator("#placement").get_by_label("Region").select_option(label="Southern Europe")
    page.get_by_role("button", name="Save region and team").click()
    expect(page.locator("#placement .card-header")).to_contain_text("In Southern Europe, no team")
    sign_out(page)

    # 5. The product manager sends an update to Milan alone.
    sign_in(page, people["product"])
    page.goto(f"{live_server}/updates/new")
    page.get_by_label("Product").select_option(label="Northwind Pro")
    page.get_by_label("Title").fill("Milan: upgrade offer extended")
    page.get_by_label("Send to a team").select_option(label="Milan field sales (Southern Europe)")
    page.get_by_label("Ask each seller it is sent to").check()
    page.get_by_role("button", name="Publish to sales").click()
    expect(page.locator(".flash-success")).to_contain_text("2 sellers told")
    expect(page.locator("#acknowledgements")).to_contain_text("0 of 2 acknowledged · Milan field sales")
    sign_out(page)

    # 6. The report: Munich half briefed (Karl), Milan half (Luca, briefed in Munich's session), partner desks empty.
    sign_in(page, people["sales"])
    page.locator("header.topbar").get_by_role("link", name="Reports").click()
    coverage = page.locator("#team-coverage")
    coverage.scroll_into_view_if_needed()
    rows = coverage.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.filter(has_text="Milan field sales")).to_contain_text("50%")
    expect(rows.filter(has_text="Munich enterprise team")).to_contain_text("50%")
    expect(rows.filter(has_text="Partner desk 1")).to_contain_text("No sellers")
    screenshot(page, "92-report-team-coverage")

    page.set_viewport_size(PHONE)
    coverage.scroll_into_view_if_needed()
    # The section alone: the whole report at a phone's width is too long a picture to read.
    coverage.screenshot(path=str(screenshot_dir / "93-report-team-coverage-phone.png"))
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"] + 1, widths
