"""The report's sections as CSV: figures in, text out (written by app/core/csv.py: one header row,
ISO dates, decimal strings, text a spreadsheet would run as a formula guarded).

Pure: the view only names the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.core.csv import table
from app.reports.figures import (
    CommitmentQuarter,
    KindVolume,
    OutcomeQuarter,
    QuietRegion,
    RegionBriefings,
    TeamCoverage,
    TriageTime,
    hours,
)


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


def team_coverage_csv(teams: Sequence[TeamCoverage]) -> str:
    """A row per team: its sellers, those briefed in the period and the share (empty for a team without sellers)."""
    return table(["team", "region", "sellers", "briefed", "coverage_percent"],
                 ([t.team, t.region, t.sellers, t.briefed, None if t.percent is None else Decimal(t.percent).quantize(Decimal("0.1"))]
                  for t in teams))


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
