"""The management report's figures, read with a few aggregate queries (the filters: :mod:`app.reports.filters`).

Each section is one or two GROUP BY queries over the rows the filters select; only the
triage and countersignature medians read individual rows, and then only two timestamps each.
Quarters are bucketed in Python from (year, month) groups: grouping by a CASE expression
breaks on PostgreSQL (each bound parameter is a new expression), and date arithmetic differs
between databases, so durations are computed here too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.briefings.models import Briefing, briefing_attendees, briefing_products
from app.commitments.models import Commitment
from app.core import clock
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, paginate
from app.extensions import db
from app.feedback.models import Feedback, feedback_products
from app.projects.models import Project, project_regions
from app.regions.models import Region
from app.reports import figures
from app.reports.figures import (
    BriefingCell,
    CommitmentQuarter,
    KindVolume,
    OutcomeQuarter,
    QuietRegion,
    RegionBriefings,
    Report,
    SignoffTime,
    TeamCoverage,
    TriageTime,
)
from app.reports.filters import ReportFilters
from app.teams.models import Placement, Team
from app.teams.services import seller_condition
from workflows.commitment import COUNTERSIGNED_STATES, COUNTERSIGNING, CommitmentState
from workflows.feedback import KINDS, FeedbackState
from workflows.project import OUTCOMES, ProjectState


def can_see_reports(user: User) -> bool:
    """Everyone who sells, plans or manages; not a team member who does not sell."""
    return user.role is not Role.TEAM_MEMBER or user.sales_rep


# --- the report -------------------------------------------------------------------------------

def build_report(filters: ReportFilters) -> Report:
    """Every section for these filters."""
    today = clock.today()
    triage, triage_median = triage_times(filters, today)
    commitments, signoff = commitment_flow(filters)
    return Report(
        date_from=filters.date_from, date_to=filters.date_to,
        quarters=figures.quarters_between(filters.date_from, filters.date_to), quiet_days=filters.quiet_days,
        briefings=briefings_by_region(filters), quiet_regions=quiet_regions(filters, today),
        feedback=feedback_volume(filters), triage=triage, triage_median_days=triage_median,
        commitments=commitments, signoff=signoff, outcomes=campaign_outcomes(filters),
    )


def _year_month(column: Any) -> tuple[Any, Any]:
    return sa.extract("year", column), sa.extract("month", column)


def _quarter(year: Any, month: Any) -> str:
    # PostgreSQL's EXTRACT returns a numeric; SQLite's (through SQLAlchemy) an integer.
    return figures.quarter_label(int(year), int(month))


def _timestamp_range(column: Any, filters: ReportFilters) -> list[Any]:
    return [column >= figures.day_start(filters.date_from), column < figures.day_after(filters.date_to)]


def _region_and_product(filters: ReportFilters, region_id: Any, item_id: Any, link_item_id: Any,
                        link_product_id: Any) -> list[Any]:
    """The region and product filters on rows with a region column and products in a link table."""
    conditions: list[Any] = []
    if filters.region_id is not None:
        conditions.append(region_id == filters.region_id)
    if filters.product_id is not None:
        conditions.append(item_id.in_(sa.select(link_item_id).where(link_product_id == filters.product_id)))
    return conditions


# --- briefings --------------------------------------------------------------------------------

def _briefing_scope(filters: ReportFilters, dated: bool = True) -> list[Any]:
    conditions: list[Any] = [Briefing.held_on >= filters.date_from, Briefing.held_on <= filters.date_to] \
        if dated else []
    return conditions + _region_and_product(filters, Briefing.region_id, Briefing.id, briefing_products.c.briefing_id,
                                            briefing_products.c.product_id)


def briefings_by_region(filters: ReportFilters) -> list[RegionBriefings]:
    """Briefings, hours and distinct products per region and quarter; active regions without any show zeros."""
    year, month = _year_month(Briefing.held_on)
    totals = db.session.execute(
        sa.select(Briefing.region_id, year, month, sa.func.count(Briefing.id), sa.func.sum(Briefing.duration_minutes))
        .where(*_briefing_scope(filters)).group_by(Briefing.region_id, year, month)
    ).all()
    # Distinct (region, month, product) triples: a product briefed twice in a quarter counts once.
    covered = db.session.execute(
        sa.select(Briefing.region_id, year, month, briefing_products.c.product_id)
        .join(briefing_products, briefing_products.c.briefing_id == Briefing.id)
        .where(*_briefing_scope(filters)).distinct()
    ).all()
    regions = db.session.execute(sa.select(Region.id, Region.name, Region.active)).all()
    names = {r.id: r.name for r in regions}

    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for region_id, y, m, count, minutes in totals:
        cell = counts[(region_id, _quarter(y, m))]
        cell[0] += count
        cell[1] += int(minutes or 0)
    per_quarter: dict[tuple[int, str], set[int]] = defaultdict(set)
    per_region: dict[int, set[int]] = defaultdict(set)
    for region_id, y, m, product_id in covered:
        per_quarter[(region_id, _quarter(y, m))].add(product_id)
        per_region[region_id].add(product_id)
    cells = [
        BriefingCell(region_id, names[region_id], quarter, count, minutes, len(per_quarter[(region_id, quarter)]))
        for (region_id, quarter), (count, minutes) in counts.items()
    ]
    rows = figures.group_briefings(cells, per_region)
    seen = {r.region_id for r in rows}
    rows += [
        RegionBriefings(r.id, r.name, {}, 0, 0, 0)
        for r in sorted(regions, key=lambda r: r.name)
        if r.active and r.id not in seen and filters.region_id in (None, r.id)
    ]
    return rows


def quiet_regions(filters: ReportFilters, today: date) -> list[QuietRegion]:
    """Active regions and their last briefing up to today; quiet when none in the last ``quiet_days`` days.

    Counts back from today whatever the period: it is about what to do next, not the past.
    """
    last = (
        sa.select(Briefing.region_id, sa.func.max(Briefing.held_on).label("last"))
        .where(Briefing.held_on <= today, *_briefing_scope(filters, dated=False))
        .group_by(Briefing.region_id).subquery()
    )
    stmt = (
        sa.select(Region.id, Region.name, last.c.last)
        .outerjoin(last, last.c.region_id == Region.id).where(Region.active).order_by(Region.name)
    )
    if filters.region_id is not None:
        stmt = stmt.where(Region.id == filters.region_id)
    rows = []
    for region_id, name, last_on in db.session.execute(stmt).all():
        since = None if last_on is None else (today - last_on).days
        rows.append(QuietRegion(region_id, name, last_on, since, since is None or since > filters.quiet_days))
    # The quiet ones first, longest silence first: they are what the review acts on.
    return sorted(rows, key=lambda r: (not r.quiet, -(r.days_since if r.days_since is not None else 10**6), r.region))


# --- briefing coverage per team -----------------------------------------------------------------

#: The CSV's rows at most: a team per row, by name.
COVERAGE_EXPORT_LIMIT = 10_000


def _teams_in_scope(filters: ReportFilters) -> list[Any]:
    return [] if filters.region_id is None else [Team.region_id == filters.region_id]


def team_coverage_page(filters: ReportFilters, asked: PageRequest = FIRST_PAGE) -> Page[TeamCoverage]:
    """A page of teams by name (the region filter: that region's teams), with their coverage: the page's
    teams in one query, their figures in one aggregate."""
    page = paginate(sa.select(Team.id).where(*_teams_in_scope(filters)), [asc(Team.name), asc(Team.id)], asked)
    rows = _coverage(filters, [Team.id.in_(page.items)], len(page.items)) if page.items else []
    return Page(rows, page.next_cursor, page.limit)


def team_coverage_export(filters: ReportFilters) -> list[TeamCoverage]:
    """Every team's coverage in scope, by name, for the CSV: one aggregate, at most :data:`COVERAGE_EXPORT_LIMIT` rows."""
    return _coverage(filters, _teams_in_scope(filters), COVERAGE_EXPORT_LIMIT)


def _coverage(filters: ReportFilters, teams: list[Any], limit: int) -> list[TeamCoverage]:
    """One GROUP BY: each team's active sellers, outer-joined to the distinct people who attended a
    briefing in the period (of the product filter's product; any region: a seller briefed with another
    region's team was briefed all the same)."""
    attended = (
        sa.select(briefing_attendees.c.user_id).join(Briefing, Briefing.id == briefing_attendees.c.briefing_id)
        .where(Briefing.held_on >= filters.date_from, Briefing.held_on <= filters.date_to,
               *_region_and_product(ReportFilters(filters.date_from, filters.date_to, None, filters.product_id),
                                    Briefing.region_id, Briefing.id, briefing_products.c.briefing_id,
                                    briefing_products.c.product_id))
        .distinct().subquery()
    )
    sellers = (sa.select(Placement.user_id, Placement.team_id).join(User, User.id == Placement.user_id)
               .where(seller_condition()).subquery())
    rows = db.session.execute(
        sa.select(Team.id, Team.name, Region.name, sa.func.count(sellers.c.user_id), sa.func.count(attended.c.user_id))
        .join(Region, Region.id == Team.region_id)
        .outerjoin(sellers, sellers.c.team_id == Team.id)
        .outerjoin(attended, attended.c.user_id == sellers.c.user_id)
        .where(*teams).group_by(Team.id, Team.name, Region.name).order_by(Team.name, Team.id).limit(limit)
    ).all()
    return [TeamCoverage(team_id, team, region, sellers_count, briefed)
            for team_id, team, region, sellers_count, briefed in rows]


# --- feedback ---------------------------------------------------------------------------------

def _feedback_scope(filters: ReportFilters, dated: bool = True) -> list[Any]:
    conditions: list[Any] = _timestamp_range(Feedback.created_at, filters) if dated else []
    return conditions + _region_and_product(filters, Feedback.region_id, Feedback.id, feedback_products.c.feedback_id,
                                            feedback_products.c.product_id)


def feedback_volume(filters: ReportFilters) -> list[KindVolume]:
    """Feedback received per kind, in total and per quarter (every kind listed, zeros too)."""
    year, month = _year_month(Feedback.created_at)
    rows = db.session.execute(
        sa.select(Feedback.kind, year, month, sa.func.count(Feedback.id))
        .where(*_feedback_scope(filters)).group_by(Feedback.kind, year, month)
    ).all()
    quarters = figures.quarters_between(filters.date_from, filters.date_to)
    counts: dict[str, dict[str, int]] = {kind: dict.fromkeys(quarters, 0) for kind in KINDS}
    for kind, y, m, count in rows:
        by_quarter = counts.setdefault(kind, dict.fromkeys(quarters, 0))
        by_quarter[_quarter(y, m)] = by_quarter.get(_quarter(y, m), 0) + count
    return [KindVolume(kind, KINDS.get(kind, kind), sum(q.values()), q) for kind, q in counts.items()]


def triage_times(filters: ReportFilters, today: date) -> tuple[list[TriageTime], Decimal | None]:
    """Days from filing to the first triage decision per kind, and what is still untriaged now.

    The durations cover feedback received in the period; "untriaged" is every item still new
    today, whenever it was received (an old unread item is exactly what a review must see).
    """
    decided = db.session.execute(
        sa.select(Feedback.kind, Feedback.created_at, Feedback.first_decided_at)
        .where(Feedback.first_decided_at.is_not(None), *_feedback_scope(filters))
    ).all()
    waiting = db.session.execute(
        sa.select(Feedback.kind, sa.func.count(Feedback.id), sa.func.min(Feedback.created_at))
        .where(Feedback.state == FeedbackState.NEW, *_feedback_scope(filters, dated=False)).group_by(Feedback.kind)
    ).all()
    durations: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for kind, created_at, first_decided_at in decided:
        durations.setdefault(kind, []).append(figures.days_between(created_at, first_decided_at))
    backlog = {kind: (count, oldest) for kind, count, oldest in waiting}
    for kind in backlog:
        durations.setdefault(kind, [])
    rows = []
    for kind, days in durations.items():
        count, oldest = backlog.get(kind, (0, None))
        rows.append(TriageTime(
            kind=kind, label=KINDS.get(kind, kind), decided=len(days),
            median_days=figures.tenth(figures.median(days)), mean_days=figures.tenth(figures.mean(days)),
            untriaged=count, oldest_untriaged_days=None if oldest is None else figures.age_days(oldest, today),
        ))
    overall = figures.tenth(figures.median(d for days in durations.values() for d in days))
    return rows, overall


# --- commitments ------------------------------------------------------------------------------

def _commitment_scope(filters: ReportFilters) -> list[Any]:
    conditions = [Commitment.submitted_at.is_not(None), *_timestamp_range(Commitment.submitted_at, filters)]
    if filters.region_id is not None:
        conditions.append(Commitment.region_id == filters.region_id)
    if filters.product_id is not None:
        conditions.append(Commitment.product_id == filters.product_id)
    return conditions


def commitment_flow(filters: ReportFilters) -> tuple[list[CommitmentQuarter], SignoffTime]:
    """Commitments submitted per quarter, by where each stands now, and how long countersigning took.

    A commitment counts once, in the quarter of its latest submission (resubmitting moves it), by
    its current state: countersigned (approved, at risk or fulfilled), rejected, waiting, or other
    (changes requested, revised or withdrawn). The time to countersign runs from that submission
    to the countersignature (``decided_at``, which approving sets and nothing later moves).
    """
    year, month = _year_month(Commitment.submitted_at)
    rows = db.session.execute(
        sa.select(year, month, Commitment.state, sa.func.count(Commitment.id))
        .where(*_commitment_scope(filters)).group_by(year, month, Commitment.state)
    ).all()
    signed = db.session.execute(
        sa.select(Commitment.submitted_at, Commitment.decided_at)
        .where(Commitment.state.in_(COUNTERSIGNED_STATES), Commitment.decided_at.is_not(None),
               *_commitment_scope(filters))
    ).all()
    quarters = figures.quarters_between(filters.date_from, filters.date_to)
    tally: dict[str, dict[str, int]] = {q: defaultdict(int) for q in quarters}
    for y, m, state, count in rows:
        bucket = ("countersigned" if state in COUNTERSIGNED_STATES else
                  "rejected" if state == CommitmentState.REJECTED else "waiting" if state in COUNTERSIGNING.waiting else "other")
        tally.setdefault(_quarter(y, m), defaultdict(int))[bucket] += count
    waits: dict[str, list[float]] = defaultdict(list)
    for submitted_at, decided_at in signed:
        waits[figures.quarter_of(submitted_at)].append(figures.days_between(submitted_at, decided_at))
    result = [
        CommitmentQuarter(
            quarter=q, requested=sum(t.values()), countersigned=t["countersigned"], rejected=t["rejected"],
            waiting=t["waiting"], other=t["other"], median_days_to_countersign=figures.tenth(figures.median(waits[q])),
        )
        for q, t in tally.items()
    ]
    signoff = SignoffTime(
        countersigned=len(signed),
        median_days=figures.tenth(figures.median(figures.days_between(s, d) for s, d in signed)),
        median_hours=figures.tenth(figures.median(figures.hours_between(s, d) for s, d in signed)),
    )
    return result, signoff


# --- campaigns --------------------------------------------------------------------------------

def campaign_outcomes(filters: ReportFilters) -> list[OutcomeQuarter]:
    """Completed campaigns per quarter of completion, by outcome. Campaigns have no product.

    "Completed at" is the audit trail's completion event: ``complete`` is a final step, taken
    once, and the trail records it in the same transaction. A campaign missing from the trail
    (imported data) falls back to its last update, which a closed campaign no longer gets.
    """
    done = (
        sa.select(AuditEvent.entity_id.label("project_id"), sa.func.max(AuditEvent.at).label("at"))
        .where(AuditEvent.entity == "project", AuditEvent.to_state == ProjectState.COMPLETED,
               # Only the completed campaigns' trails, through the index by record: not every event.
               AuditEvent.entity_id.in_(sa.select(Project.id).where(Project.state == ProjectState.COMPLETED)))
        .group_by(AuditEvent.entity_id).subquery()
    )
    completed = (
        sa.select(Project.outcome.label("outcome"),
                  sa.func.coalesce(done.c.at, Project.updated_at).label("completed_at"))
        .outerjoin(done, done.c.project_id == Project.id)
        .where(Project.state == ProjectState.COMPLETED, Project.outcome.in_(OUTCOMES))
    )
    if filters.region_id is not None:
        completed = completed.where(Project.id.in_(
            sa.select(project_regions.c.project_id).where(project_regions.c.region_id == filters.region_id)
        ))
    campaigns = completed.subquery()
    year, month = _year_month(campaigns.c.completed_at)
    rows = db.session.execute(
        sa.select(year, month, campaigns.c.outcome, sa.func.count())
        .where(*_timestamp_range(campaigns.c.completed_at, filters)).group_by(year, month, campaigns.c.outcome)
    ).all()
    tally: dict[str, dict[str, int]] = {q: dict.fromkeys(OUTCOMES, 0)
                                        for q in figures.quarters_between(filters.date_from, filters.date_to)}
    for y, m, outcome, count in rows:
        tally.setdefault(_quarter(y, m), dict.fromkeys(OUTCOMES, 0))[outcome] += count
    return [OutcomeQuarter(q, t["achieved"], t["partial"], t["missed"]) for q, t in tally.items()]
