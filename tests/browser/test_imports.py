"""A CRM import in a real browser: a sales manager uploads the Salesforce fixture, checks the columns,
reads the preview, imports, and finds the customers and draft commitments on the campaign page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.extensions import db
from app.imports import progress, services
from tests import redisdb
from tests.browser.serving import serving
from tests.imports import FIXTURES
from tests.imports.helpers import preview, upload
from workflows.imports import ImportState

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def claimed() -> Iterator[redisdb.ClaimedRedis]:
    claimed = redisdb.claim()
    yield claimed
    claimed.release()


@pytest.fixture(scope="module")
def live_server(app: Flask, claimed: redisdb.ClaimedRedis) -> Iterator[str]:
    """A live server whose running imports report their progress to a real Redis, as in production."""
    with serving(app, REDIS_URL=claimed.url, QUEUE_NAME=claimed.queue_name, JOBS_INLINE=False) as url:
        yield url


@pytest.fixture
def same_redis(app: Flask, configure, claimed: redisdb.ClaimedRedis) -> Iterator[None]:
    """This process on the live server's Redis and queue name (it plays the worker)."""
    redisdb.drop_app_connection(app)
    configure(REDIS_URL=claimed.url, QUEUE_NAME=claimed.queue_name, JOBS_INLINE=False)
    yield
    redisdb.drop_app_connection(app)


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


def test_the_page_of_a_running_import_draws_its_progress_and_shows_the_outcome_when_it_ends(
        page: Page, live_server, people, import_world, sign_in, screenshot, same_redis):
    project = import_world["project"]
    run = preview(people["sales"], upload(people["sales"], project, "generic.csv"))
    run.state = ImportState.IMPORTING  # as the request leaves it for the job
    db.session.commit()
    progress.report(run.id, 12, 24)  # what the job writes to Redis, outside its transaction
    sign_in(page, people["sales"])

    page.goto(f"{live_server}/campaigns/{project.id}/imports/{run.id}")
    expect(page.locator("#import-progress")).to_contain_text("12 of 24 rows written")
    expect(page.locator("#import-progress .progress-text")).to_have_text("50%")
    screenshot(page, "95-import-running")

    # The job ends (here: the run is done, as the worker's commit leaves it); the page's poll reloads it.
    services.execute(people["sales"], run)
    expect(page.locator(".stats")).to_contain_text("Commitments created", timeout=10_000)
    expect(page.locator("#import-progress")).to_have_count(0)
