"""The README's tour, photographed: four pages of the demo data as the people who use them see them.

Each run writes the pictures (first screens, 1280 wide and a 390 phone) to
test-artifacts/screenshots/tour-*.png; ``make tour`` runs this
file and copies them to docs/tour/, where the README shows them. The test checks what each
picture must show, so a tour picture never shows an error page or an empty demo.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.demo.services import load_demo
from app.extensions import db

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(app, clock):
    clock.to(datetime(2026, 12, 7, 10, 0))  # a Monday morning: the pictures are the same every run
    load_demo(clock.today())
    db.session.commit()


def campaign_url(page: Page, title: str) -> str:
    link = page.locator("main").get_by_role("link", name=title, exact=True).first
    href = link.get_attribute("href")
    assert href is not None
    return href


def shot(page: Page, directory: Path, name: str) -> None:
    """The first screen only, as a person sees the page on opening it (a README picture, not a scroll)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(directory / f"{name}.png"))


def test_the_tour_pictures(page: Page, live_server, demo, screenshot_dir, sign_in_demo):
    page.set_viewport_size(DESKTOP)
    sign_in_demo(page, "pm@example.com")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    shot(page, screenshot_dir, "tour-1-dashboard")

    page.goto(f"{live_server}/campaigns")
    page.goto(live_server + campaign_url(page, "Northwind Pro tier upgrade"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northwind Pro tier upgrade")
    expect(page.locator("svg").first).to_be_visible()
    shot(page, screenshot_dir, "tour-2-campaign")

    sign_in_demo(page, "product@example.com")
    page.locator("main").get_by_role("link", name="Globex Ltd").first.click()  # on the countersign queue
    expect(page.get_by_role("heading", level=1)).to_contain_text("Globex Ltd")
    expect(page.locator("main")).to_contain_text("Countersign")
    shot(page, screenshot_dir, "tour-3-countersign")

    page.set_viewport_size(PHONE)
    sign_in_demo(page, "sales@example.com")
    page.goto(f"{live_server}/campaigns")
    page.goto(live_server + campaign_url(page, "Northwind Pro tier upgrade"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northwind Pro tier upgrade")
    shot(page, screenshot_dir, "tour-4-phone")
