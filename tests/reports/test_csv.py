"""CSV builders: a header row, ISO dates, exact decimals, and no formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from app.reports import csv as report_csv
from app.reports import figures
from app.reports.figures import BriefingCell, CommitmentQuarter, OutcomeQuarter, QuietRegion, TriageTime


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_cells() -> None:
    assert report_csv.cell(None) == ""
    assert report_csv.cell(True) == "yes" and report_csv.cell(False) == "no"
    assert report_csv.cell(date(2026, 5, 1)) == "2026-05-01"
    assert report_csv.cell(datetime(2026, 5, 1, 9, 30, 15, 123)) == "2026-05-01T09:30:15Z"
    assert report_csv.cell(Decimal("2.5")) == "2.5"
    assert report_csv.cell(7) == "7"


def test_text_that_would_run_as_a_formula_gets_a_quote() -> None:
    for dangerous in ("=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert report_csv.cell(dangerous) == "'" + dangerous
    assert report_csv.cell("North = best") == "North = best"


def test_table_has_a_header_and_crlf_lines() -> None:
    text = report_csv.table(["a", "b"], [["x, y", 1]])
    assert text == 'a,b\r\n"x, y",1\r\n'


def test_briefings_csv_has_a_row_per_region_and_quarter_with_zeros() -> None:
    regions = figures.group_briefings([BriefingCell(1, "=cmd|' /C calc'!A0", "2026 Q1", 2, 90, 1)], {1: {5}})
    rows = parsed(report_csv.briefings_csv(regions, ["2025 Q4", "2026 Q1"]))
    assert rows == [
        ["region", "quarter", "briefings", "hours", "products_covered"],
        ["'=cmd|' /C calc'!A0", "2025 Q4", "0", "0.0", "0"],
        ["'=cmd|' /C calc'!A0", "2026 Q1", "2", "1.5", "1"],  # 90 minutes = 1.5 hours
    ]


def test_quiet_regions_csv() -> None:
    rows = parsed(report_csv.quiet_regions_csv(
        [QuietRegion(1, "South", None, None, True), QuietRegion(2, "North", date(2026, 3, 1), 75, False)], 90))
    assert rows[0] == ["region", "last_briefing", "days_since", "quiet", "quiet_after_days"]
    assert rows[1:] == [["South", "", "", "yes", "90"], ["North", "2026-03-01", "75", "no", "90"]]


def test_triage_commitments_and_outcomes_csv() -> None:
    triage = parsed(report_csv.triage_csv([TriageTime("pricing", "Pricing", 0, None, None, 2, 530)]))
    assert triage[1] == ["Pricing", "0", "", "", "2", "530"]
    commitments = parsed(report_csv.commitments_csv([CommitmentQuarter("2026 Q1", 3, 2, 1, 0, 0, Decimal("1.8"))]))
    assert commitments == [
        ["quarter_submitted", "requested", "countersigned", "rejected", "waiting", "other",
         "median_days_to_countersign"],
        ["2026 Q1", "3", "2", "1", "0", "0", "1.8"],
    ]
    outcomes = parsed(report_csv.outcomes_csv([OutcomeQuarter("2026 Q1", 1, 0, 1)]))
    assert outcomes[1] == ["2026 Q1", "2", "1", "0", "1"]
