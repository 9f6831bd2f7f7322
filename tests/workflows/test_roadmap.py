"""Roadmap arithmetic: comparing a plan with a baseline, and which promises a re-plan puts at risk."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.roadmap import ItemDelta, PlanItem, Promise, compare, promises_at_risk

START = date(2027, 1, 4)

#: Properties here are cheap; a modest number of examples keeps each test in the milliseconds range.
quick = settings(max_examples=80, deadline=None)


def day(n: int) -> date:
    return START + timedelta(days=n)


def item(key: str, due: int, target: float | None = None, state: str = "open", title: str | None = None) -> PlanItem:
    return PlanItem(key, title or f"Milestone {key}", day(due), target, state)


def by_key(items: tuple[ItemDelta, ...]) -> dict[str, ItemDelta]:
    return {d.key: d for d in items}


# --- compare() -------------------------------------------------------------------------------


def test_an_unchanged_roadmap_is_all_unchanged_with_no_slip() -> None:
    plan = [item("a", 10, 5.0), item("b", 20, 10.0)]
    result = compare(plan, plan, day(100), day(100))
    assert [(d.key, d.kind, d.slip_days) for d in result.items] == [("a", "unchanged", 0), ("b", "unchanged", 0)]
    assert result.end_slip_days == 0
    assert result.count("unchanged") == 2 and result.count("moved") == 0


def test_a_milestone_moved_later_slips_by_the_days_it_moved() -> None:
    result = compare([item("a", 10)], [item("a", 24)])
    [delta] = result.items
    assert (delta.kind, delta.baseline_due, delta.current_due, delta.slip_days) == ("moved", day(10), day(24), 14)


def test_a_milestone_moved_earlier_has_a_negative_slip() -> None:
    [delta] = compare([item("a", 30)], [item("a", 21)]).items
    assert (delta.kind, delta.slip_days) == ("moved", -9)


def test_a_target_only_change_counts_as_moved_with_no_slip() -> None:
    [delta] = compare([item("a", 30, 10.0)], [item("a", 30, 12.5)]).items
    assert (delta.kind, delta.slip_days) == ("moved", 0)
    assert (delta.baseline_target, delta.current_target) == (10.0, 12.5)


def test_a_milestone_added_since_the_baseline_has_no_baseline_date() -> None:
    result = compare([item("a", 10)], [item("a", 10), item("new", 15, 3.0)])
    new = by_key(result.items)["new"]
    assert (new.kind, new.baseline_due, new.current_due, new.slip_days) == ("added", None, day(15), None)
    assert (new.baseline_target, new.current_target) == (None, 3.0)
    assert result.count("added") == 1 and result.count("unchanged") == 1


def test_a_milestone_removed_since_the_baseline_keeps_its_baseline_date() -> None:
    result = compare([item("a", 10, 4.0), item("gone", 15, 6.0)], [item("a", 10, 4.0)])
    gone = by_key(result.items)["gone"]
    assert (gone.kind, gone.baseline_due, gone.current_due, gone.slip_days) == ("removed", day(15), None, None)
    assert (gone.title, gone.baseline_target, gone.current_target) == ("Milestone gone", 6.0, None)
    assert result.count("removed") == 1


def test_a_cancelled_milestone_is_cancelled_even_when_its_date_moved_too() -> None:
    result = compare([item("a", 10), item("b", 20)], [item("a", 10, state="cancelled"), item("b", 40, state="cancelled")])
    assert [(d.key, d.kind) for d in result.items] == [("a", "cancelled"), ("b", "cancelled")]
    assert by_key(result.items)["b"].slip_days == 20  # the date is still reported


def test_a_milestone_cancelled_already_at_the_baseline_is_not_cancelled_again() -> None:
    [delta] = compare([item("a", 10, state="cancelled")], [item("a", 10, state="cancelled")]).items
    assert delta.kind == "unchanged"


def test_a_renamed_milestone_is_the_same_milestone() -> None:
    [delta] = compare([item("a", 10, title="Old name")], [item("a", 10, title="New name")]).items
    assert (delta.kind, delta.title) == ("unchanged", "New name")


def test_an_empty_baseline_makes_everything_added() -> None:
    result = compare([], [item("a", 10), item("b", 5)])
    assert [(d.key, d.kind) for d in result.items] == [("b", "added"), ("a", "added")]
    assert result.count("added") == 2 and result.end_slip_days is None


def test_an_empty_current_plan_makes_everything_removed() -> None:
    result = compare([item("a", 10), item("b", 5)], [])
    assert [(d.key, d.kind, d.current_due) for d in result.items] == [("b", "removed", None), ("a", "removed", None)]


def test_both_empty_is_an_empty_comparison() -> None:
    result = compare([], [], day(0), day(0))
    assert result.items == () and result.end_slip_days == 0


def test_the_end_slip_is_the_days_between_the_end_dates() -> None:
    assert compare([], [], day(100), day(130)).end_slip_days == 30
    assert compare([], [], day(100), day(90)).end_slip_days == -10
    assert compare([], [], None, day(90)).end_slip_days is None
    assert compare([], [], day(100), None).end_slip_days is None


def test_items_are_ordered_by_date_removed_ones_at_their_baseline_date_then_by_title() -> None:
    baseline = [item("a", 30), item("b", 10), item("c", 20, title="Zed"), item("gone", 15)]
    current = [item("a", 5), item("b", 10), item("c", 20, title="Zed"), item("new", 20, title="Alpha")]
    result = compare(baseline, current)
    assert [d.key for d in result.items] == ["a", "b", "gone", "new", "c"]


def test_every_kind_is_counted() -> None:
    baseline = [item("same", 1), item("late", 2), item("cut", 3), item("gone", 4)]
    current = [item("same", 1), item("late", 9), item("cut", 3, state="cancelled"), item("new", 5)]
    result = compare(baseline, current)
    counts = {k: result.count(k) for k in ("unchanged", "moved", "cancelled", "removed", "added")}
    assert counts == {"unchanged": 1, "moved": 1, "cancelled": 1, "removed": 1, "added": 1}


keys = st.sampled_from([f"m{i}" for i in range(12)])
plan_items = st.builds(
    lambda due, target, state: (due, target, state),
    st.integers(min_value=0, max_value=800),
    st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False)),
    st.sampled_from(["open", "done", "cancelled"]),
)
plans = st.dictionaries(keys, plan_items, max_size=12).map(
    lambda d: [PlanItem(k, f"Milestone {k}", day(due), target, state) for k, (due, target, state) in d.items()]
)


@quick
@given(plans, plans)
def test_compare_accounts_for_every_key_of_both_sides_exactly_once(baseline: list[PlanItem],
                                                                   current: list[PlanItem]) -> None:
    result = compare(baseline, current)
    seen = [d.key for d in result.items]
    before, now = {i.key for i in baseline}, {i.key for i in current}
    assert sorted(seen) == sorted(before | now)  # every key, none twice
    for delta in result.items:
        if delta.key not in before:
            assert delta.kind == "added" and delta.baseline_due is None
        elif delta.key not in now:
            assert delta.kind == "removed" and delta.current_due is None
        else:
            assert delta.kind in {"moved", "unchanged", "cancelled"}
    assert sum(result.count(k) for k in ("unchanged", "moved", "cancelled", "removed", "added")) == len(seen)
    dates = [d.current_due or d.baseline_due for d in result.items]
    assert dates == sorted(dates)


# --- promises_at_risk() ----------------------------------------------------------------------


def promise(key: str = "c1", milestone: str = "m1", promised: int = 50) -> Promise:
    return Promise(key, milestone, day(promised))


def test_a_milestone_due_after_the_promised_date_puts_the_promise_at_risk() -> None:
    assert promises_at_risk([promise(promised=50)], {"m1": day(51)}) == {"c1"}


def test_a_milestone_due_on_the_promised_date_is_fine() -> None:
    assert promises_at_risk([promise(promised=50)], {"m1": day(50)}) == set()


def test_a_milestone_due_before_the_promised_date_is_fine() -> None:
    assert promises_at_risk([promise(promised=50)], {"m1": day(10)}) == set()


def test_a_milestone_that_is_gone_puts_the_promise_at_risk() -> None:
    assert promises_at_risk([promise()], {"m1": None}) == {"c1"}


def test_a_promise_on_a_milestone_the_re_plan_does_not_touch_is_ignored() -> None:
    assert promises_at_risk([promise(milestone="m2", promised=1)], {"m1": day(500)}) == set()
    assert promises_at_risk([promise()], {}) == set()


def test_only_the_broken_promises_are_returned() -> None:
    promises = [promise("early", "m1", 10), promise("late", "m1", 90), promise("other", "m2", 5),
                promise("cut", "m3", 500)]
    assert promises_at_risk(promises, {"m1": day(40), "m2": day(5), "m3": None}) == {"early", "cut"}
