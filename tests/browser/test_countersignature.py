"""The countersignature story in a real browser: a promise the company cannot keep is caught by
the product manager, revised by sales, countersigned, and only then may the campaign launch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.core import clock
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser


def test_a_blocked_promise_is_rejected_revised_countersigned_and_the_campaign_launches(
    page: Page, live_server, people, make_project, make_product, sign_in, sign_out, screenshot
):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product(coverage={south: "sellable", north: "not_allowed"})
    project = make_project(title="Northwind Pro rollout", state="planned")
    promised = clock.today() + timedelta(days=45)

    # Sales records a promise to sell in a region where the product may not be sold, and submits it.
    sign_in(page, people["sales"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    page.locator("#commitments").get_by_role("link", name="Record a commitment").click()
    page.locator("#customer").fill("Fjord Energy")
    page.locator("#product_id").select_option(str(product.id))
    page.locator("#region_id").select_option(str(north.id))
    page.locator("#promise").fill("Northwind Pro for 200 seats in Oslo")
    page.locator("#promised_date").fill(promised.isoformat())
    page.locator("#band_id").select_option(str(product.bands[0].id))
    page.locator("#unit_price").fill("85.00")
    page.locator("#quantity").fill("200")
    page.get_by_role("button", name="Record as draft").click()
    expect(page.locator("#checks")).to_contain_text("Northwind Pro in Nordics may not be sold: Not certified")
    # Over a blocker the seller submits only saying why (the product manager reads it in the history).
    page.get_by_label("Justification for overriding the blockers").fill("The customer insists; product to decide")
    page.get_by_role("button", name="Submit despite blockers").click()
    expect(page.locator("h1 .badge").first).to_have_text("Waiting for countersignature")
    commitment_url = page.url
    sign_out(page)

    # The product manager finds it in the queue, sees the blocker and rejects it with a note.
    sign_in(page, people["product"])
    queue = page.locator("#signoff-queue")
    expect(queue).to_contain_text("Fjord Energy")
    expect(queue).to_contain_text("1 blocker")
    queue.get_by_role("link", name="Fjord Energy").click()
    expect(page.locator("#checks")).to_contain_text("may not be sold")
    screenshot(page, "08-signer-sees-blocker")
    page.locator("#reason").fill("Not certified in the Nordics yet: sell it from the Southern Europe entity.")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator("h1 .badge").first).to_have_text("Rejected")
    sign_out(page)

    # Sales reads the answer in the inbox, revises the promise to an allowed region and resubmits.
    sign_in(page, people["sales"])
    expect(page.locator("header .bell .count")).to_have_text("2")  # the rejection, and the campaign planned
    page.locator("header .bell").click()
    page.locator("button.inbox-item", has_text="Pat Product rejected Fjord Energy").click()
    expect(page).to_have_url(commitment_url)
    expect(page.locator("#signoff")).to_contain_text("Not certified in the Nordics yet")
    page.locator("button[data-event=revise]").click()
    page.get_by_role("link", name="Edit terms").click()
    page.locator("#region_id").select_option(str(south.id))
    page.get_by_role("button", name="Save the terms").click()
    expect(page.locator("#checks")).to_contain_text("All checks pass")
    page.locator("button[data-event=submit]").click()
    sign_out(page)

    # The product manager countersigns; before that, the campaign cannot launch.
    sign_in(page, people["pm"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    expect(page.locator("#lifecycle")).to_contain_text("Commitment Fjord Energy: Northwind Pro in Southern Europe")
    sign_out(page)
    sign_in(page, people["product"])
    page.goto(commitment_url)
    page.get_by_role("button", name="Countersign", exact=True).click()
    expect(page.locator("h1 .badge").first).to_have_text("Countersigned")
    screenshot(page, "09-countersigned")
    sign_out(page)

    # The project manager launches the campaign.
    sign_in(page, people["pm"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    page.locator("button[data-event=launch]").click()
    expect(page.locator("h1 > .badge").first).to_have_text("Active")
    screenshot(page, "10-launched-with-commitment")
