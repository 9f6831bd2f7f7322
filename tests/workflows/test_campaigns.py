"""Campaign templates (TOML data files), their milestone plans, and month arithmetic."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.campaigns import (
    TEMPLATE_DIR,
    CampaignTemplate,
    MilestoneSpec,
    TemplateError,
    add_months,
    load_templates,
    parse_template,
    plan_milestones,
)

SHIPPED = ["upgrade_campaign", "quota_push", "client_pursuit", "product_launch"]

CUSTOM_TOML = """\
name = "Renewal drive"
description = "Renew expiring contracts."
duration_months = 3
order = 7

[goal]
metric = "Contracts renewed"
unit = "contracts"
baseline = 10
target = 40

[[milestones]]
title = "Expiring contracts listed"
offset_days = 3

[[milestones]]
title = "Half renewed"
offset_months = 2
target_share = 0.5
"""


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Minimal",
        "duration_months": 6,
        "goal": {"metric": "Deals", "target": 10},
        "milestones": [{"title": "Kick-off"}],
    }
    data.update(overrides)
    return data


# --- the shipped templates ------------------------------------------------------------------------------


def test_load_templates_returns_the_four_templates_in_display_order() -> None:
    templates = load_templates()
    assert list(templates) == SHIPPED
    assert [t.order for t in templates.values()] == [1, 2, 3, 4]
    assert all(key == t.key for key, t in templates.items())


def test_load_templates_is_cached() -> None:
    assert load_templates() is load_templates()


def test_the_upgrade_campaign_template_reads_as_written() -> None:
    upgrade = load_templates()["upgrade_campaign"]
    assert upgrade.name == "Upgrade campaign"
    assert upgrade.duration_months == 24
    assert (upgrade.goal_metric, upgrade.goal_unit) == ("Current customers on the new tier", "%")
    assert (upgrade.goal_baseline, upgrade.goal_target) == (0.0, 50.0)
    assert len(upgrade.milestones) == 5
    assert upgrade.milestones[0] == MilestoneSpec("Upgrade offer and price band agreed with product", offset_weeks=2)


def test_the_upgrade_campaign_plan_reaches_30_after_one_year_and_50_after_two() -> None:
    upgrade = load_templates()["upgrade_campaign"]
    start = date(2027, 1, 4)
    plan = plan_milestones(upgrade, start, 0.0, 50.0)
    assert [(m.due_date, m.target_value) for m in plan] == [
        (date(2027, 1, 18), None),
        (date(2027, 2, 1), None),
        (date(2027, 4, 26), None),
        (date(2028, 1, 4), 30.0),
        (date(2029, 1, 4), 50.0),
    ]
    assert [m.title for m in plan] == [s.title for s in upgrade.milestones]
    assert upgrade.default_end(start) == date(2029, 1, 4)


def test_plan_milestones_scales_shares_to_the_campaigns_own_goal() -> None:
    upgrade = load_templates()["upgrade_campaign"]
    targets = [m.target_value for m in plan_milestones(upgrade, date(2027, 1, 4), 20.0, 70.0)]
    assert targets[-2:] == [pytest.approx(50.0), pytest.approx(70.0)]


def test_plan_milestones_for_a_decreasing_goal() -> None:
    quota = load_templates()["quota_push"]
    targets = [m.target_value for m in plan_milestones(quota, date(2027, 1, 1), 8.0, 4.0)]
    assert targets == [None, pytest.approx(7.0), pytest.approx(5.6), pytest.approx(4.0)]


@pytest.mark.parametrize("key", SHIPPED)
def test_every_shipped_template_ends_with_the_whole_target_on_its_default_end(key: str) -> None:
    template = load_templates()[key]
    start = date(2027, 3, 31)
    plan = plan_milestones(template, start, template.goal_baseline, template.goal_target)
    assert [m.due_date for m in plan] == sorted(m.due_date for m in plan)
    assert all(start < m.due_date <= template.default_end(start) for m in plan)
    assert plan[-1].due_date == template.default_end(start)
    assert plan[-1].target_value == template.goal_target
    shares = [s.target_share for s in template.milestones if s.target_share is not None]
    assert shares == sorted(shares) and shares[0] > 0 and shares[-1] == 1.0


# --- milestone offsets and add_months ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "due"),
    [
        (MilestoneSpec("a"), date(2027, 1, 31)),
        (MilestoneSpec("a", offset_days=1), date(2027, 2, 1)),
        (MilestoneSpec("a", offset_weeks=2), date(2027, 2, 14)),
        (MilestoneSpec("a", offset_months=1), date(2027, 2, 28)),
        # months first (clamped), then days: 31 Jan + 1 month + 1 day is 1 March
        (MilestoneSpec("a", offset_months=1, offset_days=1), date(2027, 3, 1)),
    ],
)
def test_milestone_due_date(spec: MilestoneSpec, due: date) -> None:
    assert spec.due(date(2027, 1, 31)) == due


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 1, 31), 3, date(2027, 4, 30)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),  # into the next year
        (date(2027, 1, 15), -1, date(2026, 12, 15)),  # back into the previous year
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 2, 28), 12, date(2028, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 5, 17), 0, date(2027, 5, 17)),
        (date(2027, 5, 17), 24, date(2029, 5, 17)),
        (date(2027, 5, 17), -25, date(2025, 4, 17)),
    ],
)
def test_add_months(day: date, months: int, result: date) -> None:
    assert add_months(day, months) == result


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), months=st.integers(-1200, 1200))
def test_add_months_lands_in_the_target_month_and_never_past_its_last_day(day: date, months: int) -> None:
    result = add_months(day, months)
    assert result.year * 12 + result.month == day.year * 12 + day.month + months
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


# --- parse_template -----------------------------------------------------------------------------------


def test_parse_template_applies_defaults() -> None:
    template = parse_template("minimal", minimal())
    assert template == CampaignTemplate(
        key="minimal", name="Minimal", description="", duration_months=6, goal_metric="Deals", goal_unit="",
        goal_baseline=0.0, goal_target=10.0, milestones=(MilestoneSpec("Kick-off"),), order=100,
    )


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({k: v for k, v in minimal().items() if k != "name"}, "name"),
        ({k: v for k, v in minimal().items() if k != "duration_months"}, "duration_months"),
        ({k: v for k, v in minimal().items() if k != "goal"}, "goal"),
        (minimal(goal={"target": 10}), "metric"),
        (minimal(goal={"metric": "Deals"}), "target"),
        (minimal(milestones=[{"offset_weeks": 2}]), "title"),
    ],
)
def test_parse_template_names_a_missing_key(data: dict[str, Any], missing: str) -> None:
    with pytest.raises(TemplateError) as error:
        parse_template("broken", data)
    assert str(error.value) == f"template 'broken' lacks '{missing}'"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (minimal(duration_months="twelve"), "duration_months must be a whole number, not 'twelve'"),
        (minimal(duration_months=1.5), "duration_months must be a whole number, not 1.5"),
        (minimal(goal={"metric": "Deals", "target": "lots"}), "could not convert string to float: 'lots'"),
        (minimal(goal={"metric": "Deals", "target": 10, "baseline": "none"}), "could not convert string to float"),
        (minimal(milestones=[{"title": "a", "offset_weeks": "two"}]), "offset_weeks must be a whole number"),
        (minimal(milestones=[{"title": "a", "target_share": "half"}]), "could not convert string to float: 'half'"),
        (minimal(order=[1]), "order must be a whole number, not [1]"),
    ],
)
def test_parse_template_explains_a_bad_number(data: dict[str, Any], detail: str) -> None:
    with pytest.raises(TemplateError, match=r"^template 'broken': ") as error:
        parse_template("broken", data)
    assert detail in str(error.value)


@pytest.mark.parametrize("milestones", [None, []])
def test_parse_template_refuses_a_template_without_milestones(milestones: list[Any] | None) -> None:
    data = minimal(milestones=milestones) if milestones is not None else {
        k: v for k, v in minimal().items() if k != "milestones"
    }
    with pytest.raises(TemplateError, match=r"^template 'broken' has no milestones$"):
        parse_template("broken", data)


@pytest.mark.parametrize("months", [0, -3])
def test_parse_template_refuses_a_duration_under_a_month(months: int) -> None:
    with pytest.raises(TemplateError, match=r"^template 'broken': duration_months must be at least 1$"):
        parse_template("broken", minimal(duration_months=months))


def test_template_error_is_a_value_error() -> None:
    assert issubclass(TemplateError, ValueError)


# --- load_templates on another directory ------------------------------------------------------------------


def test_load_templates_reads_a_custom_directory(tmp_path: Path) -> None:
    (tmp_path / "renewal_drive.toml").write_text(CUSTOM_TOML, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a template", encoding="utf-8")

    templates = load_templates(tmp_path)

    assert list(templates) == ["renewal_drive"]
    renewal = templates["renewal_drive"]
    assert (renewal.name, renewal.order, renewal.duration_months) == ("Renewal drive", 7, 3)
    assert (renewal.goal_baseline, renewal.goal_target, renewal.goal_unit) == (10.0, 40.0, "contracts")
    plan = plan_milestones(renewal, date(2027, 1, 1), renewal.goal_baseline, renewal.goal_target)
    assert [(m.due_date, m.target_value) for m in plan] == [(date(2027, 1, 4), None), (date(2027, 3, 1), 25.0)]
    # The shipped set is not disturbed by the cache entry for the other directory.
    assert list(load_templates()) == SHIPPED


def test_load_templates_orders_by_order_then_name(tmp_path: Path) -> None:
    for stem, name, order in [("a", "Zeta", 2), ("b", "Beta", 1), ("c", "Alpha", 2)]:
        body = CUSTOM_TOML.replace('name = "Renewal drive"', f'name = "{name}"').replace("order = 7", f"order = {order}")
        (tmp_path / f"{stem}.toml").write_text(body, encoding="utf-8")
    assert list(load_templates.__wrapped__(tmp_path)) == ["b", "c", "a"]


def test_load_templates_names_the_broken_file(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(CUSTOM_TOML, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(CUSTOM_TOML.replace("duration_months = 3", "duration_months = 0"), "utf-8")
    with pytest.raises(TemplateError, match="template 'bad'"):
        load_templates.__wrapped__(tmp_path)


def test_load_templates_on_an_empty_directory_is_empty(tmp_path: Path) -> None:
    assert load_templates.__wrapped__(tmp_path) == {}


def test_the_default_directory_is_the_packaged_templates() -> None:
    assert TEMPLATE_DIR.name == "templates"
    assert sorted(p.stem for p in TEMPLATE_DIR.glob("*.toml")) == sorted(SHIPPED)


def test_a_template_file_that_is_not_toml_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('name = "Unclosed\n')
    with pytest.raises(TemplateError, match=r"^broken\.toml is not valid TOML"):
        load_templates(tmp_path)


def test_the_shared_template_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        load_templates()["mine"] = load_templates()["quota_push"]  # type: ignore[index]
