"""The timeline picture: a pure function from rows to accessible SVG, and its adapter for a campaign."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from app.core import clock
from app.roadmap import services
from app.roadmap.timeline import NARROW_WIDTH, WIDTH, Row, render, render_page, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
START, END = date(2027, 1, 4), date(2028, 1, 4)
TODAY = date(2027, 6, 1)
ROWS = [
    Row("Offer agreed", date(2027, 1, 18), date(2027, 1, 18), None, "done"),
    Row("Pilot signed", date(2027, 5, 10), date(2027, 4, 28), None, "open", overdue=True, slip_days=12),
    Row("Email series", date(2027, 6, 10), date(2027, 6, 15), 5.0, "open", slip_days=-5),
    Row("Webinar", date(2027, 7, 1), None, None, "added"),
    Row("Partner push", None, date(2027, 8, 1), 10.0, "removed"),
    Row("Trade fair", date(2027, 9, 1), date(2027, 9, 1), None, "cancelled"),
    Row("30% on the new tier", date(2028, 1, 4), date(2028, 1, 4), 30.0, "open"),
]


def draw(rows: list[Row] = ROWS, today: date = TODAY, label: str | None = "#1 Plan of record",
         baseline_end: date | None = date(2027, 12, 20), start: date | None = START, end: date | None = END) -> ET.Element:
    return ET.fromstring(timeline_svg(rows, start, end, today, label, start, baseline_end, "%"))


def row_groups(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "tl-row" in (g.get("class") or "").split()]


def group(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if cls in (el.get("class") or "").split()]


def texts(element: ET.Element) -> str:
    return " ".join(t.strip() for t in element.itertext())


def row_named(root: ET.Element, title: str) -> ET.Element:
    return next(g for g in row_groups(root) if (g.findtext(f"{SVG}title") or "").startswith(title))


# --- structure and accessibility -------------------------------------------------------------------------


def test_the_timeline_is_an_accessible_svg_image_of_fixed_width() -> None:
    root = draw()
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Timeline: 7 milestones, compared with baseline #1 Plan of record"
    assert root.findtext(f"{SVG}title") == "Timeline"
    assert root.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert "href" not in timeline_svg(ROWS, START, END, TODAY, None, None, None)  # no external resources


def test_one_row_group_per_milestone_and_the_height_grows_with_them() -> None:
    root = draw()
    assert len(row_groups(root)) == len(ROWS)
    heights = [float(draw(rows=ROWS[:n]).get("viewBox").split()[3]) for n in (2, 4, 7)]
    assert heights == sorted(heights) and len(set(heights)) == 3


def test_every_milestone_has_a_diamond_at_its_current_date_except_removed_ones() -> None:
    root = draw()
    for g in row_groups(root):
        marks = group(g, "tl-mark")
        assert len(marks) == (0 if "tl-removed" in g.get("class") else 1)


def test_a_ghost_only_where_the_date_moved_or_the_milestone_was_removed() -> None:
    root = draw()
    with_ghost = {g.findtext(f"{SVG}title").split(",")[0] for g in row_groups(root) if group(g, "tl-ghost")}
    assert with_ghost == {"Pilot signed", "Email series", "Partner push"}
    moved = row_named(root, "Pilot signed")
    assert "tl-moved" in moved.get("class")
    assert len(group(moved, "tl-link")) == 1  # ghost and current date joined by a line
    assert group(moved, "tl-ghost")[0].get("stroke-dasharray")  # hollow and dashed: not colour alone
    assert group(moved, "tl-ghost")[0].get("fill") == "#fff"


def test_no_ghosts_at_all_without_a_baseline() -> None:
    rows = [Row(r.title, r.due, None, r.target, "open" if r.state == "added" else r.state, r.overdue)
            for r in ROWS if r.state != "removed"]
    root = draw(rows=rows, label=None, baseline_end=None)
    assert group(root, "tl-ghost") == [] and group(root, "tl-baseline-end") == []
    assert group(root, "tl-new") == []  # nothing is "new" when there is nothing to compare with
    assert "compared" not in root.get("aria-label")


def test_the_slip_is_labelled_in_days_with_a_real_minus_sign() -> None:
    root = draw()
    assert [texts(s) for s in group(row_named(root, "Pilot signed"), "tl-slip")] == ["+12 d"]
    assert [texts(s) for s in group(row_named(root, "Email series"), "tl-slip")] == ["\u22125 d"]
    assert group(row_named(root, "30% on the new tier"), "tl-slip") == []  # unchanged: nothing to say


def test_overdue_rows_are_marked_by_class_colour_and_word() -> None:
    root = draw()
    overdue = row_named(root, "Pilot signed")
    assert "tl-overdue" in overdue.get("class")
    assert group(overdue, "tl-mark")[0].get("fill") == "#b91c1c"
    assert texts(group(overdue, "tl-flag-overdue")[0]) == "overdue"
    assert [g for g in row_groups(root) if "tl-overdue" in g.get("class")] == [overdue]


def test_done_cancelled_added_and_removed_are_told_apart() -> None:
    root = draw()
    assert group(row_named(root, "Offer agreed"), "tl-mark")[0].get("fill") == "#047857"
    assert texts(group(row_named(root, "Trade fair"), "tl-flag-cancelled")[0]) == "cancelled"
    assert "tl-new" in row_named(root, "Webinar").get("class")
    assert texts(group(row_named(root, "Webinar"), "tl-flag-new")[0]) == "new"


def test_removed_rows_are_struck_through() -> None:
    removed = row_named(draw(), "Partner push")
    label = next(t for t in removed.iter(f"{SVG}text") if "tl-label" in (t.get("class") or ""))
    assert "".join(span.text for span in label.iter(f"{SVG}tspan")) == "Partner push"
    assert label.get("text-decoration") == "line-through"
    assert len(group(removed, "tl-strike")) == 1
    assert texts(group(removed, "tl-flag-removed")[0]) == "removed"


def test_goal_targets_are_printed_beside_the_diamond() -> None:
    root = draw()
    assert [texts(t) for t in group(root, "tl-target")] == ["5 %", "10 %", "30 %"]


@pytest.mark.parametrize(("today", "shown"), [
    (TODAY, True), (START, True), (END, True), (START - timedelta(days=400), False), (END + timedelta(days=400), False),
])
def test_the_today_line_only_within_the_axis(today: date, shown: bool) -> None:
    root = draw(today=today)
    marks = group(root, "tl-today")
    assert len(marks) == (1 if shown else 0)
    assert ("today" in texts(group(root, "tl-legend")[0])) == shown  # the key explains only what is drawn
    if shown:
        assert marks[0].find(f"{SVG}line").get("stroke-dasharray")


def test_start_end_and_the_baseline_end_as_markers_with_the_end_slip() -> None:
    root = draw()
    assert texts(group(root, "tl-start")[0]).endswith("Start")
    assert texts(group(root, "tl-end")[0]).endswith("End (+15 d)")
    ghost_end = group(root, "tl-baseline-end")[0]
    assert ghost_end.find(f"{SVG}line").get("stroke-dasharray")
    assert ghost_end.findtext(f"{SVG}title") == "End in #1 Plan of record: 20 Dec 2027"
    assert group(draw(baseline_end=END), "tl-baseline-end") == []  # the same end: nothing to ghost


def label_of(row: ET.Element) -> ET.Element:
    return next(t for t in row.iter(f"{SVG}text") if "tl-label" in (t.get("class") or ""))


def test_titles_escape_markup_and_long_labels_wrap_in_full_with_a_tooltip() -> None:
    title = 'Pilot <beta> & "friends" — a milestone whose title is far too long for the label column'
    raw = timeline_svg([Row(title, date(2027, 3, 1), None, None, "open")], START, END, TODAY, None, None, None)
    assert "<beta>" not in raw
    root = ET.fromstring(raw)
    (row,) = row_groups(root)
    assert row.findtext(f"{SVG}title").startswith(title)
    label = label_of(row)
    assert label.findtext(f"{SVG}title") == title
    lines = [span.text for span in label.iter(f"{SVG}tspan")]
    assert len(lines) > 1 and " ".join(lines) == title  # every word, none cut


def test_the_issue_s_cut_milestone_label_is_shown_whole_and_its_row_grows() -> None:
    title = "First-year checkpoint: 30% of customers on the new tier"
    short = draw(rows=[Row("Pilot", date(2027, 3, 1), None, None, "open")])
    long = draw(rows=[Row(title, date(2027, 3, 1), None, None, "open")])
    assert " ".join(span.text for span in label_of(row_groups(long)[0]).iter(f"{SVG}tspan")) == title
    assert float(long.get("viewBox").split()[3]) > float(short.get("viewBox").split()[3])


def test_a_title_beyond_three_lines_ends_in_an_ellipsis_and_stays_whole_in_its_tooltip() -> None:
    title = "word " * 60
    label = label_of(row_groups(draw(rows=[Row(title, date(2027, 3, 1), None, None, "open")]))[0])
    lines = [span.text for span in label.iter(f"{SVG}tspan")]
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert label.findtext(f"{SVG}title") == title


def test_no_milestones_is_still_a_valid_picture_with_start_and_end() -> None:
    root = draw(rows=[], label=None, baseline_end=None)
    assert row_groups(root) == []
    assert len(group(root, "tl-start")) == len(group(root, "tl-end")) == 1
    assert "No milestones yet" in texts(root)


def test_nothing_dated_at_all_still_draws_around_today() -> None:
    root = draw(rows=[], label=None, baseline_end=None, start=None, end=None)
    assert group(root, "tl-start") == [] and len(group(root, "tl-today")) == 1


def test_month_ticks_and_a_legend() -> None:
    root = draw()
    ticks = [texts(t) for t in group(root, "tl-tick")]
    assert ticks[0] == "Jan 2027" and "Jan 2028" in ticks and "Jul" in ticks
    legend = texts(group(root, "tl-legend")[0])
    for word in ("current date", "done", "overdue", "cancelled", "date in #1 Plan of record", "today", "baseline end"):
        assert word in legend


# --- the adapter ----------------------------------------------------------------------------------------


def test_render_shows_a_moved_milestone_as_a_ghost_against_baseline_1(make_project, people) -> None:
    project = make_project(state="planned")
    baseline = services.baseline_or_none(project, 1)
    assert baseline is not None
    milestone = project.milestones[1]
    moved_to = milestone.due_date + timedelta(days=12)
    edit = services.MilestoneEdit(milestone.id, moved_to, milestone.target_value, milestone.version)
    services.replan(people["pm"], project, [edit], "test")

    root = ET.fromstring(render(project, baseline, clock.today()))
    assert len(row_groups(root)) == len(project.milestones)
    moved = row_named(root, milestone.title)
    assert len(group(moved, "tl-ghost")) == 1
    assert [texts(s) for s in group(moved, "tl-slip")] == ["+12 d"]
    assert [g for g in row_groups(root) if group(g, "tl-ghost")] == [moved]
    assert root.findtext(f"{SVG}title") == f"Timeline of {project.title}"


def test_render_without_a_baseline_draws_the_plan_alone(make_project) -> None:
    project = make_project()  # a draft: no baseline yet
    root = ET.fromstring(render(project, None, clock.today()))
    assert len(row_groups(root)) == len(project.milestones)
    assert group(root, "tl-ghost") == []


def test_a_phone_s_drawing_puts_each_title_above_its_marks_across_the_whole_width() -> None:
    root = ET.fromstring(timeline_svg(ROWS, START, END, TODAY, "#1 Plan of record", START, date(2027, 12, 20), "%",
                                      width=NARROW_WIDTH))
    assert root.get("class") == "roadmap-timeline roadmap-timeline-narrow"
    assert (root.get("viewBox") or "").startswith(f"0 0 {NARROW_WIDTH} ")
    assert len(row_groups(root)) == len(ROWS)
    for row in row_groups(root):
        label = next(t for t in row.iter(f"{SVG}text") if "tl-label" in (t.get("class") or ""))
        marks = group(row, "tl-mark") or group(row, "tl-ghost")
        mark_top = min(float(p.get("d", "").split()[0].split(",")[1]) for p in marks)  # the diamond's top point
        assert float(label.get("y") or 0) < mark_top  # the title above, not beside
        assert label.get("stroke") == "#fff"  # haloed over the plot's lines


def test_the_campaign_page_gets_the_wide_drawing_and_the_phone_s(make_project) -> None:
    project = make_project()
    page = ET.fromstring(f"<div>{render_page(project, None, clock.today())}</div>")
    assert [svg.get("class") for svg in page] == ["roadmap-timeline", "roadmap-timeline roadmap-timeline-narrow"]
    assert (page[0].get("viewBox") or "").startswith(f"0 0 {WIDTH} ")
    assert render(project, None, clock.today()).count("<svg") == 1  # the download: the wide one alone
