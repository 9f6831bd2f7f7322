"""Report pages: the management report, and each of its sections as CSV."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.core import clock
from app.core.downloads import download
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.reports import charts, services
from app.reports import csv as report_csv
from app.reports import filters as report_filters
from app.reports.figures import quarters_between
from app.reports.filters import ReportFilters

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _briefings(f: ReportFilters) -> str:
    return report_csv.briefings_csv(services.briefings_by_region(f), quarters_between(f.date_from, f.date_to))


def _quiet(f: ReportFilters) -> str:
    return report_csv.quiet_regions_csv(services.quiet_regions(f, clock.today()), f.quiet_days)


def _coverage(f: ReportFilters) -> str:
    return report_csv.team_coverage_csv(services.team_coverage_export(f))


def _feedback(f: ReportFilters) -> str:
    return report_csv.feedback_csv(services.feedback_volume(f), quarters_between(f.date_from, f.date_to))


def _triage(f: ReportFilters) -> str:
    return report_csv.triage_csv(services.triage_times(f, clock.today())[0])


def _commitments(f: ReportFilters) -> str:
    return report_csv.commitments_csv(services.commitment_flow(f)[0])


def _outcomes(f: ReportFilters) -> str:
    return report_csv.outcomes_csv(services.campaign_outcomes(f))


#: Each section's CSV reads only that section's figures.
CSV_SECTIONS: dict[str, Callable[[ReportFilters], str]] = {
    "briefings": _briefings, "quiet-regions": _quiet, "team-coverage": _coverage, "feedback": _feedback, "triage": _triage,
    "commitments": _commitments, "outcomes": _outcomes,
}


@bp.before_request
@login_required
def _readers_only() -> None:
    # Reports are for those who sell, plan or manage; to anyone else they do not exist.
    if not services.can_see_reports(current_user):
        abort(404)


@bp.get("/")
def index() -> tuple[str, int]:
    regions, products = report_filters.filter_options()
    try:
        filters = report_filters.parse_filters(request.args)
        asked = page_request()  # the team coverage pages, the report's other sections are whole
    except InvalidInput as error:
        return render_template(
            "reports/index.html", report=None, error=error, values=request.args, regions=regions, products=products,
        ), 400
    report = services.build_report(filters)
    return render_template(
        "reports/index.html", report=report, coverage=services.team_coverage_page(filters, asked), filters=filters, charts=charts.report_charts(report), error=None,
        values=filters.as_args(), regions=regions, products=products,
        region_name=dict(regions).get(filters.region_id or 0), product_name=dict(products).get(filters.product_id or 0),
    ), 200


@bp.get("/<section>.csv")
def section_csv(section: str) -> Response:
    build = CSV_SECTIONS.get(section)
    if build is None:
        abort(404)
    try:
        filters = report_filters.parse_filters(request.args)
    except InvalidInput as error:
        lines = [error.message, *(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())]
        return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")
    name = f"countersign-{section}-{filters.date_from.isoformat()}-to-{filters.date_to.isoformat()}.csv"
    return download(build(filters), name)
