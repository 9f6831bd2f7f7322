"""The multiple choice in a real browser (app/core/widgets.py, static/js/multiselect.js), on a large company's
campaign form: 200 product managers to choose from. Two are picked with the keyboard alone, through the
filter; the count is read out; the campaign keeps them. With scripts off the same checkboxes post the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from app.accounts.models import Role
from app.core import clock
from app.extensions import db
from app.projects.models import Project
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TITLE = "Northwind Pro upgrade"


@pytest.fixture
def company(people):
    """200 product managers (197 numbered, two names to find among them, and people["product"]) and a region."""
    managers = [UserFactory(role=Role.PRODUCT_MANAGER, name=f"Product Manager {number:03d}") for number in range(197)]
    zoe = UserFactory(role=Role.PRODUCT_MANAGER, name="Zoë Zimmermann")
    yusuf = UserFactory(role=Role.PRODUCT_MANAGER, name="Yusuf Young")
    region = RegionFactory(name="Southern Europe")
    db.session.commit()
    return {"managers": managers, "zoe": zoe, "yusuf": yusuf, "region": region}


def fill_the_rest(page: Page, live_server: str, region_id: int) -> None:
    start = clock.today() + timedelta(days=7)
    page.goto(f"{live_server}/campaigns/new/upgrade_campaign")
    page.locator("#title").fill(TITLE)
    page.locator("#start_date").fill(start.isoformat())
    page.locator("#end_date").fill((start + timedelta(days=365)).isoformat())
    page.locator("#goal_target").fill("50")
    page.locator(f'#region_ids input[value="{region_id}"]').check()


def saved_product_managers() -> set[str]:
    db.session.expire_all()  # the live server saved it on its own connection
    project = db.session.scalar(sa.select(Project).where(Project.title == TITLE))
    assert project is not None
    return {m.user.name for m in project.memberships if m.user.role is Role.PRODUCT_MANAGER}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_two_of_200_product_managers_are_picked_with_the_keyboard(
    page: Page, live_server, people, company, sign_in, screenshot, size
):
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    sign_in(page, people["sales"])
    fill_the_rest(page, live_server, company["region"].id)
    group = page.get_by_role("group", name="Product managers")
    count = page.locator("#product_manager_ids-count")
    expect(group.get_by_role("checkbox")).to_have_count(200)
    expect(count).to_have_text("None selected")
    expect(count).to_have_attribute("aria-live", "polite")

    # Tab from the field before reaches the filter; a few letters leave one option; Down, Space picks it.
    page.locator("#project_manager_id").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#product_manager_ids-filter")).to_be_focused()
    page.keyboard.type("zoe")  # no accent typed: "Zoë" is found all the same
    expect(group.locator(".multiselect-options li:visible")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(group.get_by_role("checkbox", name="Zoë Zimmermann")).to_be_focused()
    page.keyboard.press("Space")
    expect(count).to_have_text("1 selected")

    # Up from the first option goes back to the filter; Escape empties it; a second name, Tab, Space.
    page.keyboard.press("ArrowUp")
    expect(page.locator("#product_manager_ids-filter")).to_be_focused()
    page.keyboard.press("Escape")
    expect(group.locator(".multiselect-options li:visible")).to_have_count(200)
    page.keyboard.type("yusuf")
    page.keyboard.press("Tab")  # the list has one stop in the Tab order: here the one option left
    expect(group.get_by_role("checkbox", name="Yusuf Young")).to_be_focused()
    page.keyboard.press("Space")
    expect(count).to_have_text("2 selected")
    chips = group.locator(".multiselect-chips button")
    expect(chips).to_have_text(["Yusuf Young×", "Zoë Zimmermann×"])  # in the list's order
    expect(chips.last).to_have_attribute("aria-label", "Remove Zoë Zimmermann")

    # Arrow keys move among what the filter shows; one Tab leaves the list of 200 for the next field.
    page.keyboard.press("ArrowDown")
    expect(group.get_by_role("checkbox", name="Yusuf Young")).to_be_focused()  # the last one shown: it stays
    page.keyboard.press("Tab")
    expect(page.locator("#member_ids-filter")).to_be_focused()

    # A filter matching nothing says so; Enter in it does not send the form.
    page.locator("#product_manager_ids-filter").fill("nobody by that name")
    page.locator("#product_manager_ids-filter").press("Enter")
    expect(group.locator(".multiselect-none")).to_have_text("No option matches “nobody by that name”.")
    expect(page).to_have_url(f"{live_server}/campaigns/new/upgrade_campaign")
    page.locator("#product_manager_ids-filter").fill("you")
    group.locator(".multiselect-options").scroll_into_view_if_needed()
    screenshot(page, f"multiselect-{size}-picked")

    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Campaign “{TITLE}” created as a draft.")
    assert saved_product_managers() == {"Zoë Zimmermann", "Yusuf Young"}


def test_a_chip_removes_its_choice_and_the_edit_page_shows_the_chosen_first(
    page: Page, live_server, people, company, sign_in, screenshot
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, people["sales"])
    fill_the_rest(page, live_server, company["region"].id)
    group = page.get_by_role("group", name="Product managers")
    for person in (company["managers"][150], company["zoe"], company["yusuf"]):
        group.locator(f'input[value="{person.id}"]').check()
    expect(group.locator("#product_manager_ids-count")).to_have_text("3 selected")
    group.get_by_role("button", name="Remove Zoë Zimmermann").click()
    expect(group.locator("#product_manager_ids-count")).to_have_text("2 selected")
    expect(group.get_by_role("checkbox", name="Zoë Zimmermann")).not_to_be_checked()
    expect(group.get_by_role("button", name="Remove Yusuf Young")).to_be_focused()  # focus stays among the chips
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert saved_product_managers() == {"Product Manager 150", "Yusuf Young"}

    page.goto(page.url + "/edit")
    options = page.locator("#product_manager_ids .multiselect-options li")
    expect(options.nth(0)).to_have_text("Product Manager 150")  # the chosen first, in the order given
    expect(options.nth(1)).to_have_text("Yusuf Young")
    expect(options.nth(2).get_by_role("checkbox")).not_to_be_checked()
    screenshot(page, "multiselect-desktop-edit")


def test_without_javascript_the_checkboxes_still_post(browser: Browser, live_server, people, company, sign_in,
                                                      screenshot_dir):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, people["sales"])
        fill_the_rest(page, live_server, company["region"].id)
        group = page.get_by_role("group", name="Product managers")
        # Neither a box that could not filter nor a count that would not follow the ticks is shown.
        expect(group.locator(".multiselect-filter")).to_be_hidden()
        expect(group.locator(".multiselect-count")).to_be_hidden()
        group.get_by_role("checkbox", name="Zoë Zimmermann").check()
        group.get_by_role("checkbox", name="Product Manager 007").check()
        page.screenshot(path=str(screenshot_dir / "multiselect-phone-no-script.png"), full_page=True)
        page.get_by_role("button", name="Create campaign").click()
        expect(page.locator(".flash-success")).to_be_visible()
        assert saved_product_managers() == {"Zoë Zimmermann", "Product Manager 007"}
    finally:
        context.close()


@pytest.mark.parametrize(("path", "who", "groups"), [
    ("/catalog/new", "product", ["Product managers"]),
    ("/feedback/new", "sales", ["Products"]),
    ("/briefings/new", "product", ["Products", "Attendees using Countersign"]),
])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_form_draws_its_multiple_choices_as_named_groups_of_checkboxes(
    page: Page, live_server, people, make_product, sign_in, screenshot, path, who, groups, size
):
    for name in ("Northwind Pro", "Northwind Edge", "Fabrikam <Cloud> & Co"):
        make_product(name=name)
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    sign_in(page, people[who])
    page.goto(live_server + path)
    expect(page.locator("select[multiple]")).to_have_count(0)
    for name in groups:
        group = page.get_by_role("group", name=name, exact=True)
        expect(group.get_by_role("checkbox").first).to_be_visible()
        box = group.get_by_role("checkbox").first
        box.check()  # a click on the box or its label ticks it, and the count follows
        expect(group.locator(".multiselect-count")).to_have_text("1 selected")
    if path == "/feedback/new":
        expect(page.get_by_role("group", name="Products").get_by_role("checkbox", name="Fabrikam <Cloud> & Co")).to_be_visible()
    screenshot(page, f"multiselect-{size}{path.replace('/', '-')}")
