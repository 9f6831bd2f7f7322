"""The report's sections as CSV: figures in, text out, one header row, ISO dates, decimal strings.

Pure: the view only names the file. Text cells that a spreadsheet would run as a formula
(starting = + - @, a tab or a carriage return) get a leading quote; numbers are written by us
and never negative, so they stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from app.reports.figures import (
    CommitmentQuarter,
    KindVolume,
    OutcomeQuarter,
    QuietRegion,
    RegionBriefings,
    TriageTime,
    hours,
)

Cell = str | int | Decimal | date | bool | None
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Cell) -> str:
    """How one value is written: "" for none, yes/no, ISO dates, exact decimals, guarded text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def table(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends: what spreadsheets expect
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def briefings_csv(regions: Sequence[RegionBriefings], quarters: Sequence[str]) -> str:
    """A row per region and quarter, zeros included, so a pivot table needs no gaps filled."""
    rows = []
    for region in regions:
        for quarter in quarters:
            found = region.cells.get(quarter)
            rows.append([region.region, quarter, found.briefings if found else 0,
                         found.hours if found else hours(0), found.products if found else 0])
    return table(["region", "quarter", "briefings", "hours", "products_covered"], rows)


def quiet_regions_csv(regions: Sequence[QuietRegion], quiet_days: int) -> str:
    return table(
        ["region", "last_briefing", "days_since", "quiet", "quiet_after_days"],
        ([r.region, r.last_briefing, r.days_since, r.quiet, quiet_days] for r in regions),
    )


def feedback_csv(kinds: Sequence[KindVolume], quarters: Sequence[str]) -> str:
    return table(["kind", "quarter", "received"],
                 ([k.label, q, k.by_quarter.get(q, 0)] for k in kinds for q in quarters))


def triage_csv(times: Sequence[TriageTime]) -> str:
    return table(
        ["kind", "decided", "median_days_to_first_decision", "mean_days_to_first_decision", "untriaged_now",
         "oldest_untriaged_days"],
        ([t.label, t.decided, t.median_days, t.mean_days, t.untriaged, t.oldest_untriaged_days] for t in times),
    )


def commitments_csv(quarters: Sequence[CommitmentQuarter]) -> str:
    return table(
        ["quarter_submitted", "requested", "countersigned", "rejected", "waiting", "other",
         "median_days_to_countersign"],
        ([q.quarter, q.requested, q.countersigned, q.rejected, q.waiting, q.other, q.median_days_to_countersign]
         for q in quarters),
    )


def outcomes_csv(quarters: Sequence[OutcomeQuarter]) -> str:
    return table(["quarter_completed", "completed", "achieved", "partial", "missed"],
                 ([q.quarter, q.completed, q.achieved, q.partial, q.missed] for q in quarters))
