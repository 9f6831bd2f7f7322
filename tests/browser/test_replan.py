"""Re-planning an active campaign in a real browser: the project manager sees, before saving,
which countersigned promise the move would break; saved, the promise is at risk, and the
timeline shows the plan against baseline #1."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from app.commitments import services as commitments
from app.commitments.services import CommitmentInput
from app.extensions import db
from app.projects.services import fire_transition
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser


def test_a_replan_warns_before_saving_and_the_timeline_shows_the_slip(
    page: Page, live_server, people, make_project, make_product, sign_in, screenshot
):
    south = RegionFactory(name="Southern Europe")
    product = make_product(coverage={south: "sellable"})
    project = make_project(title="Northwind Pro rollout", state="planned")
    milestone = project.milestones[1]  # "12-week email series launched"
    promise = commitments.create_commitment(people["sales"], project, CommitmentInput(
        customer="Acme Retail", product_id=product.id, region_id=south.id, promise="Pro tier for 300 seats",
        promised_date=milestone.due_date + timedelta(days=5), unit_price=Decimal("90"), quantity=300,
        band_id=product.bands[0].id, milestone_id=milestone.id,
    ))
    commitments.fire(people["sales"], promise, "submit")
    commitments.fire(people["product"], promise, "approve")
    fire_transition(people["pm"], project, "launch")
    db.session.commit()
    later = milestone.due_date + timedelta(days=20)

    sign_in(page, people["pm"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    page.locator("#roadmap").get_by_role("link", name="Re-plan").click()
    page.locator(f"#due_{milestone.id}").fill(later.isoformat())
    page.locator("#reason").fill("The email agency needs three more weeks")
    page.get_by_role("button", name="Check what this puts at risk").click()
    expect(page.locator("#at-risk")).to_contain_text("Acme Retail")
    screenshot(page, "11-replan-warning")
    page.get_by_role("button", name="Save re-plan").click()

    expect(page.locator(".flash").first).to_contain_text("Acme Retail")
    timeline = page.locator("#timeline")
    expect(timeline.locator("svg:visible")).to_have_count(1)  # the wide drawing, or a phone's
    expect(timeline).to_contain_text("+20")
    expect(timeline).to_contain_text("#1 Plan of record")
    screenshot(page, "12-timeline-after-replan")
    page.locator("#commitments").get_by_role("link", name="Acme Retail").click()
    expect(page.locator("#at-risk")).to_contain_text("after the")
    expect(page.locator("h1 .badge").first).to_have_text("At risk")
