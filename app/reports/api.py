"""Report data in the JSON API: every section's figures for the filters in the query string."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, TypedDict

from flask import abort, jsonify, request
from flask_login import current_user
from werkzeug.wrappers import Response

from app.api import api_blueprint, page_json
from app.api.openapi import operation
from app.api.schemas import Bounds, IdArg, IsoDate
from app.core.pagination import page_request
from app.reports import filters as report_filters
from app.reports import services
from app.reports.figures import Report, TeamCoverage
from app.reports.filters import ReportFilters

bp = api_blueprint("reports", __name__)

#: Days and hours: JSON numbers with one decimal, null where there is nothing to measure.
Measure = float | None


class FiltersJson(TypedDict):
    date_from: IsoDate
    date_to: IsoDate
    region_id: int | None
    product_id: int | None
    quiet_days: int


class HeadlineJson(TypedDict):
    briefings: int
    briefing_hours: Measure
    feedback: int
    median_triage_days: Measure
    countersigned: int
    median_days_to_countersign: Measure
    campaigns_completed: int
    campaigns_achieved: int


class BriefingQuarterJson(TypedDict):
    quarter: str
    briefings: int
    hours: Measure
    products: int


class RegionBriefingsJson(TypedDict):
    region_id: int
    region: str
    briefings: int
    hours: Measure
    products: int
    quarters: list[BriefingQuarterJson]  # only the quarters with a briefing


class QuietRegionJson(TypedDict):
    region_id: int
    region: str
    quiet: bool
    days_since: int | None  # null: never briefed
    last_briefing: IsoDate | None


class FeedbackVolumeJson(TypedDict):
    kind: str
    label: str
    total: int
    by_quarter: dict[str, int]


class TriageKindJson(TypedDict):
    kind: str
    label: str
    decided: int
    median_days: Measure
    mean_days: Measure
    untriaged: int
    oldest_untriaged_days: int | None


class TriageJson(TypedDict):
    median_days: Measure
    kinds: list[TriageKindJson]


class CommitmentQuarterJson(TypedDict):
    quarter: str
    requested: int
    countersigned: int
    rejected: int
    waiting: int
    other: int
    median_days_to_countersign: Measure


class CommitmentsJson(TypedDict):
    countersigned: int
    median_days_to_countersign: Measure
    median_hours_to_countersign: Measure
    quarters: list[CommitmentQuarterJson]


class OutcomeQuarterJson(TypedDict):
    quarter: str
    completed: int
    achieved: int
    partial: int
    missed: int


class OutcomesJson(TypedDict):
    product_filter_applies: Literal[False]  # campaigns have no product
    quarters: list[OutcomeQuarterJson]


class ReportJson(TypedDict):
    filters: FiltersJson
    quarters: list[str]
    headline: HeadlineJson
    briefings: list[RegionBriefingsJson]
    quiet_regions: list[QuietRegionJson]
    feedback: list[FeedbackVolumeJson]
    triage: TriageJson
    commitments: CommitmentsJson
    outcomes: OutcomesJson


class ReportFilterArgs(TypedDict, total=False):
    date_from: IsoDate  # default: five quarters back from date_to
    date_to: IsoDate  # default: today
    region_id: IdArg
    product_id: IdArg
    quiet_days: Annotated[int, Bounds(1, 3650)]  # a region is quiet after this many days without a briefing


@bp.get("/reports")
@operation(ReportJson, query=ReportFilterArgs, errors=(404,))
def reports() -> Response:
    """Every report section's figures for the filters (a period of at most twenty quarters).

    Team members who do not sell have no reports: 404.
    """
    if not services.can_see_reports(current_user):
        abort(404)
    filters = report_filters.parse_filters(request.args)  # a bad filter is a 400 naming its field
    return jsonify(report_json(filters, services.build_report(filters)))


class TeamCoverageJson(TypedDict):
    team_id: int
    team: str
    region: str
    sellers: int  # active sellers in the team
    briefed: int  # of them, those who attended at least one briefing in the period (of product_id's product)
    coverage_percent: Measure  # null: a team without sellers


@bp.get("/reports/team-coverage")
@operation(TeamCoverageJson, query=ReportFilterArgs, paged=True, errors=(404,))
def team_coverage() -> Response:
    """Briefing coverage per sales team for the report's filters, a page of teams by name.

    ``region_id`` narrows to that region's teams; ``product_id`` counts only briefings covering it.
    Team members who do not sell have no reports: 404.
    """
    if not services.can_see_reports(current_user):
        abort(404)
    filters = report_filters.parse_filters(request.args)
    page = services.team_coverage_page(filters, page_request())

    def row(t: TeamCoverage) -> TeamCoverageJson:
        return {"team_id": t.team_id, "team": t.team, "region": t.region, "sellers": t.sellers, "briefed": t.briefed,
                "coverage_percent": None if t.percent is None else round(t.percent, 1)}

    return page_json(page, row)


def _number(value: Decimal | None) -> float | None:
    """Days and hours are measures, not money: JSON numbers with one decimal."""
    return None if value is None else float(value)


def report_json(filters: ReportFilters, report: Report) -> ReportJson:
    head = report.headline
    return {
        "filters": {
            "date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat(),
            "region_id": filters.region_id, "product_id": filters.product_id, "quiet_days": filters.quiet_days,
        },
        "quarters": report.quarters,
        "headline": {
            "briefings": head.briefings, "briefing_hours": _number(head.briefing_hours),
            "feedback": head.feedback, "median_triage_days": _number(head.median_triage_days),
            "countersigned": head.countersigned, "median_days_to_countersign": _number(head.median_days_to_countersign),
            "campaigns_completed": head.campaigns_completed, "campaigns_achieved": head.campaigns_achieved,
        },
        "briefings": [
            {
                "region_id": r.region_id, "region": r.region, "briefings": r.briefings, "hours": _number(r.hours),
                "products": r.products,
                "quarters": [
                    {"quarter": c.quarter, "briefings": c.briefings, "hours": _number(c.hours), "products": c.products}
                    for q in report.quarters if (c := r.cells.get(q)) is not None
                ],
            }
            for r in report.briefings
        ],
        "quiet_regions": [
            {"region_id": r.region_id, "region": r.region, "quiet": r.quiet, "days_since": r.days_since,
             "last_briefing": r.last_briefing.isoformat() if r.last_briefing else None}
            for r in report.quiet_regions
        ],
        "feedback": [
            {"kind": k.kind, "label": k.label, "total": k.total, "by_quarter": k.by_quarter} for k in report.feedback
        ],
        "triage": {
            "median_days": _number(report.triage_median_days),
            "kinds": [
                {"kind": t.kind, "label": t.label, "decided": t.decided, "median_days": _number(t.median_days),
                 "mean_days": _number(t.mean_days), "untriaged": t.untriaged,
                 "oldest_untriaged_days": t.oldest_untriaged_days}
                for t in report.triage
            ],
        },
        "commitments": {
            "countersigned": report.signoff.countersigned,
            "median_days_to_countersign": _number(report.signoff.median_days),
            "median_hours_to_countersign": _number(report.signoff.median_hours),
            "quarters": [
                {"quarter": q.quarter, "requested": q.requested, "countersigned": q.countersigned,
                 "rejected": q.rejected, "waiting": q.waiting, "other": q.other,
                 "median_days_to_countersign": _number(q.median_days_to_countersign)}
                for q in report.commitments
            ],
        },
        "outcomes": {
            "product_filter_applies": False,  # campaigns have no product
            "quarters": [
                {"quarter": q.quarter, "completed": q.completed, "achieved": q.achieved, "partial": q.partial,
                 "missed": q.missed}
                for q in report.outcomes
            ],
        },
    }
