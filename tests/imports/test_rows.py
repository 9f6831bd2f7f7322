"""One row checked against the mapping and the catalog: the deal, or each error naming its column (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.imports import parsing, rows
from app.imports.mapping import recognise
from tests.imports import fixture

LOOKUPS = rows.Lookups(products={"northwind pro": 1, "contoso hub": 2},
                       regions={"north america": 10, "southern europe": 11, "dach": 12},
                       people={"sam seller": 100, "sue second": 101, "sam@example.com": 100},
                       start=date(2026, 10, 18), end=date(2028, 10, 17))


def _settings(headers, date_format="iso", mark="."):
    return rows.Settings(recognise(headers)[1], date_format, mark)


def _check(cells: dict[str, str], date_format="iso", mark=".") -> rows.Checked:
    base = {"deal_id": "D-1", "deal_name": "Pro tier", "customer_name": "Acme", "product": "Northwind Pro",
            "region": "DACH", "promised_date": "2027-03-31"}
    base.update(cells)
    return rows.check(7, base, _settings(list(base), date_format, mark), LOOKUPS)


def test_a_good_row_is_a_deal():
    checked = _check({"amount": "1,000.00", "quantity": "4", "discount_percent": "10%", "owner": "SAM@example.com",
                      "customer_id": "C-9;C-10"})

    assert checked.errors == () and checked.deal == rows.Deal(
        "D-1", "Pro tier", "Acme", "C-9", 1, 12, date(2027, 3, 31), Decimal("250.00"), 4, Decimal("10.00"), 100)


@pytest.mark.parametrize(("cells", "column", "words"), [
    ({"promised_date": "31/13/2027"}, "promised_date", "not a date (expected YYYY-MM-DD"),
    ({"promised_date": "2040-01-01"}, "promised_date", "at most 5 years after the campaign ends"),
    ({"product": "Fabrikam Cloud"}, "product", "“Fabrikam Cloud”: no catalog product has this name"),
    ({"region": "Atlantis"}, "region", "no active region has this name"),
    ({"deal_name": ""}, "deal_name", "empty; this column is required"),
    ({"deal_name": "bad\x07bell"}, "deal_name", "control character"),
    ({"amount": "twelve"}, "amount", "not an amount"),
    ({"amount": "-5"}, "amount", "not an amount"),
    ({"quantity": "0"}, "quantity", "not a whole number from 1"),
    ({"quantity": "2.5"}, "quantity", "not a whole number from 1"),
    ({"discount_percent": "150"}, "discount_percent", "not a percentage from 0 to 100"),
    ({"owner": "Nobody Known"}, "owner", "no Countersign user has this email or name"),
    ({"deal_id": "x" * 121}, "deal_id", "longer than 120 characters"),
])
def test_each_error_names_the_row_and_column(cells, column, words):
    checked = _check(cells)

    assert checked.deal is None
    assert [(e.row, e.column) for e in checked.errors] == [(7, column)]
    assert words in checked.errors[0].message


def test_every_error_of_a_row_is_named_at_once():
    checked = _check({"product": "Nope", "region": "Nowhere", "promised_date": "soon"})

    assert [e.column for e in checked.errors] == ["product", "region", "promised_date"]
    assert str(checked.errors[0]) == "Row 7, product: “Nope”: no catalog product has this name"


def test_a_lost_deal_is_skipped_not_an_error():
    checked = _check({"stage": "Closed Lost"})

    assert checked.skipped and checked.deal is None and checked.errors == ()


@pytest.mark.parametrize(("value", "date_format", "expected"), [
    ("2027-03-31", "iso", date(2027, 3, 31)),
    ("2027-03-31 00:00", "iso", date(2027, 3, 31)),
    ("3/31/2027", "mdy", date(2027, 3, 31)),
    ("31.03.2027", "dmy", date(2027, 3, 31)),
    ("31/03/2027", "mdy", None),
    ("2027-02-30", "iso", None),
])
def test_dates_in_each_format(value, date_format, expected):
    assert rows.parse_date(value, date_format) == expected


@pytest.mark.parametrize(("value", "mark", "expected"), [
    ("1,234.50", ".", Decimal("1234.50")),
    ("USD 1,234.50", ".", Decimal("1234.50")),
    ("1.234,50 €", ",", Decimal("1234.50")),
    ("1 234,50", ",", Decimal("1234.50")),
    ("12e3", ".", None),
    ("NaN", ".", None),
])
def test_numbers_as_crms_write_them(value, mark, expected):
    assert rows.parse_decimal(value, mark) == expected


def test_the_salesforce_fixture_with_errors_names_each_problem():
    table = parsing.read(fixture("salesforce_opportunities_with_errors.csv"))
    settings = rows.Settings(recognise(table.headers)[1], "mdy", ".")

    checked = rows.check_all(table.headers, table.rows, settings, LOOKUPS)

    errors = [(e.row, e.column) for c in checked for e in c.errors]
    assert errors == [(4, "Close Date"), (10, "Product Name"), (16, "Region"), (23, "Opportunity Name")]
    assert sum(c.skipped for c in checked) == 2  # the two Closed Lost opportunities


def test_a_deal_id_given_twice_is_an_error_on_its_second_row():
    table = parsing.read(fixture("generic_with_errors.csv"))
    settings = rows.Settings(recognise(table.headers)[1], "iso", ".")

    checked = rows.check_all(table.headers, table.rows, settings, LOOKUPS)

    errors = [(e.row, e.column, e.message) for c in checked for e in c.errors]
    assert errors == [(7, "deal_id", "the same deal ID as row 3"),
                      (13, "discount_percent", "not a percentage from 0 to 100")]
