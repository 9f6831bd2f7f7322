"""CSV builders: a header row, ISO dates, exact decimals, and no formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from app.reports import csv as report_csv
from app.reports import figures
from app.reports.figures import BriefingCell, CommitmentQuarter, OutcomeQuarter, QuietRegion, TriageTime


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


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
