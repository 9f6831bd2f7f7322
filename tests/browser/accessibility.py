"""axe-core in the browser tests: which pages are checked, and the check itself.

axe-core (Deque's rules engine, pinned in tests/browser/axe/package-lock.json, installed by
``npm ci --prefix tests/browser/axe``; scripts/test does it) is handed to the page through
``page.evaluate``: the DevTools protocol runs it outside the page's Content-Security-Policy, so
the policy stays as strict as every deployment's (no inline script is allowed to load it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests import routes

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = "npm ci --prefix tests/browser/axe"

#: WCAG 2.0 and 2.1, levels A and AA: what the issue asks of every page.
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: The impacts that fail a page; "moderate" and "minor" are advice.
FAILING = frozenset({"serious", "critical"})

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

#: GET routes a person does not look at as a page (the rest of tests/routes.py's walk is checked).
NOT_PAGES = {
    "roadmap.changes_csv": "a CSV download",
    "commitments.index_csv": "a CSV download",
    "reports.section_csv": "a CSV download",
    "calendars.milestone_ics": "an .ics download",
    "calendars.task_ics": "an .ics download",
    "calendars.commitment_ics": "an .ics download",
    "roadmap.timeline_svg": "an SVG file (the campaign page draws the same timeline, checked there)",
    "imports.status": "JSON the import page polls",
    "customers.suggest": "JSON for the customer field's suggestions",
    "comments.people": "JSON for the @mention suggestions",
    "ops.healthz": "JSON for a load balancer",
    "ops.readyz": "JSON for a load balancer (tests/ops)",
    "ops.metrics": "Prometheus text for a scraper (tests/ops)",
    "accounts.login_code": "reached only halfway through a sign-in: test_the_signed_out_pages_pass_axe signs in to it",
}


@cache
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed: run {INSTALL} (scripts/test does it).", pytrace=False)
    return AXE.read_text(encoding="utf-8")


def pages(app: Flask, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, URL) of every page of tests/routes.py's walk: no API, download, feed or JSON; ``name`` is the
    endpoint, with the URL's last argument when the endpoint has several routes (``dashboard.work-overdue``)."""
    by_rule = {rule.rule: rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    endpoints = [rule.endpoint for rule in by_rule.values()]
    found = []
    for rule_text, url in routes.get_routes(app, values):
        rule = by_rule[rule_text]
        if rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api") or rule_text.startswith("/api/"):
            continue
        name = rule.endpoint
        if endpoints.count(rule.endpoint) > 1 and rule.arguments:
            name += "-" + url.rstrip("/").rsplit("/", 1)[-1]
        found.append((name, url))
    return found


#: Runs in the page: the serious and critical violations of the WCAG rules, one line per element.
_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.flatMap(v => v.nodes.map(n => ({
    id: v.id, impact: n.impact || v.impact, help: v.help, target: n.target.join(" "), summary: n.failureSummary || ""
  })));
}"""


#: Runs in the page: form controls named only by a placeholder or a title, which axe-core accepts as a
#: name but which vanish as the person types (or show only on hover): every control has a label. (A control
#: in a ``hidden`` element is for password managers alone, beside a password form.)
_UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => !["hidden", "submit", "button", "reset", "image"].includes(el.type) && !el.closest("[hidden]"))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map(el => el.tagName.toLowerCase() + (el.name ? `[name="${el.name}"]` : "") + (el.id ? "#" + el.id : ""))"""


def violations(page: Page) -> list[str]:
    """The page's serious and critical axe-core violations as it is now, one line each:
    ``rule-id (impact) at <target>: help — what to fix``; and its form controls without a label."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(_RUN, list(TAGS))
    lines = [f"{v['id']} ({v['impact']}) at {v['target']}: {v['help']} — {' '.join(v['summary'].split())}"
             for v in found if v["impact"] in FAILING]
    return lines + [f"label (ours) at {target}: Form controls must have a label, not only a placeholder or title"
                    for target in page.evaluate(_UNLABELLED)]


#: Two frames: the resize handlers (static/js/scroll-regions.js) have run and the page is laid out again.
_SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def resize(page: Page, size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    page.evaluate(_SETTLED)


def check(page: Page) -> list[str]:
    """The page checked at desktop width and again at phone width (CSS changes what shows and its
    colours, and what scrolls sideways), each violation once; the page is left at phone width."""
    resize(page, DESKTOP)
    seen = violations(page)
    resize(page, PHONE)
    return seen + [line for line in violations(page) if line not in seen]
