"""The report's arithmetic and data shapes: quarters, medians, and one frozen dataclass per section.

Pure: no Flask, no database. The services read the few aggregate rows they need and hand them
here; the pages, the CSV files and the API all show the same figures.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

#: Figures are shown to one decimal (2.5 days, 1.5 hours): finer is noise in a monthly review.
TENTH = Decimal("0.1")


# --- quarters ---------------------------------------------------------------------------------

def quarter_label(year: int, month: int) -> str:
    """"2026 Q4" for any month of October to December 2026."""
    return f"{year} Q{(month - 1) // 3 + 1}"


def quarter_of(day: date) -> str:
    return quarter_label(day.year, day.month)


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def shift_quarters(day: date, quarters: int) -> date:
    """The first day of the quarter ``quarters`` away from the one holding ``day`` (negative: back)."""
    start = quarter_start(day)
    index = start.year * 4 + (start.month - 1) // 3 + quarters
    return date(index // 4, index % 4 * 3 + 1, 1)


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter touching ``first``..``last``, oldest first (none when the range is reversed)."""
    labels = []
    day = quarter_start(first)
    while day <= last:
        labels.append(quarter_of(day))
        day = shift_quarters(day, 1)
    return labels


def default_range(today: date) -> tuple[date, date]:
    """The last four full quarters plus the current one, up to today: a year-on-year view."""
    return shift_quarters(today, -4), today


# --- averages ---------------------------------------------------------------------------------

def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values (a report says "—", not 0, when nothing was measured)."""
    data = list(values)
    return statistics.median(data) if data else None


def mean(values: Iterable[float]) -> float | None:
    data = list(values)
    return statistics.fmean(data) if data else None


def tenth(value: float | None) -> Decimal | None:
    """One decimal, rounded half up (2.25 → 2.3), as an exact Decimal for CSV and JSON."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def hours(minutes: int) -> Decimal:
    """Minutes as hours to one decimal: 90 + 30 minutes → 2.0."""
    return (Decimal(minutes) / 60).quantize(TENTH, rounding=ROUND_HALF_UP)


def age_days(since: datetime | date, today: date) -> int:
    day = since.date() if isinstance(since, datetime) else since
    return (today - day).days


def day_after(day: date) -> datetime:
    """The first moment after ``day``: ranges of dates compare with timestamps as [from, to + 1 day)."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time())


def day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


# --- the sections -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BriefingCell:
    """Briefings one region held in one quarter."""

    region_id: int
    region: str
    quarter: str
    briefings: int
    minutes: int
    products: int  # distinct products covered

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


@dataclass(frozen=True)
class RegionBriefings:
    """One region's row of the briefings table: its quarters and its totals over the range."""

    region_id: int
    region: str
    cells: dict[str, BriefingCell]  # by quarter; quarters without a briefing are absent
    briefings: int
    minutes: int
    products: int  # distinct over the whole range, not the sum of the quarters

    @property
    def hours(self) -> Decimal:
        return hours(self.minutes)


@dataclass(frozen=True)
class QuietRegion:
    """When an active region last had a briefing, and whether that is too long ago."""

    region_id: int
    region: str
    last_briefing: date | None
    days_since: int | None  # None: never briefed
    quiet: bool


@dataclass(frozen=True)
class TeamCoverage:
    """How much of one sales team attended a briefing in the period: its active sellers, and those of
    them listed as an attendee of at least one briefing (of the product, when the report names one)."""

    team_id: int
    team: str
    region: str
    sellers: int
    briefed: int

    @property
    def percent(self) -> float | None:
        """The share briefed; None for a team with no sellers (nothing to cover)."""
        return None if not self.sellers else 100 * self.briefed / self.sellers


@dataclass(frozen=True)
class KindVolume:
    """Feedback of one kind received, in total and per quarter."""

    kind: str
    label: str
    total: int
    by_quarter: dict[str, int]


@dataclass(frozen=True)
class TriageTime:
    """How long one kind of feedback waits for its first triage decision."""

    kind: str
    label: str
    decided: int  # received in the range and decided at least once
    median_days: Decimal | None
    mean_days: Decimal | None
    untriaged: int  # still new now, whenever received
    oldest_untriaged_days: int | None


@dataclass(frozen=True)
class CommitmentQuarter:
    """Commitments submitted in a quarter, by where they stand now."""

    quarter: str
    requested: int
    countersigned: int
    rejected: int
    waiting: int
    other: int  # sent back for changes, revised or withdrawn
    median_days_to_countersign: Decimal | None


@dataclass(frozen=True)
class SignoffTime:
    """Submission to countersignature, over every countersigned commitment in the range."""

    countersigned: int
    median_days: Decimal | None
    median_hours: Decimal | None


@dataclass(frozen=True)
class OutcomeQuarter:
    """Campaigns completed in a quarter, by their recorded outcome."""

    quarter: str
    achieved: int
    partial: int
    missed: int

    @property
    def completed(self) -> int:
        return self.achieved + self.partial + self.missed


@dataclass(frozen=True)
class Headline:
    """The figures at the top of the page."""

    briefings: int
    briefing_hours: Decimal
    feedback: int
    median_triage_days: Decimal | None
    countersigned: int
    median_days_to_countersign: Decimal | None
    campaigns_completed: int
    campaigns_achieved: int
    # The context each figure is read in.
    regions_briefed: int
    quiet_regions: int
    untriaged: int
    requested: int
    rejected: int


@dataclass(frozen=True)
class Report:
    """Every section of the management report for one set of filters."""

    date_from: date
    date_to: date
    quarters: list[str]
    quiet_days: int
    briefings: list[RegionBriefings]
    quiet_regions: list[QuietRegion]
    feedback: list[KindVolume]
    triage: list[TriageTime]
    triage_median_days: Decimal | None  # over all kinds together: not a median of medians
    commitments: list[CommitmentQuarter]
    signoff: SignoffTime
    outcomes: list[OutcomeQuarter]

    @property
    def headline(self) -> Headline:
        """Derived from the sections, so the top of the page can never disagree with them."""
        return Headline(
            briefings=sum(r.briefings for r in self.briefings),
            briefing_hours=hours(sum(r.minutes for r in self.briefings)),
            feedback=sum(k.total for k in self.feedback),
            median_triage_days=self.triage_median_days,
            countersigned=sum(q.countersigned for q in self.commitments),
            median_days_to_countersign=self.signoff.median_days,
            campaigns_completed=sum(q.completed for q in self.outcomes),
            campaigns_achieved=sum(q.achieved for q in self.outcomes),
            regions_briefed=sum(1 for r in self.briefings if r.briefings),
            quiet_regions=sum(1 for r in self.quiet_regions if r.quiet),
            untriaged=sum(t.untriaged for t in self.triage),
            requested=sum(q.requested for q in self.commitments),
            rejected=sum(q.rejected for q in self.commitments),
        )

    @property
    def briefings_per_quarter(self) -> dict[str, int]:
        return {q: sum(r.cells[q].briefings for r in self.briefings if q in r.cells) for q in self.quarters}

    @property
    def feedback_per_quarter(self) -> dict[str, int]:
        return {q: sum(k.by_quarter.get(q, 0) for k in self.feedback) for q in self.quarters}


def group_briefings(cells: Sequence[BriefingCell], product_sets: dict[int, set[int]]) -> list[RegionBriefings]:
    """Cells per region, with the region's totals; ``product_sets`` holds each region's distinct products."""
    by_region: dict[int, list[BriefingCell]] = {}
    for cell in cells:
        by_region.setdefault(cell.region_id, []).append(cell)
    rows = [
        RegionBriefings(
            region_id=region_id, region=group[0].region, cells={c.quarter: c for c in group},
            briefings=sum(c.briefings for c in group), minutes=sum(c.minutes for c in group),
            products=len(product_sets.get(region_id, set())),
        )
        for region_id, group in by_region.items()
    ]
    return sorted(rows, key=lambda r: (-r.briefings, r.region))
