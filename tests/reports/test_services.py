"""The report's figures over the fixed data set of conftest.py, checked against hand-worked values.

Today is 15 May 2026; the default period is 1 Apr 2025 – 15 May 2026 (2025 Q2 … 2026 Q2).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.errors import InvalidInput
from app.extensions import db
from app.reports import services
from app.reports.filters import ReportFilters, parse_filters
from tests.reports.helpers import Dataset

QUARTERS = ["2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]
PERIOD = ReportFilters(date(2025, 4, 1), date(2026, 5, 15))


def with_(**changes: object) -> ReportFilters:
    return ReportFilters(**{**PERIOD.__dict__, **changes})  # type: ignore[arg-type]


# --- filters ----------------------------------------------------------------------------------

def test_the_default_period_is_the_last_four_full_quarters_and_this_one(app, frozen) -> None:
    assert parse_filters({}) == PERIOD
    assert parse_filters({"date_to": "2025-12-31"}) == ReportFilters(date(2024, 10, 1), date(2025, 12, 31))
    assert parse_filters({"date_from": "2026-01-01"}).date_to == date(2026, 5, 15)


@pytest.mark.parametrize(("args", "field"), [
    ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
    ({"date_from": "01/05/2026"}, "date_from"),
    ({"date_to": "2026-02-30"}, "date_to"),
    ({"region_id": "north"}, "region_id"),
    ({"region_id": "999999"}, "region_id"),
    ({"product_id": "-1"}, "product_id"),
    ({"quiet_days": "0"}, "quiet_days"),
    ({"quiet_days": "1.5"}, "quiet_days"),
    ({"date_from": "2019-01-01", "date_to": "2026-01-01"}, "date_from"),  # 29 quarters: more than 20
    # The calendar's very ends: no quarter lies beyond them, nor a day after the last.
    ({"date_from": "9999-12-31"}, "date_from"),
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01"}, "date_from"),
    ({"date_to": "0001-01-01"}, "date_to"),
])
def test_bad_filters_name_their_field(app, frozen, args: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_filters(args)
    assert list(refused.value.fields) == [field]


def test_who_sees_reports(people) -> None:
    assert all(services.can_see_reports(people[k]) for k in ("admin", "sales", "pm", "product"))
    assert not services.can_see_reports(people["team"])
    people["team"].sales_rep = True
    assert services.can_see_reports(people["team"])
    assert people["team"].role is Role.TEAM_MEMBER


# --- briefings --------------------------------------------------------------------------------

def test_briefings_per_region_and_quarter(dataset: Dataset) -> None:
    rows = services.briefings_by_region(PERIOD)
    summary = [(r.region, r.briefings, r.hours, r.products) for r in rows]
    assert summary == [
        ("North", 3, Decimal("3.0"), 2),   # 90 + 30 + 60 minutes = 3.0 h; Alpha and Beta; June's is after today
        ("Dormant", 1, Decimal("0.5"), 1),  # inactive now, but it was briefed in the period: 30 min
        ("South", 1, Decimal("0.8"), 1),   # 45 min = 0.75 h → 0.8; January 2025's is before the period
        ("East", 0, Decimal("0.0"), 0),    # active and never briefed: a row of zeros
    ]
    north = rows[0].cells
    assert sorted(north) == ["2025 Q4", "2026 Q1"]
    assert (north["2026 Q1"].briefings, north["2026 Q1"].hours, north["2026 Q1"].products) == (2, Decimal("2.0"), 2)
    assert (north["2025 Q4"].briefings, north["2025 Q4"].hours, north["2025 Q4"].products) == (1, Decimal("1.0"), 1)


def test_briefings_filtered_by_product_and_region(dataset: Dataset) -> None:
    beta = {r.region: (r.briefings, r.hours) for r in services.briefings_by_region(with_(product_id=dataset.beta.id))}
    # Briefings covering Beta: North 10 Jan (90 min) and 5 Nov (60 min); Dormant 1 Jun 2025 (30 min).
    assert beta == {"North": (2, Decimal("2.5")), "Dormant": (1, Decimal("0.5")), "South": (0, Decimal("0.0")),
                    "East": (0, Decimal("0.0"))}
    south = services.briefings_by_region(with_(region_id=dataset.south.id))
    assert [(r.region, r.briefings) for r in south] == [("South", 1)]


def test_quiet_regions_count_back_from_today(dataset: Dataset) -> None:
    rows = services.quiet_regions(PERIOD, date(2026, 5, 15))
    assert [(r.region, r.last_briefing, r.days_since, r.quiet) for r in rows] == [
        ("East", None, None, True),                  # never briefed
        ("South", date(2025, 12, 1), 165, True),     # Dec 31 + Jan 31 + Feb 28 + Mar 31 + Apr 30 + 14 = 165 > 90
        ("North", date(2026, 2, 20), 84, False),     # 8 + 31 + 30 + 15 = 84 ≤ 90; 1 June is after today
    ]  # Dormant is inactive: not listed
    stricter = services.quiet_regions(with_(quiet_days=60), date(2026, 5, 15))
    assert [r.region for r in stricter if r.quiet] == ["East", "South", "North"]  # 84 > 60
    beta = services.quiet_regions(with_(product_id=dataset.beta.id), date(2026, 5, 15))
    # North's last Beta briefing was 10 Jan: 21 + 28 + 31 + 30 + 15 = 125 days; South never briefed on Beta.
    assert [(r.region, r.days_since) for r in beta] == [("East", None), ("South", None), ("North", 125)]


# --- feedback ---------------------------------------------------------------------------------

def test_feedback_volume_by_kind_and_quarter(dataset: Dataset) -> None:
    volume = {k.kind: k for k in services.feedback_volume(PERIOD)}
    assert {kind: k.total for kind, k in volume.items()} == {
        "feature_request": 3, "problem": 2, "market_appetite": 0, "competitor_intel": 0, "pricing": 1,
    }  # the 2024 pricing item and the March 2025 intel are before the period
    assert volume["feature_request"].by_quarter == dict.fromkeys(QUARTERS, 0) | {"2026 Q1": 3}
    assert volume["problem"].by_quarter == dict.fromkeys(QUARTERS, 0) | {"2025 Q4": 1, "2026 Q2": 1}
    alpha = {k.kind: k.total for k in services.feedback_volume(with_(product_id=dataset.alpha.id))}
    assert alpha["feature_request"] == 1 and sum(alpha.values()) == 1


def test_triage_times(dataset: Dataset) -> None:
    rows, overall = services.triage_times(PERIOD, date(2026, 5, 15))
    by_kind = {t.kind: (t.decided, t.median_days, t.mean_days, t.untriaged, t.oldest_untriaged_days) for t in rows}
    assert by_kind == {
        # 2.0, 3.5 and 10.0 days: median 3.5, mean 15.5 / 3 = 5.17 → 5.2
        "feature_request": (3, Decimal("3.5"), Decimal("5.2"), 0, None),
        # 0.5 days; one still new since 20 Apr: 10 + 15 = 25 days
        "problem": (1, Decimal("0.5"), Decimal("0.5"), 1, 25),
        "market_appetite": (0, None, None, 0, None),
        "competitor_intel": (0, None, None, 0, None),  # its decision was on feedback before the period
        # nothing decided; two new, the oldest filed 1 Dec 2024: 365 + 165 = 530 days ago (whenever filed)
        "pricing": (0, None, None, 2, 530),
    }
    assert overall == Decimal("2.8")  # median of 0.5, 2.0, 3.5, 10.0 = (2.0 + 3.5) / 2 = 2.75 → 2.8


# --- commitments ------------------------------------------------------------------------------

def test_commitments_per_quarter_of_submission(dataset: Dataset) -> None:
    quarters, signoff = services.commitment_flow(PERIOD)
    table = {q.quarter: (q.requested, q.countersigned, q.rejected, q.waiting, q.other, q.median_days_to_countersign)
             for q in quarters}
    assert table == {
        "2025 Q2": (0, 0, 0, 0, 0, None),
        "2025 Q3": (0, 0, 0, 0, 0, None),
        "2025 Q4": (1, 1, 0, 0, 0, Decimal("4.0")),  # at risk: still countersigned; 3 → 7 Nov = 4.0 days
        "2026 Q1": (3, 2, 1, 0, 0, Decimal("1.8")),  # approved 2.5 days, fulfilled 1.0: median 1.75 → 1.8
        "2026 Q2": (2, 0, 0, 1, 1, None),            # one waiting, one withdrawn
    }  # the draft was never submitted; February 2025's is before the period
    # 2.5, 1.0 and 4.0 days → median 2.5; 60, 24 and 96 hours → median 60.0
    assert (signoff.countersigned, signoff.median_days, signoff.median_hours) == (3, Decimal("2.5"), Decimal("60.0"))


def test_commitments_filtered_by_region_and_product(dataset: Dataset) -> None:
    _quarters, north = services.commitment_flow(with_(region_id=dataset.north.id))
    assert (north.countersigned, north.median_days) == (2, Decimal("3.3"))  # 2.5 and 4.0 days: 3.25 → 3.3
    beta_quarters, beta = services.commitment_flow(with_(product_id=dataset.beta.id))
    assert sum(q.requested for q in beta_quarters) == 2 and beta.median_hours == Decimal("96.0")


# --- campaigns --------------------------------------------------------------------------------

def test_campaign_outcomes_per_quarter_of_completion(dataset: Dataset) -> None:
    outcomes = {q.quarter: (q.achieved, q.partial, q.missed) for q in services.campaign_outcomes(PERIOD)}
    assert outcomes == {
        "2025 Q2": (0, 0, 0),
        "2025 Q3": (0, 1, 0),
        "2025 Q4": (1, 0, 0),  # no completion in the trail: its last update, 20 Dec 2025
        "2026 Q1": (1, 0, 1),
        "2026 Q2": (0, 0, 0),
    }  # January 2025's is before the period; the open campaign is not completed
    north = services.campaign_outcomes(with_(region_id=dataset.north.id))
    assert [(q.quarter, q.completed) for q in north if q.completed] == [("2025 Q3", 1), ("2026 Q1", 1)]
    # Campaigns have no product: the product filter changes nothing.
    assert services.campaign_outcomes(with_(product_id=dataset.alpha.id)) == services.campaign_outcomes(PERIOD)


# --- the whole report -------------------------------------------------------------------------

def test_the_report_and_its_headline(dataset: Dataset) -> None:
    report = services.build_report(PERIOD)
    assert report.quarters == QUARTERS
    head = report.headline
    # 3 + 1 + 1 briefings; 180 + 30 + 45 = 255 minutes = 4.25 h → 4.3
    assert (head.briefings, head.briefing_hours, head.regions_briefed, head.quiet_regions) == (5, Decimal("4.3"), 3, 2)
    assert (head.feedback, head.median_triage_days, head.untriaged) == (6, Decimal("2.8"), 3)
    assert (head.requested, head.countersigned, head.rejected, head.median_days_to_countersign) == (
        6, 3, 1, Decimal("2.5"))
    assert (head.campaigns_completed, head.campaigns_achieved) == (4, 2)


def test_the_report_reads_aggregates_in_a_fixed_number_of_queries(dataset: Dataset) -> None:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        services.build_report(PERIOD)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 12  # a few per section, however many records there are
