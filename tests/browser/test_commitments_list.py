"""/commitments in a real browser: a product manager answers "which promises on Northwind Pro are at risk?"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.commitments import services
from app.commitments.services import CommitmentInput
from app.core import clock
from app.extensions import db
from tests.factories import RegionFactory
from workflows.commitment import CommitmentState

pytestmark = pytest.mark.browser


def test_a_product_manager_filters_the_promises_on_their_product_at_desktop_and_phone_width(
    page: Page, live_server, people, make_project, make_product, sign_in, sign_out, screenshot
):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    northwind = make_product(coverage={south: "sellable", north: "sellable"})
    edge = make_product(name="Contoso Edge", coverage={south: "sellable"})
    a = make_project(title="Northwind Pro tier upgrade", state="planned")
    b = make_project(title="Nordic pursuit", state="planned", owner=people["sales2"], product_manager_ids=[],
                     member_ids=[])
    rows = [(a, people["sales"], "Globex Corporation", northwind, south, 20, CommitmentState.AT_RISK),
            (a, people["sales"], "Acme GmbH", northwind, south, 45, CommitmentState.APPROVED),
            (a, people["sales"], "Initech", edge, south, 60, None),
            (b, people["sales2"], "Globex Nordic AB", northwind, north, 35, CommitmentState.AT_RISK),
            (b, people["sales2"], "Umbrella Oy", northwind, north, 90, CommitmentState.PENDING_SIGNOFF)]
    for project, seller, customer, product, region, days, state in rows:
        commitment = services.create_commitment(seller, project, CommitmentInput(
            customer=customer, product_id=product.id, region_id=region.id,
            promise=f"Single sign-on and the audit log for {customer}'s 500 seats",
            promised_date=clock.today() + timedelta(days=days)))
        if state is not None:
            commitment.state = state
    db.session.commit()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, people["product"])
    page.locator("header.topbar").get_by_role("link", name="Commitments").click()
    expect(page).to_have_url(f"{live_server}/commitments")
    expect(page.locator(".commitments-table tbody tr")).to_have_count(5)
    # One more link in the top bar, still one line at a laptop's width (a wrapped bar is ~95 px tall).
    assert page.locator("header.topbar").bounding_box()["height"] < 70

    page.get_by_role("link", name="My products' promises").click()
    page.get_by_label("Product").select_option(label="Northwind Pro")
    page.get_by_label("At risk only").check()
    page.get_by_role("button", name="Filter").click()
    table = page.locator(".commitments-table tbody tr")
    expect(table).to_have_count(2)
    expect(table.first).to_contain_text("Globex Corporation")
    expect(table.nth(1)).to_contain_text("Globex Nordic AB")
    # Pat is not on the Nordic pursuit: its title, not a link he could not open.
    expect(table.nth(1).get_by_role("link", name="Nordic pursuit")).to_have_count(0)
    expect(page.locator(".card-header")).to_contain_text("2 in total")
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    screenshot(page, "70-commitments-filtered")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(table.first.locator("td[data-label=State]")).to_be_visible()
    screenshot(page, "71-commitments-filtered-phone")

    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"] + 1, widths  # nothing sticks out sideways on a phone

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Promised from").fill("2030-01-01")
    page.get_by_label("Promised to").fill("2029-01-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_contain_text("Promised to: The end of the range must be on or after its start.")

    # The catalog counts the open promises per product, each count a link to that filtered list.
    page.locator("header.topbar").get_by_role("link", name="Catalog").click()
    counts = page.locator(f"#product-{northwind.id} .catalog-promises")
    expect(counts).to_contain_text("At risk 2")
    screenshot(page, "72-catalog-promise-counts")
    counts.get_by_text("At risk 2").click()
    expect(page.locator(".commitments-table tbody tr")).to_have_count(2)

    sign_out(page)
    sign_in(page, people["admin"])  # the admins' menu too: still one line
    assert page.locator("header.topbar").bounding_box()["height"] < 70
