"""Every chart people read: years on the axis, whole labels, 12-unit text, no text over text, and
a picture for whatever the database holds (nothing, one point, a flat line, huge numbers, long or
unicode labels, ten years). The boxes are those the layouts assume (tests/svgtext.py); the
browser test (tests/browser/test_charts.py) measures the rendered text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date
from itertools import pairwise

import pytest

from app.core.axes import MIN_FONT, month_labels, month_ticks, wrap
from app.projects.charts import MEDIUM_HEIGHT, MEDIUM_WIDTH, NARROW_HEIGHT, NARROW_WIDTH, goal_chart, goal_chart_svg
from app.reports.charts import NARROW_WIDTH as REPORT_NARROW
from app.reports.charts import Bar, Series, bar_chart, hbar_chart
from app.roadmap.timeline import NARROW_WIDTH as TIMELINE_NARROW
from app.roadmap.timeline import Row, timeline_svg
from tests.svgtext import SVG, font_sizes, outside, overlapping, text_boxes
from workflows.goals import Checkpoint

LONG = "First-year checkpoint: 30% of customers on the new tier, confirmed by the regional sales leads"
UNICODE = "Überprüfung Ω Δ 東京 🎯 " * 6


# --- the axis' years --------------------------------------------------------------------------------------


def test_the_issue_s_24_months_name_each_year_on_its_first_tick() -> None:
    ticks = month_ticks(date(2026, 12, 1), date(2028, 12, 1), 8)
    labels = month_labels(ticks)
    # Thinned to every fourth month, the ticks skip January: the year goes on the first in it.
    assert labels == ["Dec 2026", "Apr 2027", "Aug", "Dec", "Apr 2028", "Aug", "Dec"]
    for year in (2026, 2027, 2028):
        assert sum(label.endswith(str(year)) for label in labels) == 1


@pytest.mark.parametrize(("first", "last", "most"), [
    (date(2028, 2, 29), date(2029, 3, 1), 6),  # a 29 February start: the first tick is 1 March 2028
    (date(2024, 2, 29), date(2028, 2, 29), 9),  # leap day to leap day over four years
    (date(2026, 12, 15), date(2031, 2, 1), 7),  # several years, January rarely on a tick
    (date(2020, 1, 1), date(2030, 1, 1), 10),  # ten years
    (date(2027, 3, 1), date(2027, 9, 1), 12),  # within one year: the year once
])
def test_every_year_on_the_axis_is_named_on_its_first_tick_and_only_there(first: date, last: date, most: int) -> None:
    ticks = month_ticks(first, last, most)
    labels = month_labels(ticks)
    assert ticks[0] >= first and labels[0] == f"{ticks[0]:%b} {ticks[0].year}"
    for i, (day, label) in enumerate(zip(ticks, labels, strict=True)):
        first_of_its_year = i == 0 or ticks[i - 1].year != day.year
        assert label == (f"{day:%b} {day.year}" if first_of_its_year else f"{day:%b}")


def test_a_29_february_start_labels_the_first_tick_march_with_its_year() -> None:
    assert month_labels(month_ticks(date(2028, 2, 29), date(2028, 8, 1), 6))[0] == "Mar 2028"


def _timeline(rows: list[Row], start: date, end: date, today: date | None = None, baseline: str | None = None,
              width: int | None = None) -> str:
    return timeline_svg(rows, start, end, today or start, baseline, start if baseline else None,
                        end if baseline else None, "%", "Timeline", **({"width": width} if width else {}))


def _timelines(*args: object) -> Callable[[], list[str]]:
    """The page's two drawings of one timeline: the wide one and the phone's."""
    return lambda: [_timeline(*args), _timeline(*args, width=TIMELINE_NARROW)]


def _bars(*args: object, **options: object) -> Callable[[], list[str]]:
    """The page's two drawings of one per-quarter chart: the wide one and the phone's (a row per quarter)."""
    return lambda: [bar_chart(*args, **options), bar_chart(*args, width=REPORT_NARROW, **options)]


def _tick_labels(svg: str, cls: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for el in root.iter() if cls in (el.get("class") or "").split()
            for t in ([el] if el.tag == f"{SVG}text" else el.iter(f"{SVG}text"))]


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 12, 1), date(2028, 12, 1)), (date(2028, 2, 29), date(2031, 6, 30)), (date(2020, 1, 1), date(2030, 1, 1)),
])
def test_the_timeline_and_the_goal_chart_name_every_year_once(start: date, end: date) -> None:
    plan = [Checkpoint(start, 0.0), Checkpoint(end, 30.0)]
    rows = [Row("Checkpoint", end, None, 30.0, "open")]
    for labels in (_tick_labels(_timeline(rows, start, end), "tl-tick"),
                   _tick_labels(_timeline(rows, start, end, width=TIMELINE_NARROW), "tl-tick"),
                   _tick_labels(goal_chart_svg(plan, [], start), "goal-tick"),
                   _tick_labels(goal_chart_svg(plan, [], start, width=NARROW_WIDTH, height=NARROW_HEIGHT), "goal-tick")):
        assert " " in labels[0]
        years = [label.split()[1] for label in labels if " " in label]
        assert len(years) == len(set(years))  # each year once
        assert years == sorted(years)


# --- every chart, every kind of data ------------------------------------------------------------------------

D0 = date(2027, 1, 4)


def _goal(plan: list[Checkpoint], actuals: list[Checkpoint], today: date = D0, unit: str = "%",
          title: str = "Goal") -> Callable[[], list[str]]:
    def draw() -> list[str]:
        return [goal_chart_svg(plan, actuals, today, unit, title),
                goal_chart_svg(plan, actuals, today, unit, title, width=MEDIUM_WIDTH, height=MEDIUM_HEIGHT),
                goal_chart_svg(plan, actuals, today, unit, title, width=NARROW_WIDTH, height=NARROW_HEIGHT)]
    return draw


CHARTS: dict[str, Callable[[], list[str]]] = {
    "goal": _goal([Checkpoint(D0, 0.0), Checkpoint(date(2028, 1, 4), 30.0)],
                  [Checkpoint(date(2027, 4, 1), 6.0)], date(2027, 6, 1)),
    "goal-flat": _goal([Checkpoint(D0, 7.0), Checkpoint(date(2027, 6, 1), 7.0)], [Checkpoint(D0, 7.0)]),
    "goal-one-day": _goal([Checkpoint(D0, 0.0), Checkpoint(D0, 10.0)], []),
    "goal-huge": _goal([Checkpoint(D0, -1e308), Checkpoint(date(2028, 1, 4), 1e308)], [Checkpoint(D0, 1e15)],
                       unit="EUR"),
    "goal-ten-years": _goal([Checkpoint(date(2020, 2, 29), 0.0), Checkpoint(date(2030, 2, 28), 1e6)],
                            [Checkpoint(date(2024, 2, 29), 4e5)], date(2030, 2, 28)),
    "goal-calendar-ends": _goal([Checkpoint(date(1, 1, 1), 0.0), Checkpoint(date(9999, 12, 31), 1.0)], []),
    "goal-unicode": _goal([Checkpoint(D0, 0.0), Checkpoint(date(2027, 3, 1), 5.0)], [], unit="Ω🎯", title=UNICODE),
    "timeline": _timelines([
        Row("Offer agreed", date(2027, 1, 18), date(2027, 1, 18), None, "done"),
        Row(LONG, date(2027, 5, 10), date(2027, 4, 28), 30.0, "open", overdue=True, slip_days=12),
        Row(UNICODE, date(2027, 6, 10), date(2027, 6, 15), 5.0, "open", slip_days=-5),
        Row("Partner push", None, date(2027, 8, 1), 10.0, "removed"),
        Row("Trade fair", date(2027, 9, 1), date(2027, 9, 1), None, "cancelled"),
        Row("Last one", date(2028, 1, 4), date(2027, 12, 1), 1e15, "open", slip_days=34),
    ], D0, date(2028, 1, 4), date(2027, 6, 1), "#1 " + LONG),
    "timeline-empty": _timelines([], D0, date(2027, 2, 1)),
    "timeline-one": _timelines([Row("Only", D0, None, None, "open")], D0, D0),
    "timeline-ten-years": _timelines(
        [Row(f"Year {y}", date(y, 2, 28), None, float(y), "open") for y in range(2020, 2031)],
        date(2020, 2, 29), date(2030, 3, 1), date(2025, 6, 1)),
    "timeline-calendar-ends": _timelines([Row("Early", date(1, 1, 1), None, -1e308, "open")],
                                         date(1, 1, 1), date(9999, 12, 31)),
    "bars-empty": _bars("Nothing", [], []),
    "bars-one": _bars("One", ["2027 Q1"], [Series("North", (3.0,))], stacked=True),
    "bars-grouped": _bars("Commitments", [f"{y} Q{q}" for y in (2026, 2027) for q in (1, 2, 3, 4)],
                          [Series(n, tuple(float(i * 7 % 13) for i in range(8)))
                           for n in ("Requested", "Countersigned", "Rejected")]),
    "bars-grouped-huge": _bars("Grouped", ["2027 Q1", "2027 Q2"], [Series("A", (1e15, 0.0)), Series("B", (2e14, 1.5))]),
    "bars-huge": _bars("Huge", ["2027 Q1", "2027 Q2"], [Series("A", (1e15, 3e14)), Series("B", (2e14, 1.0))],
                       stacked=True),
    "bars-many-series": _bars("Regions", [f"20{y} Q{q}" for y in range(22, 27) for q in (1, 2, 3, 4)],
                              [Series(f"{UNICODE[:20]} {i}", tuple(float(i + q) for q in range(20)))
                               for i in range(12)], stacked=True),
    "hbar-empty": lambda: [hbar_chart("Quiet", [])],
    "hbar-quiet": lambda: [hbar_chart(
        "Days since", [Bar("North", 10.0, "10 days"), Bar(LONG, None, "never", True), Bar(UNICODE, 200.0, "200 days", True),
                       Bar("Zero", 0.0, "0 days")],
        threshold=90.0, threshold_label="90 days", highlight_label="No briefing in the last 90 days")],
    "hbar-threshold-at-zero": lambda: [hbar_chart("Days since", [Bar("A", 0.0)], threshold=0.0, threshold_label="0 days",
                                                  highlight_label="No briefing")],
    "hbar-huge-half": lambda: [hbar_chart("Feedback", [Bar("Bug", 1e15), Bar("Idea", 1.0), Bar(LONG, 5e9)], width=480)],
    "hbar-phone": lambda: [hbar_chart(
        "Days since", [Bar(LONG, None, "never", True), Bar(UNICODE, 1e15, "1,000,000,000 days", True), Bar("A", 0.0)],
        threshold=90.0, threshold_label="90 days", highlight_label="No briefing in the last 90 days", width=REPORT_NARROW,
        cls="report-chart-narrow")],
}


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_is_an_accessible_image(name: str) -> None:
    for svg in CHARTS[name]():
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label")
        assert root.findtext(f"{SVG}title")


@pytest.mark.parametrize("name", CHARTS)
def test_no_text_is_smaller_than_12_units(name: str) -> None:
    for svg in CHARTS[name]():
        assert text_boxes(svg)
        assert min(font_sizes(svg)) >= MIN_FONT


@pytest.mark.parametrize("name", CHARTS)
def test_no_two_texts_overlap_and_none_leaves_the_picture(name: str) -> None:
    for svg in CHARTS[name]():
        assert overlapping(svg) == []
        assert outside(svg) == []


def test_the_goal_chart_is_drawn_wide_medium_and_narrow_for_the_page() -> None:
    plan = [Checkpoint(D0, 0.0), Checkpoint(date(2028, 1, 4), 30.0)]
    page = goal_chart(plan, [], D0, "%", "Customers")
    wide, medium, narrow = ET.fromstring(f"<div>{page}</div>")
    assert [el.get("class") for el in (wide, medium, narrow)] == [
        "goal-chart goal-chart-wide", "goal-chart goal-chart-medium", "goal-chart goal-chart-narrow"]
    assert medium.get("viewBox") == f"0 0 {MEDIUM_WIDTH} {MEDIUM_HEIGHT}"
    assert narrow.get("viewBox") == f"0 0 {NARROW_WIDTH} {NARROW_HEIGHT}"
    assert goal_chart(plan[:1], [], D0) == ""


def test_the_goal_chart_says_in_words_what_it_shows() -> None:
    plan = [Checkpoint(D0, 0.0), Checkpoint(date(2028, 1, 4), 30.0)]
    root = ET.fromstring(goal_chart_svg(plan, [Checkpoint(date(2027, 4, 1), 6.0)], D0, "%", "Customers"))
    assert root.findtext(f"{SVG}desc") == ("Plan from 0 % on 04 Jan 2027 to 30 % on 04 Jan 2028, 1 target. "
                                           "1 actual reported, the latest 6 % on 01 Apr 2027.")


def test_the_goal_legend_draws_the_marks_so_colour_is_not_the_only_signal() -> None:
    root = ET.fromstring(CHARTS["goal"]()[0])
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "goal-legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["plan", "target", "actual"]
    assert next(legend.iter(f"{SVG}line")).get("stroke-dasharray")  # the plan is dashed, the actuals solid


def test_the_reports_threshold_label_and_legend_are_in_bands_above_the_bars() -> None:
    svg = CHARTS["hbar-quiet"]()[0]
    root = ET.fromstring(svg)
    threshold = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "threshold")
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    bar_tops = [float(r.get("y")) for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]
    assert float(next(legend.iter(f"{SVG}text")).get("y")) < float(threshold.get("y")) - MIN_FONT
    assert float(threshold.get("y")) < min(bar_tops)
    highlighted = [r for r in root.iter(f"{SVG}rect") if "bar-warning" in (r.get("class") or "")]
    assert highlighted and all(r.get("stroke-dasharray") for r in highlighted)  # not by colour alone


@pytest.mark.parametrize(("text", "room", "lines"), [
    ("", 100, [""]), ("short", 300, ["short"]), (LONG, 226, None), ("x" * 200, 100, None),
])
def test_wrapping_keeps_every_line_within_its_room(text: str, room: float, lines: list[str] | None) -> None:
    from app.core.axes import text_width
    wrapped = wrap(text, room)
    assert len(wrapped) <= 3 and all(text_width(line) <= room for line in wrapped)
    if lines is not None:
        assert wrapped == lines


def test_ten_years_of_milestones_keep_their_row_order_and_height() -> None:
    svg = CHARTS["timeline-ten-years"]()[0]
    boxes = [b for b in text_boxes(svg) if b.text.startswith("Year ")]
    assert [b.text for b in boxes] == [f"Year {y}" for y in range(2020, 2031)]
    assert all(later.top - earlier.top >= 30 - 0.01 for earlier, later in pairwise(boxes))


def test_the_reports_legend_shows_whole_names_and_wraps_them_onto_lines() -> None:
    names = ["Nordics and the Baltic states", "Southern Europe", "Central and Eastern Europe", "North America"]
    svg = bar_chart("Briefings", ["2027 Q1"], [Series(n, (1.0,)) for n in names], stacked=True)
    root = ET.fromstring(svg)
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    shown = [t.text.strip() if t.text and t.text.strip() else t.find(f"{SVG}title").tail for t in legend.iter(f"{SVG}text")]
    assert shown == names
    assert len({t.get("y") for t in legend.iter(f"{SVG}text")}) == 2  # too wide for one line: wrapped onto two
    assert overlapping(svg) == []


def test_each_series_has_its_own_symbol_on_its_swatch_and_its_bars() -> None:
    svg = bar_chart("Commitments", ["2027 Q1", "2027 Q2"],
                    [Series(n, (4.0, 6.0)) for n in ("Requested", "Countersigned", "Rejected")])
    root = ET.fromstring(svg)
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    swatches = [p.get("d") for p in legend.iter(f"{SVG}path")]
    assert len(swatches) == 3
    shapes = {d.split()[0][0] + "".join(c for c in d if c.isalpha()) for d in swatches}
    assert len(shapes) == 3  # three different shapes, not three colours alone
    marks = [p for p in root.iter(f"{SVG}path") if p.get("class") == "series-mark"]
    assert len(marks) == 3 + 6  # the legend's and one per bar
