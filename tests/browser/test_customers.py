"""Customers in a real browser: a sales manager finds a customer in the list, reads its page, and merges the
duplicate a seller typed in by hand into it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.commitments import services
from app.commitments.services import CommitmentInput
from app.core import clock
from app.customers import services as customers
from app.extensions import db
from app.feedback import services as feedback
from tests.factories import RegionFactory
from workflows.commitment import CommitmentState

pytestmark = pytest.mark.browser


def test_a_sales_manager_finds_a_customer_reads_its_page_and_merges_a_duplicate(
    page: Page, live_server, people, make_project, make_product, sign_in, screenshot
):
    south = RegionFactory(name="Southern Europe")
    northwind = make_product(coverage={south: "sellable"})
    project = make_project(title="Northwind Pro tier upgrade", state="planned", region_ids=[south.id])
    globex, _, _ = customers.upsert_external("salesforce", "0015g00000GLOBEX", {
        "name": "Globex Corporation", "region_id": south.id, "owner_id": people["sales"].id,
        "domain": "globex.example"}, actor=people["admin"])
    customers.upsert_external("hubspot", "9001", {"name": "Acme Retail", "region_id": south.id},
                              actor=people["admin"])
    for customer, days, state in (("Globex Corporation", 30, CommitmentState.APPROVED),
                                  ("Globex Corporation", 75, CommitmentState.AT_RISK),
                                  ("Globex UK", 50, CommitmentState.PENDING_SIGNOFF),
                                  ("Acme Retail", 40, None)):
        commitment = services.create_commitment(people["sales"], project, CommitmentInput(
            customer=customer, product_id=northwind.id, region_id=south.id,
            promise=f"Pro tier for {customer}'s 300 seats", promised_date=clock.today() + timedelta(days=days)))
        if state is not None:
            commitment.state = state
    feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="feature_request", title="SAML single sign-on", region_id=south.id, product_ids=[northwind.id],
        customer="Globex UK"))
    db.session.commit()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, people["sales"])
    page.locator("header.topbar").get_by_role("link", name="Customers").click()
    expect(page).to_have_url(f"{live_server}/customers")
    screenshot(page, "80-customers-list")
    assert page.locator("header.topbar").bounding_box()["height"] < 70  # the bar still on one line
    rows = page.locator(".customers-table tbody tr")
    expect(rows).to_have_count(3)
    globex_row = page.locator(f"#customer-{globex.id}")
    expect(globex_row).to_contain_text("1 at risk")
    expect(globex_row).to_contain_text("2 countersigned")
    screenshot(page, "80-customers-list")

    page.get_by_label("Search").fill("globex")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    globex_row.get_by_role("link", name="Globex Corporation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex Corporation")
    expect(page.locator("#commitments tbody tr")).to_have_count(2)
    expect(page.locator("#details")).to_contain_text("globex.example")
    screenshot(page, "81-customer-page")

    page.get_by_role("link", name="Merge a duplicate into it").click()
    page.get_by_label("Search").fill("Globex")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Globex UK").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("1 commitment moves to Globex Corporation")
    expect(preview).to_contain_text("1 feedback item moves to Globex Corporation")
    screenshot(page, "82-customer-merge-preview")
    page.get_by_role("button", name="Merge Globex UK into Globex Corporation").click()

    expect(page.locator(".flash-success")).to_contain_text("Globex UK merged into Globex Corporation")
    expect(page.locator("#commitments tbody tr")).to_have_count(3)
    expect(page.locator("#feedback")).to_contain_text("SAML single sign-on")
    expect(page.locator("#history")).to_contain_text("Merged Globex UK into Globex Corporation")
    screenshot(page, "83-customer-after-merge")

    page.get_by_role("link", name="See all →").first.click()
    expect(page.locator(".commitments-table tbody tr")).to_have_count(3)
    expect(page.locator(".filter-chip")).to_contain_text("Globex Corporation")
    screenshot(page, "84-commitments-of-a-customer")

    # Recording a promise: the customer field suggests the records as one types.
    page.goto(f"{live_server}/campaigns/{project.id}/commitments/new")
    page.get_by_label("Customer account").press_sequentially("glob", delay=30)
    expect(page.locator("#customer-suggestions option")).to_have_count(1)
    assert page.locator("#customer-suggestions option").first.get_attribute("value") == "Globex Corporation"
    expect(page.get_by_text("a new customer is recorded on save")).to_be_visible()
    screenshot(page, "86-commitment-form-customer-field")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/customers/{globex.id}")
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"] + 1, widths
    screenshot(page, "85-customer-page-phone")
