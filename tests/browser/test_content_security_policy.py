"""The pages under the Content-Security-Policy, in a real browser: signed in on the demo data,
walk every page the navigation and the pages' own links reach, and fail on any violation of the
policy (tests/browser/conftest.py collects them); the scripts moved out of the templates still
work; and the collector does catch an inline script or style."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from app.core import clock
from app.demo.services import load_demo
from app.extensions import db
from config import Config

pytestmark = pytest.mark.browser

#: Links the walk does not follow: downloads, feeds, the JSON API, and what needs no sign-in.
SKIPPED = re.compile(r"\.(csv|svg|ics)$|^/api/v1/|^/static/|/materials/|^/email/preferences/|^/calendars/v")
#: Enough pages to reach every kind once per person, and not the whole demo.
MAX_PAGES = 90


@pytest.fixture
def demo(app):
    load_demo(clock.today())
    db.session.commit()


def kind_of(path: str) -> str:
    """A page's kind: its path with every id as N (one campaign page stands for all)."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def walk(page: Page, live_server: str) -> list[str]:
    """Visit the dashboard and, breadth first, one page of each kind its links reach; return the paths."""
    queue, seen_kinds, visited = ["/", "/api/docs"], set(), []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if kind_of(path) in seen_kinds:
            continue
        seen_kinds.add(kind_of(path))
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"].startswith(("default-src 'self'", "default-src 'none'"))
        assert response.headers["x-frame-options"] == "DENY", path
        page.wait_for_load_state("load")
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlsplit(href)
            if f"{link.scheme}://{link.netloc}" != live_server or SKIPPED.search(link.path):
                continue
            queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return visited


@pytest.mark.parametrize("email", ["admin@example.com", "product@example.com", "sales@example.com"])
def test_every_page_a_person_reaches_keeps_to_the_policy(page: Page, live_server, demo, csp_violations, email,
                                                       sign_in_demo):
    sign_in_demo(page, email)
    visited = walk(page, live_server)
    assert len(visited) >= 15, visited  # the walk did reach the app, not just the dashboard
    assert csp_violations == [], csp_violations


def test_the_scripts_in_files_still_work_under_the_policy(page: Page, live_server, demo, csp_violations, sign_in_demo):
    sign_in_demo(page, "admin@example.com")

    page.goto(f"{live_server}/settings/calendars")  # calendar-link.js: the campaign choice only for a campaign
    campaign_part = page.locator("[data-for-kind=project]").first
    page.locator("input[data-kind][value=mine]").check()
    expect(campaign_part).to_be_hidden()
    page.locator("input[data-kind][value=project]").check()
    expect(campaign_part).to_be_visible()

    page.goto(f"{live_server}/admin/calendars")  # confirm.js: "Cancel" keeps the feeds on
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Turn feeds off").click()
    expect(page.get_by_role("button", name="Turn feeds off")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Turn feeds off").click()
    expect(page.locator(".flash")).to_be_visible()
    expect(page.get_by_role("button", name="Turn feeds off")).to_have_count(0)

    page.goto(f"{live_server}/campaigns/")  # progress bars: an SVG rect as long as the share done
    expect(page.locator(".progress-bar rect").first).to_have_attribute("width", re.compile(r"^\d+(\.\d)?%$"))
    assert csp_violations == []


def test_an_inline_script_or_style_is_refused_and_reported(page: Page, live_server, people, sign_in, csp_violations):
    sign_in(page, people["team"])
    assert "'unsafe-inline'" not in Config.CONTENT_SECURITY_POLICY
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        document.body.setAttribute("style", "background: red");
    }""")
    expect(page.locator("body")).not_to_have_css("background-color", "rgb(255, 0, 0)")
    assert page.evaluate("() => window.injected === undefined")
    for _ in range(50):  # the reports arrive as console events, a moment later
        directives = " ".join(csp_violations)
        if "script-src" in directives and "style-src" in directives:
            break
        page.wait_for_timeout(100)
    assert "script-src" in directives and "style-src" in directives, csp_violations
    csp_violations.clear()  # seen and judged: the page fixture must not fail this test for them
