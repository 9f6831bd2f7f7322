"""Report charts: accessible SVG that parses, with one bar per non-zero figure and escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.reports.charts import NARROW_WIDTH, PALETTE, WARNING, Bar, Series, bar_chart, hbar_chart, quarters_with_phone

SVG = "{http://www.w3.org/2000/svg}"
QUARTERS = ["2025 Q4", "2026 Q1", "2026 Q2"]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    """What each text element shows (a label's <title> tooltip left out; tspans joined)."""
    shown = []
    for t in root.iter(f"{SVG}text"):
        parts = [t.text or ""]
        for child in t:
            if child.tag != f"{SVG}title":
                parts.append(child.text or "")
            parts.append(child.tail or "")
        shown.append("".join(parts))
    return shown


def test_a_stacked_chart_is_accessible_svg_with_a_bar_per_non_zero_value() -> None:
    root = ET.fromstring(bar_chart("Briefings per quarter", QUARTERS,
                                   [Series("North", (1, 2, 0)), Series("South", (0, 1, 3))], stacked=True))
    assert root.get("role") == "img" and "Briefings per quarter" in (root.get("aria-label") or "")
    assert root.findtext(f"{SVG}title") == "Briefings per quarter"
    assert len(bars(root)) == 4  # 1 + 2 (North) and 1 + 3 (South); zeros draw nothing
    assert {"North", "South"} <= set(texts(root))  # the legend
    assert {"1", "3"} <= set(texts(root))  # stack totals: 1 + 0, 2 + 1, 0 + 3


def test_a_grouped_chart_draws_each_series_side_by_side() -> None:
    root = ET.fromstring(bar_chart("Commitments", QUARTERS, [
        Series("Requested", (3, 2, 1)), Series("Countersigned", (2, 1, 0)), Series("Rejected", (1, 0, 0))]))
    drawn = bars(root)
    assert len(drawn) == 6
    assert {b.get("fill") for b in drawn} == set(PALETTE[:3])
    assert [b.findtext(f"{SVG}title") for b in drawn][:3] == [
        "Requested, 2025 Q4: 3", "Countersigned, 2025 Q4: 2", "Rejected, 2025 Q4: 1"]


def test_text_is_escaped() -> None:
    svg = bar_chart("Per <region>", QUARTERS, [Series("<script>&", (1, 0, 0))])
    assert "<script>" not in svg and "&lt;script&gt;&amp;" in svg
    root = ET.fromstring(svg)
    assert "<script>&" in texts(root)
    hroot = ET.fromstring(hbar_chart("Days", [Bar("<script>&", 12.0)]))
    assert "<script>&" in texts(hroot)


def test_no_data_gives_an_empty_state() -> None:
    for svg in (bar_chart("Outcomes", QUARTERS, [Series("Achieved", (0, 0, 0))], empty="No campaign completed."),
                bar_chart("Outcomes", [], [], empty="No campaign completed."),
                hbar_chart("Feedback", [], empty="No campaign completed.")):
        root = ET.fromstring(svg)
        assert root.findtext(f"{SVG}title") and "No campaign completed." in texts(root)
        assert bars(root) == []


def test_more_series_than_colours_fold_into_other() -> None:
    series = [Series(f"Region {i}", (float(i + 1),)) for i in range(9)]
    root = ET.fromstring(bar_chart("Many", ["2026 Q1"], series, stacked=True))
    assert len(bars(root)) == len(PALETTE)
    assert "Other" in texts(root)
    assert "45" in texts(root)  # the stack's total is unchanged: 1 + 2 + ... + 9


def test_quiet_regions_are_highlighted_and_never_briefed_ones_drawn_across() -> None:
    root = ET.fromstring(hbar_chart(
        "Days since the last briefing",
        [Bar("East", None, "never", True), Bar("South", 165.0, "165 days", True), Bar("North", 84.0, "84 days")],
        threshold=90.0, threshold_label="90 days", highlight_label="No briefing in 90 days"))
    drawn = bars(root)
    assert len(drawn) == 3
    assert [b.get("fill") for b in drawn] == [WARNING, WARNING, PALETTE[0]]
    assert [b.findtext(f"{SVG}title") for b in drawn] == ["East: never", "South: 165 days", "North: 84 days"]
    assert float(drawn[0].get("width") or 0) > float(drawn[1].get("width") or 0)  # never: the whole axis
    assert {"never", "90 days", "No briefing in 90 days"} <= set(texts(root))


def test_zero_is_drawn_not_taken_for_nothing():
    """Feedback triaged the same day has a median of 0 days: a bar at zero, not "nothing triaged yet"."""
    svg = hbar_chart("Median days", [Bar("Pricing", 0.0, "0 days")], empty="Nothing triaged yet.")
    assert "Nothing triaged yet." not in svg and "0 days" in svg
    ET.fromstring(svg)


def test_a_phone_draws_the_quarters_down_the_page_each_named_above_its_bars() -> None:
    series = [Series("Requested", (1, 2, 0)), Series("Countersigned", (0, 1, 3))]
    wide, narrow = ET.fromstring(f"<div>{quarters_with_phone('Commitments', QUARTERS, series)}</div>")
    assert wide.get("class") == "report-chart report-chart-wide"
    assert narrow.get("class") == "report-chart report-chart-narrow"
    assert (narrow.get("viewBox") or "").startswith(f"0 0 {NARROW_WIDTH} ")
    assert len(bars(narrow)) == len(bars(wide)) == 4
    shown = texts(narrow)
    assert [q for q in shown if q in QUARTERS] == QUARTERS  # a row per quarter, in order
    labels = [t for t in narrow.iter(f"{SVG}text") if t.findtext(f"{SVG}title") in QUARTERS]
    ys = [float(t.get("y") or 0) for t in labels]
    assert ys == sorted(ys) and len(set(ys)) == 3  # down the page, one under another
    # Bars run across from the left edge, each inside the drawing.
    for bar in bars(narrow):
        x, width = float(bar.get("x") or 0), float(bar.get("width") or 0)
        assert x >= 8 and x + width <= NARROW_WIDTH and float(bar.get("height") or 0) <= 14


def test_a_phone_s_empty_state_wraps_its_sentence_to_its_width() -> None:
    message = "No campaign completed in this period, in any region you chose."
    page = quarters_with_phone("Outcomes", QUARTERS, [Series("Achieved", (0, 0, 0))], stacked=True, empty=message)
    wide, narrow = ET.fromstring(f"<div>{page}</div>")
    assert wide.get("class") == "report-chart report-chart-empty report-chart-wide"
    assert narrow.get("class") == "report-chart report-chart-empty report-chart-narrow"
    assert texts(wide) == [message]
    lines = [t.text for t in narrow.iter(f"{SVG}tspan")]
    assert len(lines) > 1 and " ".join(lines) == message
