"""The published catalog in a real browser: an admin makes a publishing token and copies it, a seller
opens a product's sales sheet from the catalog and prints it (A4, no navigation), an intranet link
with ``?token=`` shows the same sheet, and the token is revoked."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.catalog import services as catalog
from app.catalog.models import MarketCoverage, Product
from app.extensions import db
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
A4 = {"width": 718, "height": 1032}  # 210 × 297 mm at 96 dpi, less the page's 14 mm margins


def fetch(url: str, token: str) -> tuple[int, bytes]:
    """GET as a CRM's server does: the token in the header, no cookies."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def product(people, make_product):
    regions = {RegionFactory(name=name): state for name, state in (
        ("Southern Europe", "sellable"), ("Nordics", "not_allowed"), ("DACH", "sellable"), ("Eastern Europe", "planned"))}
    RegionFactory(name="Benelux")
    pro = make_product(coverage=regions, band=("Team", "12.00", "9.50"))
    keeper = people["product"]
    catalog.update_product(keeper, pro, catalog.ProductInput(
        name="Northwind Pro", status="available", owner_ids=[keeper.id],
        summary="The collaboration suite mid-sized companies outgrow nothing in: one place for projects, "
                "documents and chat, hosted in the EU.",
        key_traits="Single sign-on with every major identity provider\nAudit log kept for seven years\n"
                   "Hosted in Frankfurt and Dublin\n99.95% uptime, credited when missed",
        differences="Half the price of the market leader per seat\nNo extra charge for guests\n"
                    "Migration from the leader's export in a day, done by us"), pro.version)
    catalog.save_band(keeper, pro, None, "Business", Decimal("24.00"), Decimal("19.00"), "per seat / month")
    catalog.save_band(keeper, pro, None, "Enterprise", Decimal("39.00"), Decimal("31.20"), "per seat / month")
    catalog.add_link(keeper, pro, "Sales deck", "https://example.com/northwind/sales-deck.pdf")
    catalog.add_link(keeper, pro, "Security whitepaper", "https://example.com/northwind/security.pdf")
    db.session.commit()
    return pro


def test_an_admin_publishes_and_a_seller_prints_the_sales_sheet(page: Page, live_server, people, product, sign_in,
                                                               sign_out, screenshot, screenshot_dir):
    page.set_viewport_size(DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    sign_in(page, people["admin"])
    page.locator("summary", has_text="Admin").click()
    page.get_by_role("link", name="Published catalog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Published catalog")
    page.get_by_label("Who reads with it").fill("Intranet")
    page.get_by_role("button", name="Make token").click()
    created = page.locator(".cal-created")
    expect(created).to_contain_text("“Intranet” can read the catalog")
    token = page.locator("#new-publishing-token").input_value()
    assert token.startswith("cspub_")
    created.get_by_role("button", name="Copy").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == token
    screenshot(page, "73-published-catalog-token")

    status, body = fetch(f"{live_server}/api/v1/published/catalog", token)
    assert status == 200
    assert json.loads(body)["items"][0]["name"] == "Northwind Pro"
    sign_out(page)

    sign_in(page, people["sales"])
    page.goto(f"{live_server}/catalog/")
    page.locator(f"#product-{product.id}").get_by_role("link", name="Sales sheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Pro")
    expect(page.locator(".regions")).to_contain_text("Not certified under local rules")
    expect(page.locator(".sheet-toolbar")).to_be_visible()
    screenshot(page, "74-sales-sheet-screen")

    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    expect(page.locator(".sheet-toolbar")).to_be_hidden()
    screenshot(page, "75-sales-sheet-print")
    pdf = screenshot_dir / "75-sales-sheet.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())) == 1  # one A4 page
    page.emulate_media(media="screen")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="← Catalog").click()
    sign_out(page)

    # The intranet's link: no session, the token in the query; the same sheet.
    page.goto(f"{live_server}/published/products/{product.id}/sheet?token={token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Pro")
    expect(page.locator(".sheet-toolbar")).to_contain_text("Countersign catalog")

    sign_in(page, people["admin"])
    page.goto(f"{live_server}/admin/publishing")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".flash")).to_contain_text("is revoked")
    expect(page.locator(".publishing-table")).to_contain_text("Revoked")
    screenshot(page, "76-published-catalog-revoked")
    assert fetch(f"{live_server}/api/v1/published/catalog", token)[0] == 401


def test_a_sheet_of_long_odd_text_stays_on_the_page(page: Page, live_server, people, make_product, sign_in,
                                                    screenshot):
    odd = make_product(name="Ödd ✓ 製品 " + "W" * 80, status="retired", band=None)
    region = RegionFactory(name="Région ✓ " + "x" * 60)
    db.session.execute(sa.update(Product).where(Product.id == odd.id).values(
        summary="Ü" * 290, key_traits="\n".join(["https://example.com/" + "a" * 200, *(["long " * 40] * 5)]),
        differences=""))
    db.session.add(MarketCoverage(product_id=odd.id, region_id=region.id, status="not_allowed", reason="Ω" * 300))
    db.session.commit()

    page.set_viewport_size(DESKTOP)
    sign_in(page, people["sales"])
    page.goto(f"{live_server}/catalog/{odd.id}/sales-sheet")
    expect(page.locator(".sheet-notice")).to_contain_text("Retired")
    expect(page.locator(".sheet")).to_contain_text("None recorded yet.")
    expect(page.locator(".sheet")).to_contain_text("No price bands yet")
    sheet_fits = "document.querySelector('.sheet').scrollWidth <= document.querySelector('.sheet').clientWidth"
    assert page.evaluate(sheet_fits)
    screenshot(page, "77-sales-sheet-long-text")
    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    assert page.evaluate(sheet_fits)
    screenshot(page, "78-sales-sheet-long-text-print")
