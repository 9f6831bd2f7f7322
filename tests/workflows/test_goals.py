"""Goal arithmetic: the planned path, the value expected on a day, progress, track status, outcome."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.goals import (
    ON_TRACK_TOLERANCE,
    Checkpoint,
    expected_value,
    outcome,
    planned_path,
    progress_percent,
    track_status,
)

START = date(2027, 1, 1)
END = date(2027, 12, 31)

#: Properties here are cheap; a modest number of examples keeps each test in the milliseconds range.
quick = settings(max_examples=60, deadline=None)


def day(n: int) -> date:
    return START + timedelta(days=n)


# --- planned_path ---------------------------------------------------------------------------------------


def test_planned_path_without_milestones_is_baseline_to_target() -> None:
    assert planned_path(START, 0.0, END, 50.0, []) == [Checkpoint(START, 0.0), Checkpoint(END, 50.0)]


def test_planned_path_sorts_milestones_by_date() -> None:
    milestones = [Checkpoint(day(200), 30.0), Checkpoint(day(50), 10.0), Checkpoint(day(100), 20.0)]
    assert planned_path(START, 0.0, END, 50.0, milestones) == [
        Checkpoint(START, 0.0),
        Checkpoint(day(50), 10.0),
        Checkpoint(day(100), 20.0),
        Checkpoint(day(200), 30.0),
        Checkpoint(END, 50.0),
    ]


def test_planned_path_drops_milestones_on_or_before_the_start() -> None:
    milestones = [Checkpoint(START, 99.0), Checkpoint(START - timedelta(days=1), 98.0), Checkpoint(day(10), 5.0)]
    assert planned_path(START, 0.0, END, 50.0, milestones) == [
        Checkpoint(START, 0.0), Checkpoint(day(10), 5.0), Checkpoint(END, 50.0),
    ]


def test_planned_path_without_an_end_stops_at_the_last_milestone() -> None:
    assert planned_path(START, 0.0, None, 50.0, [Checkpoint(day(10), 5.0)]) == [
        Checkpoint(START, 0.0), Checkpoint(day(10), 5.0),
    ]
    assert planned_path(START, 3.0, None, 50.0, []) == [Checkpoint(START, 3.0)]


def test_planned_path_keeps_a_matching_final_milestone_once() -> None:
    # The templates put a milestone with the whole target on the end date.
    path = planned_path(START, 0.0, END, 50.0, [Checkpoint(day(100), 30.0), Checkpoint(END, 50.0)])
    assert path == [Checkpoint(START, 0.0), Checkpoint(day(100), 30.0), Checkpoint(END, 50.0)]


def test_the_goal_target_replaces_a_milestone_on_the_end_date() -> None:
    # e.g. the goal target was raised from 50 to 60 after the template planned a 50 on the end date
    path = planned_path(START, 0.0, END, 60.0, [Checkpoint(day(100), 30.0), Checkpoint(END, 50.0)])
    assert path == [Checkpoint(START, 0.0), Checkpoint(day(100), 30.0), Checkpoint(END, 60.0)]
    assert expected_value(path, END) == 60.0


def test_a_milestone_after_the_end_extends_the_path_beyond_the_goal_target() -> None:
    late = Checkpoint(END + timedelta(days=30), 80.0)
    path = planned_path(START, 0.0, END, 50.0, [late])
    assert path == [Checkpoint(START, 0.0), Checkpoint(END, 50.0), late]
    assert expected_value(path, END) == 50.0


def test_an_end_on_or_before_the_start_adds_no_target() -> None:
    milestones = [Checkpoint(day(10), 5.0)]
    assert planned_path(START, 0.0, START, 50.0, milestones) == [Checkpoint(START, 0.0), Checkpoint(day(10), 5.0)]
    assert planned_path(START, 0.0, day(-5), 50.0, []) == [Checkpoint(START, 0.0)]


checkpoint_lists = st.lists(
    st.builds(Checkpoint, st.integers(-30, 400).map(day), st.floats(-1e4, 1e4, allow_nan=False)), max_size=8
)


@quick
@given(milestones=checkpoint_lists, end_offset=st.one_of(st.none(), st.integers(-5, 500)))
def test_planned_path_runs_in_date_order_from_the_baseline_through_the_target_on_the_end_date(
    milestones: list[Checkpoint], end_offset: int | None
) -> None:
    end = None if end_offset is None else day(end_offset)
    path = planned_path(START, 7.0, end, 70.0, milestones)
    assert path[0] == Checkpoint(START, 7.0)
    assert [p.on for p in path] == sorted(p.on for p in path)
    assert all(p.on > START for p in path[1:])
    kept = [m for m in milestones if m.on > START and m.on != end]
    if end is not None and end > START:
        assert [p for p in path if p.on == end] == [Checkpoint(end, 70.0)]
        assert sorted(path[1:], key=repr) == sorted([*kept, Checkpoint(end, 70.0)], key=repr)
    else:
        assert sorted(path[1:], key=repr) == sorted(kept, key=repr)


# --- expected_value -------------------------------------------------------------------------------------

PATH = [Checkpoint(START, 0.0), Checkpoint(day(100), 30.0), Checkpoint(day(300), 50.0)]


@pytest.mark.parametrize("on", [START, START - timedelta(days=1), date(2020, 1, 1)])
def test_expected_value_before_the_start_is_the_baseline(on: date) -> None:
    assert expected_value(PATH, on) == 0.0


@pytest.mark.parametrize("checkpoint", PATH)
def test_expected_value_on_a_checkpoint_is_its_value(checkpoint: Checkpoint) -> None:
    assert expected_value(PATH, checkpoint.on) == checkpoint.value


@pytest.mark.parametrize(("on", "value"), [(day(50), 15.0), (day(200), 40.0), (day(25), 7.5), (day(250), 45.0)])
def test_expected_value_interpolates_linearly_between_checkpoints(on: date, value: float) -> None:
    assert expected_value(PATH, on) == pytest.approx(value)


@pytest.mark.parametrize("on", [day(300), day(301), date(2040, 1, 1)])
def test_expected_value_after_the_end_is_the_final_target(on: date) -> None:
    assert expected_value(PATH, on) == 50.0


def test_expected_value_follows_a_decreasing_goal() -> None:
    churn = [Checkpoint(START, 8.0), Checkpoint(day(100), 5.0)]
    assert expected_value(churn, day(50)) == pytest.approx(6.5)


def test_expected_value_of_a_single_point_path_is_flat() -> None:
    assert expected_value([Checkpoint(START, 4.0)], day(10)) == 4.0


def test_expected_value_on_two_checkpoints_on_the_same_day_takes_the_later() -> None:
    path = [Checkpoint(START, 0.0), Checkpoint(day(10), 5.0), Checkpoint(day(10), 9.0)]
    assert expected_value(path, day(10)) == 5.0
    assert expected_value(path, day(11)) == 9.0


values = st.floats(-1e6, 1e6, allow_nan=False)


@quick
@given(
    points=st.lists(st.tuples(st.integers(1, 60), values), min_size=1, max_size=6),
    baseline=values,
    offset=st.integers(-10, 400),
)
def test_expected_value_stays_between_the_checkpoints_it_interpolates(
    points: list[tuple[int, float]], baseline: float, offset: int
) -> None:
    path = [Checkpoint(START, baseline)]
    for gap, value in points:
        path.append(Checkpoint(path[-1].on + timedelta(days=gap), value))
    on = day(offset)
    result = expected_value(path, on)
    if on <= path[0].on:
        assert result == path[0].value
    elif on >= path[-1].on:
        assert result == pytest.approx(path[-1].value, rel=1e-12, abs=1e-9)
    else:
        before, after = next((b, a) for b, a in pairwise(path) if b.on < on <= a.on)
        low, high = sorted((before.value, after.value))
        slack = 1e-12 * max(abs(low), abs(high), 1.0)  # one rounding step of a + share * (b - a)
        assert low - slack <= result <= high + slack


# --- progress_percent -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "percent"),
    [
        (0, 50, 25, 50.0),
        (0, 50, 50, 100.0),
        (0, 50, 0, 0.0),
        (0, 50, 60, 120.0),  # unclamped above
        (10, 20, 5, -50.0),  # and below
        (8, 5, 6.5, 50.0),  # churn down from 8% to 5%
        (8, 5, 5, 100.0),
        (8, 5, 9, -100.0 / 3),
    ],
)
def test_progress_percent(baseline: float, target: float, actual: float, percent: float) -> None:
    assert progress_percent(baseline, target, actual) == pytest.approx(percent)


@pytest.mark.parametrize(("baseline", "target", "actual"), [(0, 50, None), (5, 5, 7), (5, 5, None)])
def test_progress_percent_is_none_without_an_actual_or_a_span(
    baseline: float, target: float, actual: float | None
) -> None:
    assert progress_percent(baseline, target, actual) is None


@quick
@given(baseline=values, target=values)
def test_progress_percent_is_0_at_the_baseline_and_100_at_the_target(baseline: float, target: float) -> None:
    if baseline == target:
        assert progress_percent(baseline, target, target) is None
    else:
        assert progress_percent(baseline, target, baseline) == 0.0
        assert progress_percent(baseline, target, target) == 100.0


# --- track_status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "target", "expected", "actual", "status"),
    [
        (0, 100, 50, 70, "ahead"),
        (0, 100, 50, 50, "on_track"),
        (0, 100, 50, 52, "on_track"),
        (0, 100, 50, 48, "on_track"),
        (0, 100, 50, 30, "behind"),
        (0, 100, 50, None, "no_data"),
        # churn from 8% down to 5%: lower is better
        (8, 5, 6.5, 5.5, "ahead"),
        (8, 5, 6.5, 6.5, "on_track"),
        (8, 5, 6.5, 7.5, "behind"),
        (8, 5, 6.5, None, "no_data"),
        # no span: nothing to be ahead of or behind
        (5, 5, 5, 9, "on_track"),
    ],
)
def test_track_status(baseline: float, target: float, expected: float, actual: float | None, status: str) -> None:
    assert track_status(baseline, target, expected, actual) == status


@pytest.mark.parametrize(
    ("actual", "status"),
    [(55.0, "on_track"), (55.01, "ahead"), (45.0, "on_track"), (44.99, "behind")],
)
def test_track_status_tolerance_boundary_is_on_track(actual: float, status: str) -> None:
    # The tolerance is 5% of the whole baseline→target span; exactly at the edge still counts as on track.
    assert ON_TRACK_TOLERANCE == 0.05
    assert track_status(0.0, 100.0, 50.0, actual) == status


@pytest.mark.parametrize(("actual", "status"), [(6.0, "on_track"), (5.9, "ahead"), (7.0, "on_track"), (7.1, "behind")])
def test_track_status_tolerance_on_a_decreasing_goal(actual: float, status: str) -> None:
    # Span 10 → 0, tolerance 0.5 either side of the expected 6.5.
    assert track_status(10.0, 0.0, 6.5, actual) == status


@quick
@given(baseline=values, target=values, expected=values)
def test_track_status_is_on_track_when_exactly_as_expected(baseline: float, target: float, expected: float) -> None:
    assert track_status(baseline, target, expected, expected) == "on_track"


# --- outcome --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "result"),
    [
        (0, 50, 50, "achieved"),
        (0, 50, 70, "achieved"),
        (0, 50, 49.9, "partial"),
        (0, 50, 0.1, "partial"),
        (0, 50, 0, "missed"),
        (0, 50, -3, "missed"),
        (8, 5, 5, "achieved"),
        (8, 5, 4, "achieved"),
        (8, 5, 6.5, "partial"),
        (8, 5, 8, "missed"),
        (8, 5, 9, "missed"),
        (5, 5, 5, "achieved"),
    ],
)
def test_outcome(baseline: float, target: float, actual: float, result: str) -> None:
    assert outcome(baseline, target, actual) == result
