"""Can the promise be kept? Every rule of ``feasibility.check``, as pure functions of the terms."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.feasibility import BLOCKER, WARNING, Finding, Terms, check

TODAY = date(2027, 3, 1)
PROMISED = date(2027, 6, 1)
DAY = timedelta(days=1)

#: A promise nothing stands against: an available product, sellable in the region, priced inside its band.
FINE = Terms(
    product="Northwind Pro",
    product_status="available",
    product_available_from=None,
    region="Nordics",
    coverage="sellable",
    coverage_reason="",
    coverage_from=None,
    promised_date=PROMISED,
    effective_price=Decimal("90.00"),
    band="Pro",
    band_minimum=Decimal("80.00"),
    currency="EUR",
    milestone=None,
    milestone_due=None,
)
#: A milestone linked and due on the promised day: keeps the "no milestone" warning out of the other rules' tests.
LINKED = {"milestone": "SSO shipped", "milestone_due": PROMISED}

KNOWN_CODES = {
    "date_past": BLOCKER,
    "region_unknown": BLOCKER, "region_not_allowed": BLOCKER, "region_planned": BLOCKER,
    "product_retired": BLOCKER, "product_planned": BLOCKER, "product_beta": WARNING,
    "before_milestone": BLOCKER, "no_milestone": WARNING, "below_band": WARNING,
}
#: Which of the four rules (region, availability, milestone, price) gives each code.
RULE_OF = {
    "date_past": "date",
    "region_unknown": "region", "region_not_allowed": "region", "region_planned": "region",
    "product_retired": "availability", "product_planned": "availability", "product_beta": "availability",
    "before_milestone": "milestone", "no_milestone": "milestone", "below_band": "price",
}


def terms(**changes: object) -> Terms:
    return dataclasses.replace(FINE, **changes)


def findings(**changes: object) -> list[tuple[str, str, str]]:
    return [(f.code, f.severity, f.message) for f in check(terms(**changes), TODAY)]


def codes(**changes: object) -> list[str]:
    return [f.code for f in check(terms(**changes), TODAY)]


def test_a_promise_nothing_stands_against_has_no_finding() -> None:
    assert check(FINE, TODAY) == []
    assert check(terms(**LINKED), TODAY) == []


def test_a_finding_knows_whether_it_blocks() -> None:
    assert Finding("x", BLOCKER, "m").is_blocker
    assert not Finding("x", WARNING, "m").is_blocker


# --- region -----------------------------------------------------------------------------------------


def test_no_coverage_recorded_is_a_blocker() -> None:
    assert findings(coverage=None) == [
        ("region_unknown", BLOCKER, "Nothing says Northwind Pro in Nordics may be sold: no market coverage is recorded."),
    ]


def test_not_allowed_is_a_blocker_that_gives_the_reason() -> None:
    assert findings(coverage="not_allowed", coverage_reason="Not certified under local rules") == [
        ("region_not_allowed", BLOCKER, "Northwind Pro in Nordics may not be sold: Not certified under local rules."),
    ]


def test_not_allowed_without_a_reason_is_still_a_blocker() -> None:
    assert findings(coverage="not_allowed", coverage_reason="") == [
        ("region_not_allowed", BLOCKER, "Northwind Pro in Nordics may not be sold."),
    ]


def test_planned_coverage_from_after_the_promised_date_is_a_blocker() -> None:
    assert findings(coverage="planned", coverage_from=date(2027, 9, 15)) == [
        ("region_planned", BLOCKER, "Northwind Pro in Nordics is planned from 15 Sep 2027, after the promised 01 Jun 2027."),
    ]
    assert codes(coverage="planned", coverage_from=PROMISED + DAY) == ["region_planned"]


@pytest.mark.parametrize("start", [PROMISED, PROMISED - DAY, date(2026, 1, 1)], ids=["same-day", "day-before", "long-before"])
def test_planned_coverage_from_on_or_before_the_promised_date_is_fine(start: date) -> None:
    assert check(terms(coverage="planned", coverage_from=start), TODAY) == []


def test_planned_coverage_with_no_date_is_a_blocker() -> None:
    assert findings(coverage="planned", coverage_from=None) == [
        ("region_planned", BLOCKER, "Northwind Pro in Nordics is only planned, with no date yet."),
    ]


def test_sellable_ignores_a_leftover_reason_or_date() -> None:
    assert check(terms(coverage="sellable", coverage_reason="old", coverage_from=PROMISED + DAY), TODAY) == []


# --- product availability ----------------------------------------------------------------------------


def test_a_retired_product_is_a_blocker() -> None:
    assert findings(product_status="retired", **LINKED) == [("product_retired", BLOCKER, "Northwind Pro is retired.")]


def test_a_planned_product_with_no_date_is_a_blocker() -> None:
    assert findings(product_status="planned", product_available_from=None, **LINKED) == [
        ("product_planned", BLOCKER,
         "Northwind Pro is only planned: generally available with no date yet, the promise is for 01 Jun 2027."),
    ]


def test_a_planned_product_available_after_the_promise_is_a_blocker() -> None:
    assert findings(product_status="planned", product_available_from=date(2027, 7, 1), **LINKED) == [
        ("product_planned", BLOCKER,
         "Northwind Pro is only planned: generally available from 01 Jul 2027, the promise is for 01 Jun 2027."),
    ]


@pytest.mark.parametrize("ready", [PROMISED, PROMISED - DAY], ids=["same-day", "day-before"])
@pytest.mark.parametrize("status", ["planned", "beta"])
def test_a_product_available_by_the_promised_date_is_fine(status: str, ready: date) -> None:
    assert check(terms(product_status=status, product_available_from=ready, **LINKED), TODAY) == []


def test_a_beta_product_available_after_the_promise_is_a_warning() -> None:
    assert findings(product_status="beta", product_available_from=date(2027, 7, 1), **LINKED) == [
        ("product_beta", WARNING,
         "Northwind Pro is in beta: generally available from 01 Jul 2027, the promise is for 01 Jun 2027."),
    ]


def test_a_beta_product_with_no_date_is_a_warning() -> None:
    assert findings(product_status="beta", product_available_from=None, **LINKED) == [
        ("product_beta", WARNING,
         "Northwind Pro is in beta: generally available with no date yet, the promise is for 01 Jun 2027."),
    ]


def test_an_available_product_is_fine() -> None:
    assert check(terms(product_status="available", product_available_from=date(2020, 1, 1)), TODAY) == []


# --- the roadmap milestone ----------------------------------------------------------------------------


def test_a_promise_before_the_linked_milestone_delivers_is_a_blocker() -> None:
    assert findings(milestone="SSO shipped", milestone_due=date(2027, 8, 31)) == [
        ("before_milestone", BLOCKER, "Promised for 01 Jun 2027, before “SSO shipped” delivers it on 31 Aug 2027."),
    ]
    assert codes(milestone="SSO shipped", milestone_due=PROMISED + DAY) == ["before_milestone"]


@pytest.mark.parametrize("due", [PROMISED, PROMISED - DAY], ids=["on-the-day", "after"])
@pytest.mark.parametrize("status", ["available", "planned", "beta"])
def test_a_promise_on_or_after_the_linked_milestone_is_fine(due: date, status: str) -> None:
    ready = PROMISED if status != "available" else None
    assert check(terms(milestone="SSO shipped", milestone_due=due, product_status=status,
                       product_available_from=ready), TODAY) == []


@pytest.mark.parametrize("status", ["planned", "beta"])
def test_no_milestone_for_a_product_not_yet_available_is_a_warning(status: str) -> None:
    assert findings(product_status=status, product_available_from=PROMISED - DAY) == [
        ("no_milestone", WARNING,
         "Northwind Pro is not available yet and no roadmap milestone that delivers it is linked."),
    ]


def test_no_milestone_for_an_available_product_whose_date_is_still_ahead_is_a_warning() -> None:
    assert codes(product_status="available", product_available_from=TODAY + DAY) == ["no_milestone"]


@pytest.mark.parametrize("ready", [TODAY, TODAY - DAY, None], ids=["today", "yesterday", "no-date"])
def test_no_milestone_for_an_available_product_is_fine(ready: date | None) -> None:
    assert check(terms(product_status="available", product_available_from=ready), TODAY) == []


def test_a_milestone_without_a_due_date_counts_as_none_linked() -> None:
    assert codes(product_status="beta", product_available_from=PROMISED, milestone="SSO", milestone_due=None) == [
        "no_milestone",
    ]


# --- price ---------------------------------------------------------------------------------------------


def test_a_price_below_the_band_minimum_is_a_warning() -> None:
    assert findings(effective_price=Decimal("79.99")) == [
        ("below_band", WARNING, "The price 79.99 EUR is below the Pro minimum of 80.00 EUR."),
    ]


def test_the_price_warning_groups_thousands_and_names_the_band_or_says_price_band() -> None:
    assert findings(effective_price=Decimal("1234.5"), band_minimum=Decimal("2000"), band=None) == [
        ("below_band", WARNING, "The price 1,234.50 EUR is below the price band minimum of 2,000.00 EUR."),
    ]


@pytest.mark.parametrize("price", [Decimal("80.00"), Decimal("80"), Decimal("80.01"), Decimal("1000")])
def test_a_price_at_or_above_the_minimum_is_fine(price: Decimal) -> None:
    assert check(terms(effective_price=price), TODAY) == []


@pytest.mark.parametrize(
    "change",
    [{"effective_price": None}, {"band": None, "band_minimum": None}, {"effective_price": None, "band_minimum": None}],
    ids=["no-price", "no-band", "neither"],
)
def test_no_price_or_no_band_gives_no_price_finding(change: dict[str, object]) -> None:
    assert check(terms(**change), TODAY) == []


def test_a_zero_price_against_a_band_is_below_it() -> None:
    assert codes(effective_price=Decimal("0.00")) == ["below_band"]


# --- order ---------------------------------------------------------------------------------------------


def test_blockers_come_first_then_warnings_each_in_rule_order() -> None:
    result = check(terms(
        coverage="not_allowed", coverage_reason="",  # region: blocker
        product_status="beta", product_available_from=PROMISED + DAY,  # availability: warning
        milestone="SSO shipped", milestone_due=PROMISED + DAY,  # milestone: blocker
        effective_price=Decimal("1.00"),  # price: warning
    ), TODAY)
    assert [(f.code, f.severity) for f in result] == [
        ("region_not_allowed", BLOCKER), ("before_milestone", BLOCKER),
        ("product_beta", WARNING), ("below_band", WARNING),
    ]


def test_a_warning_from_an_early_rule_follows_a_blocker_from_a_late_one() -> None:
    assert codes(product_status="beta", product_available_from=PROMISED + DAY, milestone="SSO",
                 milestone_due=PROMISED + DAY) == ["before_milestone", "product_beta"]


def test_every_rule_at_once() -> None:
    assert codes(coverage=None, product_status="planned", product_available_from=None,
                 effective_price=Decimal("1")) == ["region_unknown", "product_planned", "no_milestone", "below_band"]


# --- the promised date ---------------------------------------------------------------------------

def test_a_promise_for_a_day_gone_is_a_blocker() -> None:
    assert findings(promised_date=date(2020, 1, 1), **LINKED | {"milestone_due": date(2020, 1, 1)}) == [
        ("date_past", BLOCKER, "The promised date 01 Jan 2020 is in the past (today is 01 Mar 2027)."),
    ]


@pytest.mark.parametrize(("promised", "past"), [(TODAY - DAY, True), (TODAY, False), (TODAY + DAY, False)])
def test_the_day_boundary_today_can_still_be_kept(promised: date, past: bool) -> None:
    found = codes(promised_date=promised, **LINKED | {"milestone_due": promised})
    assert ("date_past" in found) is past


def test_a_countersigned_promise_whose_day_has_come_and_gone_is_due_not_blocked() -> None:
    # Binding already: the date passing is delivery falling due (the calendars and reminders say so),
    # not a promise that cannot be made; it must not put the commitment at risk on a reassessment.
    assert "date_past" not in codes(promised_date=TODAY - DAY, countersigned=True, **LINKED | {"milestone_due": TODAY - DAY})


def test_the_past_date_comes_first_among_blockers() -> None:
    assert codes(promised_date=TODAY - DAY, coverage="not_allowed")[:2] == ["date_past", "region_not_allowed"]


# --- any input ----------------------------------------------------------------------------------------

_names = st.text(max_size=40)
_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
_maybe_dates = st.none() | _dates
_money = st.none() | st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False,
                                 allow_infinity=False)

any_terms = st.builds(
    Terms,
    product=_names,
    product_status=st.sampled_from(["planned", "beta", "available", "retired"]) | _names,
    product_available_from=_maybe_dates,
    region=_names,
    coverage=st.none() | st.sampled_from(["sellable", "not_allowed", "planned"]) | _names,
    coverage_reason=_names,
    coverage_from=_maybe_dates,
    promised_date=_dates,
    effective_price=_money,
    band=st.none() | _names,
    band_minimum=_money,
    currency=st.sampled_from(["EUR", "USD", ""]),
    milestone=st.none() | _names,
    milestone_due=_maybe_dates,
)


@given(any_terms, _dates)
def test_check_never_raises_and_every_finding_is_known(any_: Terms, today: date) -> None:
    result = check(any_, today)
    for finding in result:
        assert finding.code in KNOWN_CODES
        assert finding.severity == KNOWN_CODES[finding.code]
        assert finding.message.strip()
    severities = [f.severity for f in result]
    assert severities == sorted(severities, key=lambda s: s != BLOCKER)  # blockers first
    rules = [RULE_OF[f.code] for f in result]
    assert len(rules) == len(set(rules))  # at most one finding per rule
    assert check(any_, today) == result  # deterministic
