"""The charts as people see them, at a desktop's width and a 390 px phone's: the campaign's goal
chart and timeline and the reports' charts, with every rendered chart text measured at 12 CSS
px or more and no two texts' rendered boxes overlapping; a phone gets each chart's phone drawing,
never one wider than its card."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.briefings.models import Briefing
from app.core import clock
from app.extensions import db
from app.projects.models import GoalActual
from app.regions.models import Region

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LONG = "First-year checkpoint: 30% of customers on the new tier"

# Every text of every visible chart inside ``scope``: its rendered font size (the computed size
# times the SVG's scale on screen), its screen box, and which chart it belongs to.
MEASURE = """(scope) => [...scope.querySelectorAll('svg[role=img]')]
  .filter(svg => svg.getClientRects().length > 0)
  .flatMap((svg, chart) => [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {chart, text: t.textContent.trim(), size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
            left: r.left, top: r.top, right: r.right, bottom: r.bottom, cls: svg.getAttribute('class')};
  }))
  .filter(t => t.text && t.right > t.left)"""


def measure(page: Page, selector: str) -> list[dict[str, Any]]:
    return page.locator(selector).evaluate(MEASURE)


def overlaps(texts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of texts of one chart whose rendered boxes cross by more than a pixel."""
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if a["chart"] == b["chart"] and min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1 \
                    and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1:
                found.append((a["text"], b["text"]))
    return found


def assert_legible(page: Page, selector: str) -> list[dict[str, Any]]:
    texts = measure(page, selector)
    assert texts, f"no chart text in {selector}"
    small = [(t["text"], round(t["size"], 2)) for t in texts if t["size"] < 12 - 0.01]
    assert small == [], f"chart text under 12 px in {selector}"
    assert overlaps(texts) == []
    return texts


def test_the_campaign_charts_are_legible_on_a_desktop_and_a_phone(
    page: Page, live_server, people, make_project, sign_in, screenshot
):
    today = clock.today()
    project = make_project(title="Northwind Pro rollout", state="active", start=today - timedelta(days=120))
    project.milestones[0].title = LONG
    db.session.add_all([GoalActual(project=project, value=v, measured_on=today - timedelta(days=d),
                                   recorded_by=people["pm"]) for v, d in ((2.0, 90), (6.5, 45), (9.0, 5))])
    db.session.commit()
    sign_in(page, people["pm"])

    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{live_server}/campaigns/{project.id}")
        goal = page.locator("#goal .chart svg:visible")
        expect(goal).to_have_count(1)
        expect(goal).to_have_class(f"goal-chart goal-chart-{'medium' if name == 'desktop' else 'narrow'}")
        goal_texts = [t["text"] for t in assert_legible(page, "#goal")]
        assert any(t.endswith(str(today.year)) for t in goal_texts)
        assert {"plan", "target", "actual"} <= set(goal_texts)

        timeline = page.locator("#timeline .timeline-chart")
        # The phone's drawing there (titles above their marks), not the wide one scrolled sideways.
        expect(timeline.locator("svg:visible")).to_have_count(1)
        expect(timeline.locator("svg:visible")).to_have_class(
            "roadmap-timeline" if name == "desktop" else "roadmap-timeline roadmap-timeline-narrow")
        box, card = timeline.locator("svg:visible").bounding_box(), page.locator("#timeline").bounding_box()
        assert box is not None and card is not None and box["x"] + box["width"] <= card["x"] + card["width"]
        texts = [t["text"] for t in assert_legible(page, "#timeline .timeline-chart")]
        assert "First-year checkpoint: 30%" in " ".join(texts) and "new tier" in " ".join(texts)  # not cut
        years = sorted({t.split()[-1] for t in texts if t[:3].isalpha() and t[-4:].isdigit() and len(t.split()) == 2})
        assert len(years) >= 2  # 24 months: each year named on the axis
        # The sticky top bar would cover a card's top in its picture: let it scroll away.
        page.evaluate("document.querySelector('header.topbar').style.position = 'static'")
        page.locator("#goal").screenshot(path=str(screenshot(page, f"charts-goal-{name}").with_name(
            f"charts-goal-card-{name}.png")))
        page.locator("#timeline").screenshot(path=str(screenshot(page, f"charts-campaign-{name}").with_name(
            f"charts-timeline-card-{name}.png")))


def test_the_report_charts_are_legible_on_a_desktop_and_a_phone(
    page: Page, live_server, people, make_project, sign_in, screenshot
):
    today = clock.today()
    north, south = Region(code="NO", name="Nordics and the Baltic states"), Region(code="SO", name="Southern Europe")
    db.session.add_all([north, south, Region(code="EA", name="East")])
    for region, days in ((north, 10), (north, 100), (south, 200), (south, 300)):
        db.session.add(Briefing(title=f"Briefing {days}", region=region, sales_team="Field sales",
                                held_on=today - timedelta(days=days), duration_minutes=60, presenter=people["product"],
                                created_by=people["product"]))
    db.session.commit()
    sign_in(page, people["admin"])

    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{live_server}/reports")
        for section in ("#briefings", "#quiet-regions"):
            expect(page.locator(f"{section} .chart svg:visible")).to_be_visible()
            assert_legible(page, section)
        page.evaluate("document.querySelector('header.topbar').style.position = 'static'")
        for section in ("#quiet-regions", "#briefings", "#commitments", "#outcomes"):
            chart = page.locator(f"{section} .chart svg:visible")
            expect(chart).to_have_count(1)  # the phone's drawing there, not a scrolled wide one
            expect(chart).to_have_class(re.compile(rf"\breport-chart-{'wide' if name == 'desktop' else 'narrow'}\b"))
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        quiet = measure(page, "#quiet-regions")
        assert any(t["text"].startswith("No briefing in the last") for t in quiet)  # the legend, clear of the label
        page.locator("#briefings").screenshot(path=str(screenshot(page, f"charts-reports-{name}").with_name(
            f"charts-briefings-card-{name}.png")))
        page.locator("#quiet-regions").screenshot(path=str(screenshot(page, f"charts-reports-{name}").with_name(
            f"charts-quiet-card-{name}.png")))
