"""A forgotten password, reset end to end in a real browser: the link is read from the
development mailbox (the file transport's folder), opened, a new password set, and signing in
with it works; then changing it under Settings → Security."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.serving import serving

pytestmark = pytest.mark.browser

NEW = "a long and uncommon sentence"
NEWER = "another long uncommon sentence"


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mailbox")


@pytest.fixture(scope="module")
def live_server(app: Flask, mailbox: Path) -> Iterator[str]:
    """A live server that writes its emails into ``mailbox`` (jobs run inline, as in the tests)."""
    with serving(app, MAIL_TRANSPORT="file", MAIL_DIR=str(mailbox)) as url:
        yield url


def reset_link_in(mailbox: Path, to: str) -> str:
    messages = [BytesParser(policy=policy.default).parsebytes(path.read_bytes()) for path in mailbox.glob("*.eml")]
    mine = [m for m in messages if to in str(m["To"])]
    assert len(mine) == 1, [str(m["To"]) for m in messages]
    text = mine[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"http://127\.0\.0\.1:\d+/password/reset/[\w-]+", text)
    assert found is not None, text
    return found.group(0)


def sign_in_with(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.form").get_by_role("button", name="Sign in").click()


def test_a_forgotten_password_is_reset_by_the_emailed_link(page: Page, live_server: str, mailbox: Path, people,
                                                          screenshot):
    from app.extensions import db

    pm = people["pm"]
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(f"{live_server}/password/forgot")
    page.locator("#email").fill(pm.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".auth-card")).to_contain_text("If an account has this address, an email is on its way")
    screenshot(page, "40-forgot-password-sent")

    link = reset_link_in(mailbox, pm.email)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    page.locator("#password").fill("q1w2e3r4t5y6")
    page.locator("#confirm").fill("q1w2e3r4t5y6")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator(".auth-card")).to_contain_text("one of the most common passwords")
    page.locator("#password").fill(NEW)
    page.locator("#confirm").fill(NEW)
    screenshot(page, "41-reset-password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator(".flash")).to_contain_text("Your new password is set")

    sign_in_with(page, live_server, pm.email, NEW)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")

    # The link worked once.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")

    # Changing it under Settings → Security (still signed in), with the current one.
    page.goto(f"{live_server}/settings/security")
    page.locator("#current_password").fill(NEW)
    page.locator("#new_password").fill(NEWER)
    page.locator("#confirm").fill(NEWER)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(f"{live_server}/settings/security")
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    screenshot(page, "42-password-changed")
