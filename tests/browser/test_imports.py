"""A CRM import in a real browser: a sales manager uploads the Salesforce fixture, checks the columns,
reads the preview, imports, and finds the customers and draft commitments on the campaign page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.imports import FIXTURES

pytestmark = pytest.mark.browser


def test_a_sales_manager_imports_a_salesforce_export(page: Page, live_server, people, import_world, sign_in,
                                                     screenshot):
    project = import_world["project"]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, people["sales"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    page.get_by_role("link", name="Import deals").click()
    expect(page.get_by_role("heading", name="Import deals")).to_be_visible()

    # A file with problems first: the preview names each one and offers no import.
    page.get_by_label("CSV file").set_input_files(str(FIXTURES / "salesforce_opportunities_with_errors.csv"))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    expect(page.get_by_label("Deal ID in the CRM *")).to_have_value("Opportunity ID")
    expect(page.get_by_label("Dates in the file")).to_have_value("mdy")
    screenshot(page, "90-import-mapping")
    page.get_by_role("button", name="Save and preview every row").click()
    errors = page.locator(".import-errors tbody tr")
    expect(errors).to_have_count(4)
    expect(errors.first).to_contain_text("Close Date")
    expect(errors.first).to_contain_text("not a date (expected MM/DD/YYYY")
    expect(page.get_by_role("button", name="Import 30 deals")).to_have_count(0)
    screenshot(page, "91-import-preview-errors")

    # The clean export: every row imports, as drafts.
    page.get_by_role("link", name=f"Imports into {project.title}").click()
    page.get_by_label("CSV file").set_input_files(str(FIXTURES / "salesforce_opportunities.csv"))
    page.get_by_role("button", name="Upload and map the columns").click()
    page.get_by_role("button", name="Save and preview every row").click()
    expect(page.locator(".stat").first).to_contain_text("34")
    screenshot(page, "92-import-preview")
    page.get_by_role("button", name="Import 34 deals").click()
    expect(page.locator(".stats")).to_contain_text("Commitments created")
    expect(page.locator(".stat").nth(3)).to_contain_text("12")  # customers created
    screenshot(page, "93-import-done")

    page.get_by_role("link", name="campaign page").click()
    card = page.locator("#commitments")
    expect(card).to_contain_text("Acme Corporation")
    expect(card).to_contain_text("Globex Industries")
    expect(card.locator(".badge-draft").first).to_be_visible()
    screenshot(page, "94-import-commitments")
