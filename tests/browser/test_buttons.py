"""The button vocabulary on a real roadmap, on a desktop and a phone: no red button but the last
step of what ends for good, a step not open now that says why on focus and on hover (Escape hides
it; pressing it does nothing), and one size for buttons side by side (tests/test_buttons.py holds the
templates to it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.milestones import services as milestones
from tests.briefings import log
from tests.factories import RegionFactory

pytestmark = pytest.mark.browser

SIZES = [
    pytest.param({"width": 1280, "height": 900}, id="desktop"),
    pytest.param({"width": 390, "height": 844}, id="phone"),
]

#: Whatever its class, a button painted the danger red (static/css/app.css, .btn-danger).
RED_BUTTONS = """() => [...document.querySelectorAll('main .btn, main button')]
  .filter(b => b.checkVisibility() && getComputedStyle(b).backgroundColor === 'rgb(220, 38, 38)')
  .map(b => b.textContent.trim())"""


@pytest.fixture
def open_roadmap(page: Page, live_server, people, make_project, sign_in, size):
    """An active campaign whose first milestone has an open task, its page open for its project
    manager at ``size``: (the campaign, that milestone)."""
    project = make_project(title="Northwind Pro tier upgrade", state="active")
    first = project.milestones[0]
    milestones.create_task(people["pm"], first, milestones.TaskInput(
        title="Draft the price band memo", assignee_id=people["team"].id, due_date=None))
    db.session.commit()
    page.set_viewport_size(size)
    sign_in(page, people["pm"])
    page.goto(f"{live_server}/campaigns/{project.id}")
    return project, first


@pytest.mark.parametrize("size", SIZES)
def test_the_roadmap_is_red_only_where_a_step_ends_something_for_good(
    page: Page, open_roadmap, screenshot, screenshot_dir, size, request
):
    _project, first = open_roadmap

    # Put on hold, cancel the campaign, cancel each milestone: openers that ask again, all neutral.
    expect(page.locator("#roadmap li.milestone")).to_have_count(5)
    assert page.evaluate(RED_BUTTONS) == []
    lifecycle = page.locator("#lifecycle")
    expect(lifecycle.locator("summary.btn")).to_have_text(["Put on hold…", "Cancel…"])
    # Completing needs an actual reported first: the way forward is there, refused, saying why below it.
    expect(lifecycle.locator("button[data-event=complete]")).to_have_attribute("aria-disabled", "true")
    expect(lifecycle.locator(".flash-warning")).to_contain_text("Complete is not possible yet:")
    expect(page.locator("#roadmap summary.btn", has_text="Cancel…")).to_have_count(5)
    screenshot(page, f"buttons-roadmap-{request.node.callspec.id}")

    # A milestone cancelled can be reopened: its confirm is the form's primary step, not red.
    milestone = page.locator(f"#milestone-{first.id}")
    milestone.locator("summary", has_text="Cancel…").click()
    expect(milestone.locator(".milestone-actions form.reason-form button[type=submit]")).to_have_class("btn btn-sm btn-primary")
    assert page.evaluate(RED_BUTTONS) == []
    milestone.screenshot(path=str(screenshot_dir / f"buttons-milestone-cancel-{request.node.callspec.id}.png"))
    milestone.locator("summary", has_text="Cancel…").click()  # closed again

    # Cancelling the campaign cannot be undone: only its last confirm is red.
    lifecycle.locator("summary", has_text="Cancel…").click()
    assert page.evaluate(RED_BUTTONS) == ["Cancel campaign"]
    lifecycle.screenshot(path=str(screenshot_dir / f"buttons-campaign-cancel-{request.node.callspec.id}.png"))
    lifecycle.locator("summary", has_text="Cancel…").click()


@pytest.mark.parametrize("size", SIZES)
def test_a_step_not_open_says_why_on_focus_and_hover_and_pressing_it_does_nothing(
    page: Page, live_server, open_roadmap, screenshot, screenshot_dir, size, request
):
    project, first = open_roadmap
    url = f"{live_server}/campaigns/{project.id}"

    milestone = page.locator(f"#milestone-{first.id}")
    done = milestone.locator("button[data-event=complete]")
    tip = milestone.locator(".why-tip")
    reason = "1 task is still open: finish or remove them first."
    expect(done).to_have_attribute("aria-disabled", "true")
    expect(done).to_have_accessible_description(f"Not possible yet: {reason}")
    expect(tip).to_be_hidden()

    done.focus()  # as a keyboard reaches it
    expect(tip).to_be_visible()
    expect(tip).to_have_text(f"Not possible yet: {reason}")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]  # the tooltip stays on screen
    screenshot(page, f"buttons-refused-step-{request.node.callspec.id}")
    milestone.screenshot(path=str(screenshot_dir / f"buttons-refused-step-{request.node.callspec.id}-close.png"))

    page.keyboard.press("Enter")  # pressing it anyway
    expect(page).to_have_url(url)
    expect(page.locator(".flashes .flash")).to_have_count(0)
    expect(page.locator("main").get_by_text(reason)).to_have_count(1)  # said once, in its tooltip

    page.keyboard.press("Escape")  # dismissed where it stands, focus kept
    expect(tip).to_be_hidden()
    expect(done).to_be_focused()
    page.locator("h1").click()  # focus leaves; the pointer brings it back
    done.hover()
    expect(tip).to_be_visible()


def test_buttons_side_by_side_share_one_size(page: Page, live_server, people, make_product, sign_in):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    sign_in(page, people["product"])
    page.goto(f"{live_server}/briefings/{briefing.id}")

    actions = page.locator(".page-header .actions")
    edit, delete = actions.get_by_role("link", name="Edit"), actions.get_by_role("button", name="Delete")
    assert edit.bounding_box()["height"] == delete.bounding_box()["height"]
    expect(delete).to_have_class("btn btn-danger")
