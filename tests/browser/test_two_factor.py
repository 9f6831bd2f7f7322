"""Two-factor sign-in end to end in a real browser: set it up from the QR page's key, sign in with a
code, trust the browser, forget it, sign in with a recovery code; and an admin requiring it of a
role, whose people then land on the set-up page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Dialog, Page, expect

from app.accounts.models import User
from tests.authenticator import code
from tests.browser.test_password_reset import sign_in_with
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def accept(dialog: Dialog) -> None:
    dialog.accept()


def test_set_up_sign_in_with_a_code_trust_forget_and_recover(page: Page, live_server: str, people, clock,
                                                             sign_in: Callable[[Page, User], None],
                                                             sign_out: Callable[[Page], None], screenshot):
    page.on("dialog", accept)
    seller = people["sales"]
    sign_in(page, seller)
    page.goto(f"{live_server}/settings/security")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page).to_have_url(f"{live_server}/settings/security/two-factor")
    expect(page.locator(".qr-box svg")).to_be_visible()
    screenshot(page, "50-two-factor-setup")
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")

    page.locator("#code").fill("000000" if code(key) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".field-error")).to_contain_text("That code is not right")
    page.locator("#code").fill(code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    recovery = page.locator(".recovery-codes li").all_inner_texts()
    assert len(recovery) == 10
    screenshot(page, "51-recovery-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.locator("#two-factor")).to_contain_text("10 of 10 recovery codes left")

    # The password alone now leads to the code page; a code from the app (and trust) signs in.
    sign_out(page)
    clock.advance(seconds=30)
    sign_in_with(page, live_server, seller.email, PASSWORD)
    expect(page).to_have_url(f"{live_server}/login/code")
    screenshot(page, "52-sign-in-code")
    page.locator("#code").fill(code(key))
    page.locator("#trust").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")

    # Trusted: the next sign-in skips the code.
    sign_out(page)
    sign_in_with(page, live_server, seller.email, PASSWORD)
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/settings/security")
    expect(page.locator("#two-factor")).to_contain_text("This browser")
    screenshot(page, "53-security-two-factor-on")

    # Forgotten: the code is asked again; a recovery code stands in for the phone.
    page.get_by_role("button", name="Forget all browsers").click()
    expect(page.locator(".flash")).to_contain_text("Every browser must type a code")
    sign_out(page)
    sign_in_with(page, live_server, seller.email, PASSWORD)
    expect(page).to_have_url(f"{live_server}/login/code")
    page.locator("#code").fill(recovery[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".flash")).to_contain_text("You signed in with a recovery code; 9 left.")


def test_an_admin_requires_two_factor_of_a_role(page: Page, live_server: str, people,
                                               sign_in: Callable[[Page, User], None],
                                               sign_out: Callable[[Page], None], screenshot):
    sign_in(page, people["admin"])
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name="Two-factor policy").click()
    page.get_by_label("Project manager").check()
    screenshot(page, "54-two-factor-policy")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator(".flash")).to_contain_text("Two-factor policy saved.")
    expect(page.get_by_label("Project manager")).to_be_checked()
    sign_out(page)

    planner = people["pm"]
    sign_in_with(page, live_server, planner.email, PASSWORD)
    expect(page).to_have_url(f"{live_server}/settings/security/two-factor")
    expect(page.locator(".flash").first).to_contain_text("Your role requires two-factor sign-in")
    page.goto(f"{live_server}/campaigns/")
    expect(page).to_have_url(f"{live_server}/settings/security/two-factor")
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")
    page.locator("#code").fill(code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    page.goto(f"{live_server}/campaigns/")
    expect(page).to_have_url(f"{live_server}/campaigns/")
