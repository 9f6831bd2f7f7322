"""The sales–product loop in a real browser: a seller files competitor intelligence, the product
manager triages it ("Later", with a revisit date and an answer), the seller reads the answer on
"My feedback" and in the inbox; the product manager logs a briefing with its deck, a file that is
not what its name says is refused, and the reports show the region briefed and the quiet ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from app.briefings.models import Briefing, BriefingMaterial
from app.core import clock
from app.extensions import db
from tests.browser.serving import serving
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

#: Enough of a PDF for the content check (app/briefings/uploads.py sniffs the first bytes).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture(scope="module")
def upload_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("market-loop-uploads")


@pytest.fixture(scope="module")
def live_server(app: Flask, upload_root: Path) -> Iterator[str]:
    """This module's live server keeps its decks in a temporary folder, not in instance/uploads."""
    with serving(app, UPLOAD_DIR=str(upload_root)) as url:
        yield url


def stored_decks(upload_root: Path) -> list[Path]:
    folder = upload_root / "briefings"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def count(model: type) -> int:
    db.session.commit()  # a fresh transaction: see what the live server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_feedback_is_triaged_answered_and_a_briefing_shows_in_the_reports(
    page: Page, live_server, people, make_product, sign_in, sign_out, screenshot, tmp_path, upload_root
):
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product(coverage={south: "sellable", north: "sellable"})
    revisit = clock.today() + timedelta(days=60)
    revisit_text = f"{revisit:%d %b %Y}"
    title = "Rivalsoft undercuts the Pro band by 30% in Milan"
    answer = "We review the Pro band in the autumn price round; until then, hold the current discount."
    page.set_viewport_size(DESKTOP)

    # 1. Sales files competitor intelligence through the form and finds it on "My feedback".
    sign_in(page, people["sales"])
    page.locator("header.topbar").get_by_role("link", name="Feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer feedback")
    page.get_by_role("link", name="File feedback").click()
    expect(page).to_have_url(f"{live_server}/feedback/new")
    page.locator("#title").fill(title)
    page.locator("#kind").select_option(label="Competitor intelligence")
    page.locator(f'#product_ids input[value="{product.id}"]').check()
    page.locator("#details").fill("Rivalsoft offered Acme 30% below our Pro band, with SSO included.")
    page.locator("#customer").fill("Acme Italia")
    page.locator("#source_name").fill("Giulia Bianchi, Head of IT")
    page.locator("#channel").select_option(label="Lost deal")
    page.locator("#region_id").select_option(label="Southern Europe")
    page.locator("#revenue_at_stake").fill("48000")
    page.locator("#currency").fill("EUR")
    page.get_by_role("button", name="File feedback").click()

    expect(page.locator(".flash-success")).to_contain_text("Feedback filed. Pat Product has been told.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_role("heading", level=1).locator(".badge")).to_have_text("New")
    details = page.locator("#details")
    expect(details).to_contain_text("Competitor intelligence")
    expect(details).to_contain_text("Acme Italia")
    expect(details).to_contain_text("Giulia Bianchi, Head of IT")
    expect(details).to_contain_text("lost deal")
    expect(details).to_contain_text("Southern Europe")
    expect(details).to_contain_text("48,000 EUR")
    feedback_url = page.url

    page.get_by_role("link", name="My feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My feedback and what became of it")
    mine = page.locator(".feedback-mine > li", has_text=title)
    expect(mine).to_have_count(1)
    expect(mine.locator(".badge")).to_have_text("New")
    expect(mine).to_contain_text("Waiting for product to triage it.")
    expect(mine).to_contain_text("Competitor intelligence on Northwind Pro · Southern Europe · Acme Italia")
    sign_out(page)

    # 2. The product manager finds it in the triage queue and puts it off until later, with an answer.
    sign_in(page, people["product"])
    page.locator("header.topbar").get_by_role("link", name="Feedback").click()
    page.get_by_role("link", name="Triage queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback to triage")
    row = page.locator(".feedback-table tbody tr", has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("New")
    expect(row).to_contain_text("Competitor intelligence · Southern Europe · Acme Italia")
    expect(row).to_contain_text("48,000 EUR")
    expect(row).to_contain_text("Sam Seller")
    screenshot(page, "40-feedback-triage")
    row.get_by_role("link", name=title).click()
    expect(page).to_have_url(f"{feedback_url}#triage")

    triage = page.locator("#triage")
    triage.get_by_label("Later").check()
    expect(page.locator("#revisit_on")).to_be_visible()
    expect(page.locator("#milestone_id")).to_be_hidden()  # only what "Later" needs is shown
    page.locator("#revisit_on").fill(revisit.isoformat())
    page.locator("#answer").fill(answer)
    triage.get_by_role("button", name="Record the decision").click()

    expect(page.locator(".flash-success")).to_have_text(f"Put off until {revisit_text}: Sam Seller has been told.")
    expect(page.get_by_role("heading", level=1).locator(".badge")).to_have_text("Later")
    decided = page.locator("#decided")
    expect(decided.locator(".badge")).to_have_text("Later")
    expect(decided).to_contain_text(answer)
    expect(decided).to_contain_text(f"Product looks at it again on {revisit_text}")
    expect(decided).to_contain_text("— Pat Product")
    history = page.locator("#history li")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Sam Seller filed it")
    expect(history.nth(1)).to_contain_text("Pat Product decided Later")
    expect(history.nth(1)).to_contain_text(revisit_text)
    expect(history.nth(1)).to_contain_text(answer)
    sign_out(page)

    # 3. Sales reads the answer on "My feedback", and in the inbox.
    sign_in(page, people["sales"])
    page.goto(f"{live_server}/feedback/mine")
    mine = page.locator(".feedback-mine > li", has_text=title)
    expect(mine.locator(".badge")).to_have_text("Later")
    expect(mine.locator(".feedback-quote")).to_have_text(answer)
    expect(mine).to_contain_text(f"Product looks at it again on {revisit_text}")
    expect(mine).to_contain_text("— Pat Product")
    expect(mine).not_to_contain_text("Waiting for product")
    screenshot(page, "41-my-feedback-answered")

    bell = page.locator("header.topbar").get_by_role("link", name="Inbox")
    expect(bell).to_contain_text("Inbox")
    expect(bell.locator(".count")).to_have_text("1")
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    notice = page.locator("button.inbox-item", has_text=f"Your feedback “{title}”: later")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(answer)
    notice.click()
    expect(page).to_have_url(feedback_url)
    sign_out(page)

    # 4. The product manager logs a briefing for Southern Europe with its deck.
    deck = tmp_path / "Northwind Pro pricing Q3.pdf"
    deck.write_bytes(PDF)
    sign_in(page, people["product"])
    page.locator("header.topbar").get_by_role("link", name="Briefings").click()
    page.get_by_role("link", name="Log a briefing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a briefing")
    page.locator("#title").fill("Northwind Pro pricing for Q3")
    page.locator("#region_id").select_option(label="Southern Europe")
    page.locator("#sales_team").fill("Milan field sales")
    expect(page.locator("#held_on")).to_have_value(clock.today().isoformat())
    page.locator("#duration_minutes").fill("90")
    expect(page.locator("#presenter_id")).to_have_value(str(people["product"].id))
    page.locator(f'#product_ids input[value="{product.id}"]').check()
    page.locator(f'#attendee_ids input[value="{people["sales"].id}"]').check()
    page.locator("#guest_names").fill("Marco Rossi (partner)\nGiulia Verdi")
    page.locator("#key_points").fill("Answer Rivalsoft on total cost, not on list price\nSSO is sellable in Italy")
    page.locator("#material").set_input_files(str(deck))
    page.get_by_role("button", name="Log the briefing").click()

    expect(page.locator(".flash-success")).to_have_text(
        "Briefing “Northwind Pro pricing for Q3” logged. Its attendees have been told.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Pro pricing for Q3")
    expect(page.locator(".subtitle")).to_contain_text("Pat Product briefed Milan field sales (Southern Europe)")
    session = page.locator("#details")
    expect(session).to_contain_text("90 minutes (1.5 h)")
    expect(session).to_contain_text("Northwind Pro")
    attendees = page.locator("#attendees")
    expect(attendees).to_contain_text("3 in all")
    expect(attendees).to_contain_text("Sam Seller")
    expect(attendees).to_contain_text("Marco Rossi (partner)")
    expect(page.locator("#key-points li")).to_have_text(
        ["Answer Rivalsoft on total cost, not on list price", "SSO is sellable in Italy"])
    link = page.locator("#materials").get_by_role("link", name="Northwind Pro pricing Q3.pdf")
    expect(link).to_be_visible()
    expect(page.locator("#materials")).to_contain_text(f"{len(PDF)} bytes · Pat Product")
    screenshot(page, "42-briefing-logged")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "Northwind Pro pricing Q3.pdf"
    assert Path(download.path()).read_bytes() == PDF
    assert [p.read_bytes() for p in stored_decks(upload_root)] == [PDF]

    # 6. The reports show the region briefed (one briefing, its hours) and the region still quiet.
    page.locator("header.topbar").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    headline = page.locator(".report-headline")
    expect(headline.locator(".stat", has_text="Briefings held").locator(".stat-value")).to_have_text("1")
    expect(headline.locator(".stat", has_text="Hours of briefing").locator(".stat-value")).to_have_text("1.5")
    briefings = page.locator("#briefings")
    expect(briefings.locator(".chart svg:visible")).to_have_count(1)  # its drawing for this width
    region_row = briefings.locator("tbody tr", has_text="Southern Europe")
    expect(region_row).to_have_count(1)
    expect(region_row).to_contain_text("1 · 1.5 h")  # in this quarter's column
    assert region_row.locator("td").all_inner_texts()[-3:] == ["1", "1.5", "1"]  # briefings, hours, products
    quiet = page.locator("#quiet-regions")
    expect(quiet.locator(".chart svg:visible")).to_be_visible()
    expect(quiet.locator(".card-header")).to_contain_text("1 quiet")
    expect(quiet.locator("tbody tr", has_text="Nordics")).to_contain_text("Never")
    expect(quiet.locator("tbody tr", has_text="Nordics").locator(".badge")).to_have_text("Quiet")
    expect(quiet.locator("tbody tr", has_text="Southern Europe").locator(".badge")).to_have_text("Briefed")
    expect(page.locator("#feedback tbody tr", has_text="Competitor intelligence")).to_contain_text("1")
    screenshot(page, "43-reports")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#quiet-regions .chart svg:visible")).to_be_visible()
    # Nothing is wider than the phone: wide tables scroll inside their card, a chart shows its phone drawing or scrolls too.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "44-reports-phone")


def test_a_png_named_as_a_pdf_is_refused_and_nothing_is_logged(
    page: Page, live_server, people, make_product, sign_in, tmp_path, upload_root
):
    RegionFactory(name="Southern Europe")
    product = make_product()
    fake = tmp_path / "pricing.pdf"
    fake.write_bytes(PNG)
    decks_before = stored_decks(upload_root)

    page.set_viewport_size(DESKTOP)
    sign_in(page, people["product"])
    page.goto(f"{live_server}/briefings/new")
    page.locator("#title").fill("Pricing refresher")
    page.locator("#region_id").select_option(label="Southern Europe")
    page.locator("#sales_team").fill("Milan field sales")
    page.locator("#duration_minutes").fill("45")
    page.locator(f'#product_ids input[value="{product.id}"]').check()
    page.locator("#material").set_input_files(str(fake))
    page.get_by_role("button", name="Log the briefing").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Log a briefing")
    error = page.locator(".field.has-error", has=page.locator("#material"))
    expect(error.locator(".field-error")).to_have_text(
        "Upload a PDF or a PowerPoint/Keynote/OpenDocument deck (this file is a PNG image).")
    expect(page.locator(".flash-success")).to_have_count(0)
    expect(page.locator("#title")).to_have_value("Pricing refresher")  # what was typed is kept
    assert count(Briefing) == 0
    assert count(BriefingMaterial) == 0
    assert stored_decks(upload_root) == decks_before

    page.locator("header.topbar").get_by_role("link", name="Briefings").click()
    expect(page.locator("main")).not_to_contain_text("Pricing refresher")
