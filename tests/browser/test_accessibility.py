"""Every page passes axe-core's WCAG 2.1 A and AA rules, at desktop and phone width, with no serious or
critical violation; focus is visible.

Each role of the demo walks every page of tests/routes.py's walk (tests/browser/accessibility.py leaves out
the API, downloads, feeds and JSON) and checks those it may open, at 1280 and at 390 px, saving a full-page
phone screenshot of each (test-artifacts/screenshots/phone-<role>-<endpoint>.png); one test without the
browser proves that together the roles open every page. The signed-out pages (sign-in, password reset,
an email's settings link, the published sales sheet, not found) are walked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from app.accounts import resets, twofactor
from app.accounts.models import PasswordReset, User
from app.accounts.sessions import start_session
from app.catalog.models import Product
from app.comments import access as comment_access
from app.comments import services as comments
from app.core import clock
from app.demo.services import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.imports import services as imports
from app.notifications.emails import preferences_token
from app.publishing import services as publishing
from app.webhooks import services as webhooks
from tests import routes
from tests.authenticator import code
from tests.browser import accessibility
from tests.fixtures.clients import RequestClient

pytestmark = pytest.mark.browser

#: The demo's sign-in of each role.
ROLES = {"admin": "admin@example.com", "pm": "pm@example.com", "sales": "sales@example.com",
         "product": "product@example.com", "team": "team@example.com"}
#: A CRM export uploaded and not yet mapped: what the import pages find by ``run_id``.
IMPORT_FILE = (b"deal_id,deal_name,customer_name,product,region,promised_date\n"
               b"D-1,SSO for 500 seats,Acme,Northwind Pro,Southern Europe,2027-06-30\n")

Screenshot = Callable[[Page, str], Path]
SignIn = Callable[[Page, str], None]


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


@pytest.fixture
def demo(app: Flask) -> dict[str, Any]:
    """The demo, with a record for each URL argument of the walk (tests/routes.py's, and those the demo
    lacks: a webhook endpoint, a comment thread, an uploaded import)."""
    load_demo(clock.today())
    admin, pm = _user(ROLES["admin"]), _user(ROLES["pm"])
    project = routes.sample_project(pm)
    values = routes.sample_values(project)
    hook, _secret = webhooks.create_endpoint(admin, webhooks.EndpointInput(
        url="http://127.0.0.1:9/hooks", description="Intranet dashboard", event_types=("milestone.completed",)))
    webhooks.send_test(admin, hook)  # its delivery to the closed port 9 is refused: a failed row in the log
    posted = comments.post(pm, comment_access.KINDS["campaign"], project, "The roadmap is set; tell me what blocks.")
    run = imports.upload(project.owner, project, "deals.csv", IMPORT_FILE)
    db.session.commit()
    return {**values, "endpoint_id": hook.id, "kind": "campaign", "record_id": project.id,
            "comment_id": posted.comment.id, "run_id": run.id}


def walk(page: Page, live_server: str, screenshot: Screenshot, prefix: str,
         visits: list[tuple[str, str, int]]) -> tuple[list[str], dict[str, list[str]]]:
    """Open each (name, URL, expected status); check those that answer it; (names checked, violations by name)."""
    checked, failures = [], {}
    for name, url, status in visits:
        response = page.goto(live_server + url)
        assert response is not None and response.status < 500, f"{url}: {response and response.status}"
        if response.status != status or response.request.redirected_from is not None:
            continue  # not this person's page: another walk opens it (test_together_the_roles_open_every_page)
        checked.append(name)
        if found := accessibility.check(page):
            failures[f"{name} ({url})"] = found
        screenshot(page, f"phone-{prefix}-{name}")
    return checked, failures


def report(failures: dict[str, list[str]]) -> str:
    return "axe-core found serious or critical violations:\n" + "\n".join(
        f"{page}:\n" + "\n".join(f"  - {line}" for line in lines) for page, lines in failures.items())


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_opens_passes_axe_at_desktop_and_phone_width(
    page: Page, app: Flask, live_server: str, demo: dict[str, Any], screenshot: Screenshot, role: str,
    sign_in_demo: SignIn,
):
    sign_in_demo(page, ROLES[role])
    visits = [(name, url, 200) for name, url in accessibility.pages(app, demo)]
    visits.append(("not-found", "/campaigns/999999", 404))

    checked, failures = walk(page, live_server, screenshot, role, visits)

    assert len(checked) >= 25, checked  # the walk did reach the app
    assert not failures, report(failures)


def test_together_the_roles_open_every_page(app: Flask, demo: dict[str, Any]):
    """What the walks above skip (a page one role may not open) another role opens: every page is checked."""
    pages = accessibility.pages(app, demo)
    opened: set[str] = set()
    app.test_client_class = RequestClient  # each request in its own context, as in production
    for email in ROLES.values():
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
        opened |= {name for name, url in pages if client.get(url).status_code == 200}
    assert len(pages) >= 60
    assert [name for name, _url in pages if name not in opened] == []


def test_the_signed_out_pages_pass_axe(page: Page, live_server: str, demo: dict[str, Any], screenshot: Screenshot):
    """Sign-in, a forgotten password and its link (open and ended), an email's settings link, the sales
    sheet published with a token, a page that does not exist, and the two-factor code asked after the
    password."""
    admin, team, coded = _user(ROLES["admin"]), _user(ROLES["team"]), _user(ROLES["sales"])
    session = start_session(coded, remember=False, ip="198.51.100.7", user_agent="Phone").session
    twofactor.confirm(coded, session, code(twofactor.begin(coded, session).key))
    assert resets.request_reset(team.email, "198.51.100.7") is None
    reset = db.session.scalars(sa.select(PasswordReset).where(PasswordReset.user_id == team.id)).one()
    link = resets.link_for_email(reset.notification_id)
    assert link is not None
    _token, secret = publishing.create_token(admin, "Intranet")
    product_id = db.session.scalar(sa.select(Product.id).order_by(Product.id).limit(1))
    db.session.commit()
    visits = [("login", "/login", 200), ("forgot-password", "/password/forgot", 200),
              ("reset-password", link, 200), ("reset-password-ended", "/password/reset/no-such-link", 404),
              ("email-preferences", f"/email/preferences/{preferences_token(team.id, 'updates')}", 200),
              ("published-sheet", f"/published/products/{product_id}/sheet?token={secret}", 200),
              ("not-found", "/no-such-page", 404)]

    checked, failures = walk(page, live_server, screenshot, "signed-out", visits)
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(coded.email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("form.form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/login/code")
    if found := accessibility.check(page):
        failures["login-code (/login/code)"] = found
    screenshot(page, "phone-signed-out-login-code")

    assert checked == [name for name, _url, _status in visits]
    assert not failures, report(failures)


#: Runs in the page: the focused element, its outline, and the colour it is drawn on (the first opaque
#: background among its ancestors: the outline sits outside the element, over its parent).
_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let behind = "rgb(255, 255, 255)";
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0")) { behind = bg; break; }
  }
  return {tag: el.tagName.toLowerCase(), type: el.type || "", text: (el.textContent || el.name || "").trim().slice(0, 40),
          itself: el.matches(":focus"),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor, behind};
}"""


def _luminance(css_colour: str) -> float:
    """WCAG relative luminance of an ``rgb(r, g, b)`` or ``rgba(...)`` colour."""
    red, green, blue = (float(part) / 255 for part in re.findall(r"[\d.]+", css_colour)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_measured_as_wcag_says():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 2) == 4.54  # the lightest grey AA allows


def test_the_keyboard_focus_is_always_visible(page: Page, live_server: str, demo: dict[str, Any],
                                              sign_in_demo: SignIn):
    """Tab from the top of the dashboard, then through a form: the skip link comes first, and every link,
    field and button shows a ring of 2 px or more, at 3:1 or more against what it is drawn on (WCAG 2.4.7,
    1.4.11), which it loses when focus moves on."""
    sign_in_demo(page, ROLES["admin"])  # whose top bar has every kind of control, the Admin menu too
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # shown on focus, not left off-screen
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

    seen: dict[str, dict[str, Any]] = {}
    for url in ("/", "/campaigns/new/upgrade_campaign"):  # through the top bar; from the form's first field
        page.goto(live_server + url)
        for _ in range(30):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUSED)
            if focused["tag"] == "body":
                break
            if not focused["itself"]:
                continue  # a date field's calendar button, inside the browser's own control: it draws its own ring
            kind = focused["tag"] if focused["tag"] != "input" else f"input[{focused['type']}]"
            assert focused["style"] != "none" and focused["width"] >= 2, f"no visible focus on {focused}"
            assert contrast(focused["colour"], focused["behind"]) >= 3, f"a faint focus ring on {focused}"
            seen.setdefault(kind, focused)
    assert {"a", "summary", "button", "select", "textarea", "input[search]", "input[text]", "input[date]"} <= set(seen), \
        sorted(seen)

    page.locator("h1").click()  # the mouse moves focus off: no ring is left behind
    assert page.evaluate("() => getComputedStyle(document.querySelector('main a, main button')).outlineStyle") == "none"


def test_the_checks_catch_a_nameless_button_and_a_field_named_by_its_placeholder(
    page: Page, live_server: str, demo: dict[str, Any], sign_in_demo: SignIn
):
    sign_in_demo(page, ROLES["team"])
    page.goto(f"{live_server}/settings")
    assert accessibility.check(page) == []
    page.evaluate("""() => {
        const main = document.querySelector("main");
        main.append(document.createElement("button"));
        main.append(Object.assign(document.createElement("input"), {type: "text", placeholder: "Your name"}));
    }""")

    found = accessibility.violations(page)

    assert [line.split(" at ")[0] for line in found] == ["button-name (critical)", "label (ours)"], found
