"""Filters read from a query string: absent is None, a bad value is a message under its own name."""

from __future__ import annotations

from datetime import date

from app.core.query import arg_date, arg_number, arg_text

FIRST, LAST = date(2000, 1, 1), date(2100, 12, 31)


def test_absent_and_blank_are_none_and_text_is_trimmed() -> None:
    errors: dict[str, list[str]] = {}
    assert (arg_number({}, "n", errors), arg_date({"d": "  "}, "d", errors, FIRST, LAST)) == (None, None)
    assert arg_text({"q": "  Acme "}, "q") == "Acme" and errors == {}


def test_numbers_are_plain_ascii_digits_within_a_keys_range() -> None:
    errors: dict[str, list[str]] = {}
    assert arg_number({"n": "42"}, "n", errors) == 42
    for bad in ("٥", "1_0", "-3", "1e3", "99999999999999999999"):
        errors = {}
        assert arg_number({"n": bad}, "n", errors, "Enter an id.") is None and errors == {"n": ["Enter an id."]}


def test_dates_are_iso_and_within_the_range() -> None:
    errors: dict[str, list[str]] = {}
    assert arg_date({"d": "2026-11-17"}, "d", errors, FIRST, LAST) == date(2026, 11, 17)
    assert arg_date({"d": "17/11/2026"}, "d", errors, FIRST, LAST) is None
    assert errors == {"d": ["Enter a date as YYYY-MM-DD."]}
    errors = {}
    assert arg_date({"d": "1999-12-31"}, "d", errors, FIRST, LAST) is None
    assert errors == {"d": ["Enter a date between 2000-01-01 and 2100-12-31."]}
