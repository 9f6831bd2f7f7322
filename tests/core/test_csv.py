"""CSV for spreadsheets: a header row, ISO dates, exact decimals, and no formula a spreadsheet would run."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from app.core import csv as spreadsheet


def test_cells() -> None:
    assert spreadsheet.cell(None) == ""
    assert spreadsheet.cell(True) == "yes" and spreadsheet.cell(False) == "no"
    assert spreadsheet.cell(date(2026, 5, 1)) == "2026-05-01"
    assert spreadsheet.cell(datetime(2026, 5, 1, 9, 30, 15, 123)) == "2026-05-01T09:30:15Z"
    assert spreadsheet.cell(Decimal("2.5")) == "2.5"
    assert spreadsheet.cell(7) == "7"


def test_text_that_would_run_as_a_formula_gets_a_quote() -> None:
    for dangerous in ("=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet.cell(dangerous) == "'" + dangerous
    assert spreadsheet.cell("North = best") == "North = best"


def test_table_has_a_header_and_crlf_lines() -> None:
    text = spreadsheet.table(["a", "b"], [["x, y", 1]])
    assert text == 'a,b\r\n"x, y",1\r\n'


def test_a_plain_number_written_as_text_stays_a_number() -> None:
    assert [spreadsheet.cell(v) for v in ("-5", "-2.5", "-1e3")] == ["-5", "-2.5", "-1e3"]
