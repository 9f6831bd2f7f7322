"""Comments in a real browser: the project manager comments on a campaign, mentioning the seller picked
from the @ suggestions with the keyboard; the seller finds the mention in their inbox and lands on the
comment. At desktop and phone sizes, with screenshots of the thread."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.accounts.models import Role
from app.extensions import db
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES)
def test_a_mention_picked_from_the_suggestions_reaches_the_seller(
    page: Page, live_server, people, make_project, sign_in, sign_out, screenshot_dir, size
):
    project = make_project(state="planned", title="Northwind Pro tier upgrade")
    UserFactory(role=Role.SALES_MANAGER, name="Sally Stranger")  # not on the campaign: never offered
    db.session.commit()
    page.set_viewport_size(SIZES[size])

    sign_in(page, people["pm"])
    page.goto(f"{live_server}/campaigns/{project.id}#comments")
    box = page.get_by_role("combobox", name="Your comment")
    box.fill("Roadmap is ready for your customers,\n@Sa")
    box.press("End")
    box.type("m")
    options = page.locator(".mention-suggestions [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Sam Seller")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.locator("#comments").screenshot(path=str(screenshot_dir / f"comments-suggestions-{size}.png"))
    box.press("Enter")
    expect(box).to_have_value("Roadmap is ready for your customers,\n@Sam Seller ")
    box.type("please check the dates.")
    page.get_by_role("button", name="Post comment").click()

    comment = page.locator(".comment").last
    expect(comment.locator(".mention")).to_have_text("@Sam Seller")
    expect(comment).to_contain_text("please check the dates.")
    expect(comment.get_by_role("link", name="Edit")).to_be_visible()
    page.locator("#comments").screenshot(path=str(screenshot_dir / f"comments-thread-{size}.png"))
    sign_out(page)

    sign_in(page, people["sales"])
    page.goto(f"{live_server}/inbox/")
    item = page.locator(".inbox-item", has_text="Priya Planner mentioned you on the campaign")
    expect(item).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"comments-inbox-{size}.png"))
    item.click()
    expect(page).to_have_url(f"{live_server}/campaigns/{project.id}#comment-{page.url.rsplit('-', 1)[-1]}")
    expect(page.locator(".comment").last.locator(".mention")).to_have_text("@Sam Seller")
    expect(page.locator(".comment").last.get_by_role("link", name="Edit")).to_have_count(0)
