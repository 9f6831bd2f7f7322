"""The commitment form in a real browser: the seller sees the product manager's blockers while typing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.commitments.models import Commitment
from app.core import clock
from app.extensions import db
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser


def test_a_seller_sees_the_blockers_appear_before_saving_at_desktop_and_phone_width(
    page: Page, live_server, people, make_project, make_product, sign_in, screenshot
):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    make_product(coverage={south: "sellable", north: "not_allowed"})
    project = make_project(title="Northwind Pro tier upgrade", state="planned")
    RegionFactory(name="Atlantis")  # not one of the campaign's regions: never offered
    db.session.commit()

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, people["sales"])
    page.goto(f"{live_server}/campaigns/{project.id}/commitments/new")
    region = page.get_by_label("Region", exact=True)
    assert "Atlantis" not in region.inner_text()
    checks = page.locator("#live-checks-result")
    expect(checks).to_have_attribute("aria-live", "polite")

    page.get_by_label("Customer account").fill("Globex Nordic AB")
    page.get_by_label("Product", exact=True).select_option(label="Northwind Pro (available)")
    region.select_option(label="Southern Europe")
    page.get_by_label("What was promised").fill("Single sign-on for 500 seats before the renewal")
    page.get_by_label("Promised for").fill((clock.today() + timedelta(days=90)).isoformat())
    expect(checks).to_contain_text("All checks pass")

    # The customer buys in the Nordics, where Northwind Pro may not be sold: the blocker shows before saving.
    region.select_option(label="Nordics")
    expect(checks.locator(".finding-blocker")).to_contain_text("Northwind Pro in Nordics may not be sold")
    # A date already gone is a blocker too, as the seller types it.
    page.get_by_label("Promised for").fill("2020-01-01")
    expect(checks.locator(".finding-blocker[data-code=date_past]")).to_contain_text(
        "The promised date 01 Jan 2020 is in the past")
    assert db.session.query(Commitment).count() == 0  # nothing was saved by checking
    checks.scroll_into_view_if_needed()
    screenshot(page, "90-commitment-form-live-blocker")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(checks.locator(".finding-blocker").first).to_be_visible()
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"] + 1, widths
    screenshot(page, "91-commitment-form-live-blocker-phone")

    # Saved as a draft, the page puts the blockers beside Submit and asks why before sending it on.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("Promised for").fill((clock.today() + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Record as draft").click()
    expect(page.locator("#submit-blockers")).to_contain_text("1 blocker stands against this promise.")
    page.get_by_role("button", name="Submit despite blockers").click()
    expect(page.locator("body")).to_contain_text("say why it should be submitted anyway")
    screenshot(page, "92-commitment-submit-over-blockers")
    page.get_by_label("Justification for overriding the blockers").fill("Pilot under the regulator's sandbox")
    page.get_by_role("button", name="Submit despite blockers").click()
    expect(page.locator(".flash-success")).to_contain_text("Submitted for countersignature")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "93-commitment-submitted-phone")
