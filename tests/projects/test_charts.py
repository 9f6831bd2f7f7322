"""The goal chart: a pure function from checkpoints to accessible inline SVG, and its axis ticks."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.core.axes import nice_ticks
from app.projects.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, goal_chart_svg
from workflows.goals import Checkpoint

SVG = "{http://www.w3.org/2000/svg}"
START = date(2027, 1, 4)
PLAN = [Checkpoint(START, 0.0), Checkpoint(date(2028, 1, 4), 30.0), Checkpoint(date(2029, 1, 4), 50.0)]
ACTUALS = [Checkpoint(date(2027, 4, 1), 6.0), Checkpoint(date(2027, 7, 1), 11.5), Checkpoint(date(2027, 10, 1), 17.0)]
TODAY = date(2027, 10, 15)

quick = settings(max_examples=60, deadline=None)


def chart(
    plan: list[Checkpoint] = PLAN, actuals: list[Checkpoint] = ACTUALS, today: date = TODAY, unit: str = "%",
    title: str = "Customers on the new tier",
) -> ET.Element:
    return ET.fromstring(goal_chart_svg(plan, actuals, today, unit, title))


def today_marks(root: ET.Element) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.text == "today"]


def titles(root: ET.Element, tag: str) -> list[str]:
    return [el.findtext(f"{SVG}title") for el in root.iter(f"{SVG}{tag}")]


# --- nothing to draw ------------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", [[], [Checkpoint(START, 0.0)]], ids=["no-plan", "one-point"])
def test_no_chart_for_fewer_than_two_plan_points(plan: list[Checkpoint]) -> None:
    assert goal_chart_svg(plan, ACTUALS, TODAY) == ""


# --- structure and accessibility ------------------------------------------------------------------------


def test_the_chart_is_an_accessible_svg_image() -> None:
    root = chart()
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Customers on the new tier: planned path and reported actuals"
    assert root.findtext(f"{SVG}title") == "Customers on the new tier"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"


def test_one_polyline_for_the_plan_and_one_for_the_actuals() -> None:
    plan_line, actual_line = chart().iter(f"{SVG}polyline")
    assert plan_line.findtext(f"{SVG}title") == "Planned path"
    assert plan_line.get("stroke-dasharray")
    assert len(plan_line.get("points").split()) == len(PLAN)
    assert len(actual_line.get("points").split()) == len(ACTUALS)
    assert actual_line.get("stroke-dasharray") is None


def test_without_actuals_there_is_only_the_plan_line_and_no_dots() -> None:
    root = chart(actuals=[])
    assert titles(root, "polyline") == ["Planned path"]
    assert list(root.iter(f"{SVG}circle")) == []


def test_one_dot_per_actual_with_its_value_and_date() -> None:
    assert titles(chart(), "circle") == [
        "Actual 6 % on 2027-04-01",
        "Actual 11.5 % on 2027-07-01",
        "Actual 17 % on 2027-10-01",
    ]


def test_one_diamond_per_plan_checkpoint_after_the_first() -> None:
    root = chart()
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == len(PLAN) - 1
    assert all(r.get("transform", "").startswith("rotate(45 ") for r in rects)
    assert titles(root, "rect") == ["Target 30 % by 2028-01-04", "Target 50 % by 2029-01-04"]


def test_large_values_are_shown_in_thousands() -> None:
    plan = [Checkpoint(START, 0.0), Checkpoint(date(2027, 5, 4), 250000.0)]
    assert titles(chart(plan=plan, actuals=[], unit="EUR"), "rect") == ["Target 250k EUR by 2027-05-04"]


# --- today ----------------------------------------------------------------------------------------------


def test_today_is_marked_inside_the_plan() -> None:
    (mark,) = today_marks(chart())
    assert LEFT < float(mark.get("x")) < WIDTH - RIGHT


def test_today_before_the_start_is_not_marked() -> None:
    assert today_marks(chart(today=START - timedelta(days=1))) == []
    assert today_marks(chart(today=date(2020, 1, 1), actuals=[])) == []


def test_today_on_the_start_is_marked_at_the_left_edge() -> None:
    root = chart(today=START, actuals=[])
    (mark,) = today_marks(root)
    lines = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "#f59e0b"]
    assert [float(ln.get("x1")) for ln in lines] == [LEFT]


def test_today_after_the_plan_stretches_the_axis_and_is_marked_at_the_right_edge() -> None:
    root = chart(today=date(2030, 6, 1))
    lines = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == "#f59e0b"]
    assert [float(ln.get("x1")) for ln in lines] == [WIDTH - RIGHT]
    # The plan now ends well before the right edge.
    last_plan_x = float(next(root.iter(f"{SVG}polyline")).get("points").split()[-1].split(",")[0])
    assert last_plan_x < WIDTH - RIGHT - 50


# --- escaping -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ['Deals <won> & "signed"', "Rock 'n' roll & <script>alert(1)</script>"])
def test_titles_and_units_are_escaped(title: str) -> None:
    markup = goal_chart_svg(PLAN, ACTUALS, TODAY, "<u>&", title)
    assert "<script>" not in markup and "<u>" not in markup
    root = ET.fromstring(markup)  # still well-formed
    assert root.findtext(f"{SVG}title") == title
    assert root.get("aria-label") == f"{title}: planned path and reported actuals"
    assert titles(root, "rect")[0] == "Target 30 <u>& by 2028-01-04"


# --- everything is drawn inside the plot area -----------------------------------------------------------


def plotted_points(root: ET.Element) -> list[tuple[float, float]]:
    points = [
        tuple(map(float, pair.split(",")))
        for line in root.iter(f"{SVG}polyline")
        for pair in line.get("points").split()
    ]
    points += [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]
    return points


checkpoints = st.builds(
    Checkpoint,
    st.integers(-200, 1500).map(lambda n: START + timedelta(days=n)),
    st.floats(-1e5, 1e5, allow_nan=False).map(lambda v: round(v, 2)),
)


@quick
@given(
    plan=st.lists(checkpoints, min_size=2, max_size=5).map(lambda ps: sorted(ps, key=lambda p: p.on)),
    actuals=st.lists(checkpoints, max_size=5).map(lambda ps: sorted(ps, key=lambda p: p.on)),
    today_offset=st.integers(-300, 1600),
)
def test_every_point_is_drawn_inside_the_plot_area(
    plan: list[Checkpoint], actuals: list[Checkpoint], today_offset: int
) -> None:
    root = chart(plan, actuals, START + timedelta(days=today_offset))
    points = plotted_points(root)
    assert len(points) == len(plan) + 2 * len(actuals)
    for x, y in points:
        assert LEFT - 0.05 <= x <= WIDTH - RIGHT + 0.05
        assert TOP - 0.05 <= y <= HEIGHT - BOTTOM + 0.05
    assert len(list(root.iter(f"{SVG}circle"))) == len(actuals)
    assert len(list(root.iter(f"{SVG}rect"))) == len(plan) - 1


def test_an_actual_measured_before_the_start_widens_the_axis_to_the_left() -> None:
    # Reporting allows any past date, e.g. a baseline measured the week before launch.
    root = chart(actuals=[Checkpoint(date(2026, 10, 1), 0.0), *ACTUALS])
    points = plotted_points(root)
    assert all(LEFT <= x <= WIDTH - RIGHT for x, _ in points)
    assert min(x for x, _ in points) == LEFT


@pytest.mark.parametrize("epsilon", [1e-12, 1e-10, 1e-7])
def test_a_nearly_flat_chart_still_draws(epsilon: float) -> None:
    plan = [Checkpoint(START, 100.0), Checkpoint(date(2027, 7, 4), 100.0 + epsilon)]
    root = chart(plan=plan, actuals=[])
    assert root.get("role") == "img"
    assert all(TOP <= y <= HEIGHT - BOTTOM for _, y in plotted_points(root))


# --- nice_ticks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 50, [0, 10, 20, 30, 40, 50]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (0, 250000, [0, 50000, 100000, 150000, 200000, 250000]),
        (-3, 7, [-4, -2, 0, 2, 4, 6, 8]),
        (5, 8, [5, 6, 7, 8]),
        (0, 0.9, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (12, 13, [12.0, 12.2, 12.4, 12.6, 12.8, 13.0]),
        (0, 1.1, [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]),
    ],
)
def test_nice_ticks_examples(low: float, high: float, ticks: list[float]) -> None:
    assert nice_ticks(low, high) == pytest.approx(ticks)


@pytest.mark.parametrize("value", [0.0, 5.0, -3.0, 1234.0])
def test_nice_ticks_of_a_single_value_spans_one_unit_above_it(value: float) -> None:
    ticks = nice_ticks(value, value)
    assert ticks[0] == pytest.approx(value)
    assert ticks[-1] == pytest.approx(value + 1)


@quick
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-3, 1e6, allow_nan=False),
    target=st.integers(3, 10),
)
def test_nice_ticks_cover_the_range_with_evenly_spaced_round_steps(low: float, span: float, target: int) -> None:
    high = low + span
    assume(high > low)
    ticks = nice_ticks(low, high, target)
    step = ticks[1] - ticks[0]
    assert step > 0
    tolerance = 1e-6 * step
    # covers [low, high], with less than a step to spare at each end
    assert ticks[0] <= low + tolerance
    assert ticks[-1] >= high - tolerance
    assert low - ticks[0] < step + tolerance
    assert ticks[-1] - high < step + tolerance
    # evenly spaced, and at most target + 1 of them
    assert all(b - a == pytest.approx(step, rel=1e-6) for a, b in pairwise(ticks))
    assert 2 <= len(ticks) <= target + 1
    # the step is 1, 2, 2.5 or 5 times a power of ten
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(mantissa == pytest.approx(m, rel=1e-6) for m in (1, 2, 2.5, 5, 10))  # 10: rounding just below 1


@quick
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.one_of(st.just(0.0), st.floats(0, 1e-6), st.floats(0, 1e6)),
)
def test_nice_ticks_are_strictly_increasing_and_cover_even_a_flat_range(low: float, span: float) -> None:
    high = low + span
    ticks = nice_ticks(low, high)
    assert len(ticks) >= 2
    assert all(a < b for a, b in pairwise(ticks))
    step = ticks[1] - ticks[0]
    assert ticks[0] <= low + 1e-6 * step
    assert ticks[-1] >= high - 1e-6 * step
