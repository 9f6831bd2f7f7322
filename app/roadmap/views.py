"""Roadmap pages: the re-plan form (with its warning before saving), the change log and its CSV,
baselines, the timeline picture as a download, and removing a milestone with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.commitments.models import Commitment
from app.core import clock
from app.core import csv as spreadsheet
from app.core.downloads import download, file_name
from app.core.errors import InvalidInput, ServiceError, StaleEdit
from app.core.forms import record_id, show_service_error
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.views import run_and_flash, save_form
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.access import get_milestone_or_404
from app.projects.access import can_edit, get_project_or_404
from app.projects.models import Project
from app.roadmap import services, timeline
from app.roadmap.forms import BaselineForm, RemoveMilestoneForm, ReplanForm, open_milestones
from app.roadmap.models import Baseline, RoadmapChange
from app.templating import fmt_date
from workflows import roadmap
from workflows.milestone import STATES as MILESTONE_STATES
from workflows.milestone import MilestoneState

bp = Blueprint("roadmap", __name__, url_prefix="/campaigns/<int:project_id>")
bp.before_request(login_required(lambda: None))

#: A roadmap change's kind, in words.
KINDS = {
    "moved": "Date moved",
    "target": "Target changed",
    "added": "Added",
    "cancelled": "Cancelled",
    "restored": "Restored",
    "removed": "Removed",
}


@dataclass(frozen=True)
class ChangeLine:
    """One change as a page shows it: what, old → new in words, and the slip in days."""

    milestone: str
    milestone_uuid: str
    kind: str
    label: str
    old: str
    new: str
    slip_days: int | None


@dataclass(frozen=True)
class RiskLine:
    """A countersigned promise the re-plan would break: promised for one date, delivered later."""

    commitment: Commitment
    milestone: str
    new_due: date | None

    @property
    def days_late(self) -> int | None:
        return None if self.new_due is None else (self.new_due - self.commitment.promised_date).days


def _back(project: Project, anchor: str = "roadmap") -> Response:
    return redirect(url_for("projects.show", project_id=project.id) + f"#{anchor}")


def _editable_project_or_404(project_id: int) -> Project:
    """The re-plan page is for the campaign's editors; to everyone else it does not exist."""
    project = get_project_or_404(current_user, project_id)
    if not can_edit(current_user, project):
        abort(404)
    return project


# --- re-plan ---------------------------------------------------------------------------------

@bp.route("/replan", methods=["GET", "POST"])
def replan(project_id: int) -> str | Response:
    project = _editable_project_or_404(project_id)
    candidates = open_milestones(project.milestones)
    stale = False
    if request.method == "POST":
        # Edit what the editor saw: a milestone added since is left alone; one they saw that is
        # no longer open (completed, cancelled or removed since) makes their copy out of date.
        posted = {key.removeprefix("version_") for key in request.form if key.startswith("version_")}
        stale = bool(posted - {str(m.id) for m in candidates})
        candidates = [m for m in candidates if str(m.id) in posted]
    form = ReplanForm.build(candidates)
    action = request.form.get("action", "save")
    preview = None
    if stale and form.is_submitted():
        form.form_errors.append(StaleEdit("roadmap").message)
    elif action == "preview" and form.validate_on_submit():
        preview = _preview(project, form)
    elif action != "preview":
        result = save_form(form, lambda: services.replan(current_user, project, form.edits(), form.reason.data or ""),
                           "roadmap")
        if result is not None:
            flash(_saved_message(result), "warning" if result.at_risk else "success")
            return _back(project)
    current = {m.id: m for m in project.milestones}
    return render_template(
        "roadmap/replan.html", project=project, form=form, preview=preview, current=current,
        replanning=project.replanning, today=clock.today(),
    )


def _preview(project: Project, form: ReplanForm) -> dict[str, object] | None:
    """What saving would change and which countersigned promises it would break; nothing is written."""
    edits = form.edits()
    try:
        result = services.replan(current_user, project, edits, form.reason.data or "", preview=True)
    except ServiceError as error:
        show_service_error(form, error)
        return None
    finally:
        db.session.rollback()
    lines = [
        ChangeLine(title, "", kind, KINDS.get(kind, kind), _shown(kind, old, project), _shown(kind, new, project),
                   roadmap.change_slip_days(kind, old, new))
        for title, kind, old, new in result.changes
    ]
    new_due = {e.milestone_id: e.due_date for e in edits}
    titles = {m.id: m.title for m in form.milestones}

    def risk_lines(promises: list[Commitment]) -> list[RiskLine]:
        return [RiskLine(c, titles.get(c.milestone_id or 0, ""), new_due.get(c.milestone_id or 0)) for c in promises]

    return {"changes": lines, "at_risk": risk_lines(result.at_risk), "cleared": risk_lines(result.cleared)}


def _saved_message(result: services.ReplanResult) -> str:
    count = len(result.changes)
    noun = f"{count} change{'s' if count != 1 else ''}"
    parts = [f"Re-plan saved: {noun} recorded in the change log." if result.replan is not None
             else f"Roadmap saved: {noun}."]
    if result.at_risk:
        n = len(result.at_risk)
        parts.append(f"{n} countersigned commitment{'s are' if n != 1 else ' is'} now at risk: "
                     + ", ".join(c.customer.name for c in result.at_risk) + ".")
    else:
        parts.append("No commitment became at risk.")
    if result.cleared:
        n = len(result.cleared)
        parts.append(f"{n} commitment{'s are' if n != 1 else ' is'} back on track.")
    return " ".join(parts)


# --- change log ------------------------------------------------------------------------------

@bp.get("/changes")
def changes(project_id: int) -> str:
    project = get_project_or_404(current_user, project_id)
    chosen = request.args.get("milestone", "").strip()
    error = ""
    try:
        page = services.change_log_page(project, chosen or None, page_request())
    except InvalidInput as problem:
        if "cursor" in problem.fields:
            raise
        error, chosen = "That milestone is not on this roadmap: showing every change.", ""
        page = services.change_log_page(project, None, page_request())
    entries = [(r, [_line(c, project) for c in r.changes]) for r in page.items]
    return render_template(
        "roadmap/changes.html", project=project, entries=entries, page=page, options=_milestone_options(project),
        chosen=chosen, error=error, can_edit=can_edit(current_user, project),
    )


@bp.get("/changes.csv")
def changes_csv(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    chosen = request.args.get("milestone", "").strip()
    try:
        log = services.change_log(project, chosen or None)
    except InvalidInput:
        abort(404)
    rows = [(record.at, record.author.name if record.author else "", record.reason, change.milestone_title,
             change.kind, change.old_value, change.new_value, change.slip_days)
            for record in log for change in record.changes if not chosen or str(change.milestone_uuid) == chosen]
    return download(spreadsheet.table(["when", "author", "reason", "milestone", "change", "old", "new", "slip_days"], rows),
                    f"{file_name(project.title, 'campaign')}-roadmap-changes.csv")


def _line(change: RoadmapChange, project: Project) -> ChangeLine:
    return ChangeLine(
        change.milestone_title, str(change.milestone_uuid), change.kind, KINDS.get(change.kind, change.kind),
        _shown(change.kind, change.old_value, project), _shown(change.kind, change.new_value, project),
        change.slip_days,
    )


def _shown(kind: str, value: str, project: Project) -> str:
    """An old or new value in words: a date, a target with its unit, a milestone state."""
    if not value:
        return "—"
    if kind in ("cancelled", "restored"):
        return MILESTONE_STATES.get(value, value)
    if kind == "target":
        return f"{value} {project.goal_unit or ''}".strip()
    try:
        return fmt_date(date.fromisoformat(value))
    except ValueError:
        return value


def _milestone_options(project: Project) -> list[tuple[str, str]]:
    """The filter's choices: today's milestones in roadmap order, then those removed since (from the log)."""
    options = [(str(m.uuid), m.title + ("" if m.state == MilestoneState.OPEN else f" ({m.state_label.lower()})"))
               for m in project.milestones]
    options += [(str(key), f"{title} (removed)") for key, title in services.removed_milestones(project)]
    return options


# --- baselines and the timeline picture ------------------------------------------------------

@bp.post("/baselines")
def take_baseline(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    form = BaselineForm()
    if not form.validate_on_submit():
        flash(" ".join(form.name.errors) or "That action was not understood; reload the page and try again.", "error")
        return _back(project, "timeline")
    taken: list[Baseline] = []
    if run_and_flash(lambda: taken.append(services.take_baseline(current_user, project, form.name.data or ""))):
        flash(f"Baseline {taken[0].label} taken: the roadmap is compared with it from now on.", "success")
    return _back(project, "timeline")


@bp.get("/timeline.svg")
@response_policy(csp="default-src 'none'; style-src 'unsafe-inline'")  # opened alone, it runs nothing
def timeline_svg(project_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    number = _baseline_number_or_404(request.args.get("baseline", ""))
    baseline = services.baseline_or_none(project, number)
    if number is not None and baseline is None:
        abort(404)
    svg = timeline.render(project, baseline, clock.today())
    return download(svg, f"{file_name(project.title, 'campaign')}-timeline.svg", mimetype="image/svg+xml")


def _baseline_number_or_404(raw: str) -> int | None:
    """``?baseline=`` of a download: none is the latest; one that is not an id names no baseline, so 404."""
    try:
        return record_id(raw) if raw else None
    except ValueError:
        abort(404)


# --- removing a milestone --------------------------------------------------------------------

@bp.post("/milestones/<int:milestone_id>/delete")
def delete_milestone(project_id: int, milestone_id: int) -> Response:
    project = get_project_or_404(current_user, project_id)
    milestone = get_milestone_or_404(project, milestone_id)
    form = RemoveMilestoneForm()
    if not form.validate_on_submit():
        flash("Reason: " + " ".join(form.reason.errors) if form.reason.errors
              else "That action was not understood; reload the page and try again.", "error")
        return _back(project, f"milestone-{milestone.id}")
    title = milestone.title
    if run_and_flash(lambda: milestones.delete_milestone(current_user, milestone, form.reason.data or ""),
                     f"Milestone “{title}” removed; the change log keeps it."):
        return _back(project)
    return _back(project, f"milestone-{milestone.id}")

