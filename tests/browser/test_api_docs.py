"""The API reference at /api/docs, in a real browser: it draws every operation of the OpenAPI
document from the server's own files (no CDN: it works offline) under its Content-Security-Policy."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_reference_draws_every_operation_offline_and_within_its_policy(page: Page, live_server, screenshot):
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server}/api/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Countersign API")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    spec = page.request.get(f"{live_server}/api/v1/openapi.json").json()
    # Every operation of the paths, and every webhook (OpenAPI 3.1's section, drawn in the same way).
    documented = sum(1 for section in ("paths", "webhooks") for item in spec.get(section, {}).values()
                     for method in item if method in {"get", "post", "put", "patch", "delete"})
    expect(operations).to_have_count(documented)
    page.locator(".opblock-summary", has_text="/api/v1/me").first.click()
    expect(page.locator(".opblock.is-open .responses-table").first).to_be_visible()
    screenshot(page, "api-docs")
    assert problems == []
    server = urlparse(live_server).netloc
    assert {urlparse(url).netloc for url in requested if not url.startswith("data:")} == {server}
