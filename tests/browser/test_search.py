"""The global search in a real browser: "/" focuses the top bar's box, typing a prefix finds a customer
and a commitment, the results page groups them, and a phone shows the box on a line of its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.commitments.models import Commitment
from app.core import clock
from app.extensions import db
from app.feedback.models import Feedback
from tests.factories import CustomerFactory, RegionFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def globex(people, make_product, make_project):
    product = make_product()
    region = RegionFactory(name="Nordics")
    project = make_project(title="Globex rollout", goal_statement="Move Globex and its plants to the new tier",
                           member_ids=[people["team"].id])
    customer = CustomerFactory(name="Globex Corporation", domain="globex.example", external_id="0015GLOBEX",
                               crm_source="salesforce")
    db.session.add(Commitment(project=project, customer=customer, product=product, region_id=region.id,
                              promise="Single sign-on for every Globex plant before the audit",
                              promised_date=clock.today() + timedelta(days=30), created_by=people["sales"]))
    db.session.add(Feedback(kind="feature_request", title="Globex wants audit exports", region_id=region.id,
                            details="Asked twice in the quarterly review", submitted_by=people["sales"]))
    db.session.commit()
    return customer


def test_slash_focuses_the_box_and_a_prefix_finds_every_kind(page: Page, live_server, people, globex, sign_in,
                                                             screenshot):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, people["sales"])
    box = page.locator("#topbar-search")
    expect(box).to_be_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 70  # the bar still on one line
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # the "/" was the shortcut, not typed
    page.keyboard.type("glob")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/search?q=glob")
    expect(page.locator("#group-customers")).to_contain_text("Customers (1)")
    expect(page.locator(".search-hit mark").first).to_have_text("Globex")
    expect(page.locator("section[aria-labelledby=group-commitments]")).to_contain_text("Globex plant")
    expect(page.locator("section[aria-labelledby=group-feedback]")).to_contain_text("Globex wants audit exports")
    expect(box).to_have_value("glob")
    screenshot(page, "90-search-desktop")

    page.get_by_role("link", name="Globex Corporation", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Globex Corporation")

    # Inside a field "/" is a character, not the shortcut.
    page.goto(f"{live_server}/search?q=plant")
    page.get_by_label("Words").fill("")
    page.get_by_label("Words").press("/")
    expect(page.get_by_label("Words")).to_have_value("/")


def test_on_a_phone_the_box_has_a_line_of_its_own(page: Page, live_server, people, globex, sign_in, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, people["team"])  # a team member: the campaign and its commitment, no customer
    box = page.locator("#topbar-search")
    box.fill('"(globex*')  # quotes and operators are text
    box.press("Enter")
    expect(page.locator("#group-campaigns")).to_be_visible()
    expect(page.locator("#group-customers")).to_have_count(0)
    assert box.bounding_box()["width"] > 300
    screenshot(page, "91-search-phone")
    page.goto(f"{live_server}/search?q=g")
    expect(page.locator(".empty")).to_contain_text("Type at least 2 letters or digits")
    screenshot(page, "92-search-phone-too-short")
