"""Quarters, medians and the report's derived headline: pure arithmetic, no database."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.reports import figures
from app.reports.figures import (
    BriefingCell,
    CommitmentQuarter,
    KindVolume,
    OutcomeQuarter,
    QuietRegion,
    Report,
    SignoffTime,
    TriageTime,
)


@pytest.mark.parametrize(("day", "quarter"), [
    (date(2026, 1, 1), "2026 Q1"), (date(2026, 3, 31), "2026 Q1"), (date(2026, 4, 1), "2026 Q2"),
    (date(2026, 9, 30), "2026 Q3"), (date(2026, 10, 1), "2026 Q4"), (date(2026, 12, 31), "2026 Q4"),
])
def test_quarter_of(day: date, quarter: str) -> None:
    assert figures.quarter_of(day) == quarter


def test_quarters_between_covers_every_quarter_the_range_touches() -> None:
    assert figures.quarters_between(date(2025, 11, 20), date(2026, 4, 2)) == ["2025 Q4", "2026 Q1", "2026 Q2"]
    assert figures.quarters_between(date(2026, 5, 1), date(2026, 5, 1)) == ["2026 Q2"]
    assert figures.quarters_between(date(2026, 5, 1), date(2026, 1, 1)) == []


def test_shift_quarters_crosses_years_both_ways() -> None:
    assert figures.shift_quarters(date(2026, 2, 14), -4) == date(2025, 1, 1)
    assert figures.shift_quarters(date(2026, 11, 30), 1) == date(2027, 1, 1)
    assert figures.shift_quarters(date(2026, 1, 1), -1) == date(2025, 10, 1)


def test_default_range_is_four_full_quarters_and_the_current_one() -> None:
    start, end = figures.default_range(date(2026, 5, 15))
    assert (start, end) == (date(2025, 4, 1), date(2026, 5, 15))
    assert figures.quarters_between(start, end) == ["2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]


def test_median_and_mean() -> None:
    assert figures.median([]) is None and figures.mean([]) is None
    assert figures.median([3.0, 1.0, 2.0]) == 2.0
    assert figures.median([0.5, 10.0, 2.0, 3.5]) == 2.75  # (2.0 + 3.5) / 2
    assert figures.mean([2.0, 3.5, 10.0]) == pytest.approx(15.5 / 3)


def test_tenth_rounds_half_up_to_an_exact_decimal() -> None:
    assert figures.tenth(2.75) == Decimal("2.8")
    assert figures.tenth(2.25) == Decimal("2.3")  # half up, not to even
    assert figures.tenth(15.5 / 3) == Decimal("5.2")
    assert figures.tenth(None) is None


def test_durations() -> None:
    assert figures.hours(90 + 30) == Decimal("2.0")
    assert figures.hours(45) == Decimal("0.8")  # 0.75 rounds half up
    start = datetime(2026, 1, 10, 9, 0)
    assert figures.days_between(start, datetime(2026, 1, 12, 21, 0)) == 2.5
    assert figures.hours_between(start, datetime(2026, 1, 12, 21, 0)) == 60.0
    assert figures.age_days(datetime(2026, 4, 20, 23, 0), date(2026, 5, 15)) == 25
    assert figures.day_after(date(2026, 5, 15)) == datetime(2026, 5, 16)


def test_group_briefings_totals_each_region_and_counts_its_products_once() -> None:
    cells = [
        BriefingCell(1, "North", "2026 Q1", 2, 120, 2),
        BriefingCell(1, "North", "2025 Q4", 1, 60, 1),
        BriefingCell(2, "South", "2025 Q4", 1, 45, 1),
    ]
    rows = figures.group_briefings(cells, {1: {10, 11}, 2: {10}})
    assert [(r.region, r.briefings, r.hours, r.products) for r in rows] == [
        ("North", 3, Decimal("3.0"), 2),  # 120 + 60 minutes; products {10, 11}, not 2 + 1
        ("South", 1, Decimal("0.8"), 1),
    ]


def test_the_headline_is_derived_from_the_sections() -> None:
    rows = figures.group_briefings([BriefingCell(1, "North", "2026 Q1", 2, 150, 1)], {1: {10}})
    report = Report(
        date_from=date(2026, 1, 1), date_to=date(2026, 3, 31), quarters=["2026 Q1"], quiet_days=90,
        briefings=rows,
        quiet_regions=[QuietRegion(1, "North", date(2026, 3, 1), 30, False), QuietRegion(2, "South", None, None, True)],
        feedback=[KindVolume("problem", "Problem", 4, {"2026 Q1": 4})],
        triage=[TriageTime("problem", "Problem", 3, Decimal("1.5"), Decimal("2.0"), 1, 9)],
        triage_median_days=Decimal("1.5"),
        commitments=[CommitmentQuarter("2026 Q1", 5, 3, 1, 1, 0, Decimal("2.0"))],
        signoff=SignoffTime(3, Decimal("2.0"), Decimal("48.0")),
        outcomes=[OutcomeQuarter("2026 Q1", 2, 1, 1)],
    )
    head = report.headline
    assert (head.briefings, head.briefing_hours, head.regions_briefed, head.quiet_regions) == (2, Decimal("2.5"), 1, 1)
    assert (head.feedback, head.median_triage_days, head.untriaged) == (4, Decimal("1.5"), 1)
    assert (head.requested, head.countersigned, head.rejected, head.median_days_to_countersign) == (
        5, 3, 1, Decimal("2.0"))
    assert (head.campaigns_completed, head.campaigns_achieved) == (4, 2)
    assert report.briefings_per_quarter == {"2026 Q1": 2}
    assert report.feedback_per_quarter == {"2026 Q1": 4}
