"""Real-browser fixtures: a live Countersign server with real CSRF, Debian's Chromium, signing in.

The live server is a second app on the same database as the session ``app`` fixture; it
has its own connections, so whatever a test builds through ``people``/``make_project``
must be committed before the browser can see it. The autouse fixture of tests/conftest.py
still empties every table after each test.

Time: the live server is a thread of the test process, so it reads the very clock the test set
(``app.core.clock`` is one module per process); its pages show what that clock says. The browser
reads no time of its own: its scripts (static/js/) copy text, ask before a delete and show parts
of forms, and cookie expiry is set by Flask from the real time on both sides, which the tests do
not judge.

The Content-Security-Policy: the live server sends the headers every deployment sends
(app/core/headers.py), and the browser enforces them. Every test's ``page`` collects each
violation (the ``securitypolicyviolation`` event of every frame, and Chromium's own console
report) and the test fails on any: a page that breaks under the policy fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from app.accounts.models import User
from app.demo.services import DEMO_PASSWORD
from app.extensions import db
from tests.browser.serving import serving
from tests.factories import PASSWORD

#: <repo>/test-artifacts/screenshots, found from this file (git-ignored).
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright's launch options: Debian's Chromium (``playwright install`` cannot run here)."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS), "headless": True}


#: Run in every frame before its own scripts: each violation of the policy, said on the console.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.effectiveDirective + " refused " + (event.blockedURI || "inline code")
                + " on " + event.documentURI + (event.lineNumber ? " line " + event.lineNumber : ""));
}, true);
"""


def is_csp_violation(message: ConsoleMessage) -> bool:
    """Our listener's report, or Chromium's own ("Refused to ... because it violates ... Content Security Policy")."""
    return message.type == "error" and (
        message.text.startswith("CSP violation:") or "Content Security Policy" in message.text
    )


@pytest.fixture
def csp_violations(context: BrowserContext) -> list[str]:
    """Every Content-Security-Policy violation in this test's browser context, as reported."""
    seen: list[str] = []
    context.add_init_script(_REPORT_VIOLATIONS)
    context.on("console", lambda message: seen.append(message.text) if is_csp_violation(message) else None)
    return seen


@pytest.fixture
def page(page: Page, csp_violations: list[str]) -> Iterator[Page]:
    """pytest-playwright's page; its test fails (at teardown) on any Content-Security-Policy violation."""
    yield page
    assert csp_violations == [], "the page broke the Content-Security-Policy:\n" + "\n".join(csp_violations)


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: tests build absolute URLs from ``live_server``.

    Defining it here also replaces pytest-playwright's fallback ``base_url`` fixture, an
    instance method that pytest 9 warns about (PytestRemovedIn10Warning).
    """
    return None


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


def submit_sign_in(page: Page, live_server: str, email: str, password: str) -> None:
    """The login form filled in and sent; on to the dashboard."""
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")


@pytest.fixture
def sign_in(live_server: str) -> Callable[[Page, User], None]:
    """``sign_in(page, user)``: sign in through the login form and wait for the dashboard."""

    def do_sign_in(page: Page, user: User) -> None:
        db.session.commit()  # whatever the test built must be visible to the live server
        submit_sign_in(page, live_server, user.email, PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Good to see you, {user.name.split(' ')[0]}")

    return do_sign_in


@pytest.fixture
def sign_in_demo(live_server: str) -> Callable[[Page, str], None]:
    """``sign_in_demo(page, email)``: sign in as a person of the demo data (app/demo) through the form,
    whoever was signed in before, and wait for the dashboard."""

    def do_sign_in(page: Page, email: str) -> None:
        page.context.clear_cookies()
        submit_sign_in(page, live_server, email, DEMO_PASSWORD)

    return do_sign_in


@pytest.fixture
def sign_out(live_server: str) -> Callable[[Page], None]:
    """``sign_out(page)``: press Sign out in the top bar and wait for the login page."""

    def do_sign_out(page: Page) -> None:
        page.locator("header.topbar").get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{live_server}/login")
        expect(page.locator(".flash")).to_contain_text("You are signed out.")

    return do_sign_out


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Page, str], Path]:
    """``screenshot(page, "01-name")``: a full-page PNG in test-artifacts/screenshots/."""

    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        # From the top: a full-page capture of a scrolled page paints the sticky top bar mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
