"""Webhooks in a real browser: an admin registers an endpoint at a real receiver, copies the secret
shown once, sends a test event, sees its delivery in the log, and redelivers it under the same id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def test_an_admin_registers_an_endpoint_and_redelivers_a_message(page: Page, live_server, people, sign_in,
                                                                 screenshot, receiver):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, people["admin"])
    page.locator("summary", has_text="Admin").click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    expect(page.locator("main")).to_contain_text("No endpoint yet")
    page.get_by_role("link", name="Add an endpoint").click()

    page.locator("#url").fill(receiver.url)
    page.locator("#description").fill("CRM sync")
    page.get_by_label("commitment.countersigned").check()
    page.get_by_label("milestone.moved").check()
    screenshot(page, "73-webhook-new-endpoint")
    page.get_by_role("button", name="Add endpoint").click()

    secret_box = page.locator("#webhook-secret")
    expect(page.locator("main")).to_contain_text("shown only this once")
    secret = secret_box.input_value()
    assert secret.startswith("whsec_")
    receiver.secret = secret
    screenshot(page, "74-webhook-secret-shown-once")

    page.get_by_role("button", name="Send test event").click()
    expect(page.locator(".flash-success")).to_contain_text("Test event (ping) sent")
    expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once: gone on the next page
    log = page.locator(".webhook-log")
    expect(log).to_contain_text("ping")
    expect(log).to_contain_text("Delivered")
    [got] = receiver.messages()
    assert got.error == "" and got.payload["type"] == "ping"
    expect(log).to_contain_text(got.headers["webhook-id"])
    screenshot(page, "75-webhook-delivery-log")

    log.get_by_role("button", name="Redeliver").click()
    expect(page.locator(".flash-success")).to_contain_text("sent again, under the same webhook-id")
    expect(page.locator(".webhook-log tbody tr").first.locator("td").nth(2)).to_have_text("2")
    assert receiver.ids() == [got.headers["webhook-id"]] * 2
    assert all(m.error == "" for m in receiver.messages())
    screenshot(page, "76-webhook-redelivered")

    page.goto(f"{live_server}/admin/webhooks/")
    expect(page.locator(".webhook-table")).to_contain_text("CRM sync")
    screenshot(page, "77-webhook-endpoints")
