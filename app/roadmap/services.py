"""Roadmap rules: once a campaign is planned, every change to its roadmap is a re-plan with a reason.

A re-plan records each change (old → new), flags the countersigned promises it breaks (and
clears those it mends), and notifies the people concerned, all in one transaction. Baselines
are immutable snapshots to compare against; number 1 is taken when the campaign is planned.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.audit import services as audit
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core import events, values
from app.core.errors import InvalidInput, StaleEdit
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, ordered, paginate
from app.events import MilestoneMoved
from app.extensions import db
from app.milestones.models import Milestone
from app.milestones.services import differences
from app.projects.access import require_editor
from app.projects.models import Project
from app.roadmap.models import Baseline, BaselineItem, Replan, RoadmapChange
from workflows import roadmap
from workflows.commitment import CommitmentState
from workflows.milestone import MilestoneState


@dataclass(frozen=True)
class MilestoneEdit:
    """A new due date and target for one milestone, and the version the editor saw."""

    milestone_id: int
    due_date: date
    target_value: float | None
    version: int


@dataclass
class ReplanResult:
    replan: Replan | None
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)  # (milestone, kind, old, new)
    at_risk: list[Commitment] = field(default_factory=list)
    cleared: list[Commitment] = field(default_factory=list)


# --- baselines -------------------------------------------------------------------------------

def take_baseline(actor: User, project: Project, name: str) -> Baseline:
    """Snapshot the roadmap as it stands; baselines are never changed afterwards."""
    require_editor(actor, project)
    if not name.strip():
        raise InvalidInput("Name the baseline.", {"name": ["e.g. “Q3 re-plan”."]})
    number = (db.session.scalar(sa.select(sa.func.max(Baseline.number)).where(Baseline.project_id == project.id))
              or 0) + 1
    baseline = Baseline(project_id=project.id, number=number, name=name.strip()[:120], taken_by=actor,
                        start_date=project.start_date, end_date=project.end_date)
    baseline.items = [
        BaselineItem(milestone_uuid=m.uuid, title=m.title, due_date=m.due_date, target_value=m.target_value,
                     state=m.state)
        for m in project.milestones
    ]
    db.session.add(baseline)
    db.session.flush()
    audit.record(actor, "baseline.taken", f"Took baseline {baseline.label} ({len(baseline.items)} milestones)",
                 entity="project", entity_id=project.id, project_id=project.id)
    return baseline


def baselines(project: Project) -> Sequence[Baseline]:
    return db.session.scalars(
        sa.select(Baseline).where(Baseline.project_id == project.id).order_by(Baseline.number)
    ).all()


def baseline_page(project: Project, asked: PageRequest = FIRST_PAGE) -> Page[Baseline]:
    """A page of the campaign's baselines, oldest first, with their items and who took them."""
    query = (sa.select(Baseline).where(Baseline.project_id == project.id)
             .options(so.selectinload(Baseline.items), so.joinedload(Baseline.taken_by)))
    return paginate(query, [asc(Baseline.number)], asked)


def baseline_or_none(project: Project, number: int | None) -> Baseline | None:
    """The baseline called ``number``, or the latest when None."""
    query = sa.select(Baseline).where(Baseline.project_id == project.id)
    query = query.where(Baseline.number == number) if number is not None else query.order_by(Baseline.number.desc())
    return db.session.scalars(query.limit(1)).first()


def plan_items(project: Project) -> list[roadmap.PlanItem]:
    return [roadmap.PlanItem(str(m.uuid), m.title, m.due_date, m.target_value, m.state) for m in project.milestones]


def comparison(project: Project, baseline: Baseline) -> roadmap.Comparison:
    snapshot = [roadmap.PlanItem(str(i.milestone_uuid), i.title, i.due_date, i.target_value, i.state)
                for i in baseline.items]
    current = plan_items(project)
    return roadmap.compare(snapshot, current, _finish(baseline.end_date, snapshot), _finish(project.end_date, current))


def _finish(end: date | None, items: Sequence[roadmap.PlanItem]) -> date | None:
    """Where the plan ends: its end date, or later if a live milestone has been pushed past it."""
    dues = [i.due for i in items if i.state != MilestoneState.CANCELLED]
    return max([d for d in (end, *dues) if d is not None], default=None)


# --- re-plans --------------------------------------------------------------------------------

def replan(actor: User, project: Project, edits: Sequence[MilestoneEdit], reason: str,
           preview: bool = False) -> ReplanResult:
    """Move several milestones at once, with one reason. ``preview`` only says what would happen."""
    require_editor(actor, project)
    by_id = {m.id: m for m in project.milestones}
    if len({e.milestone_id for e in edits}) != len(edits):
        raise InvalidInput("A milestone is listed twice.", {"milestones": ["List each milestone once."]})
    errors: dict[str, list[str]] = {}
    moves: list[tuple[Milestone, MilestoneEdit]] = []
    for edit in edits:
        milestone = by_id.get(edit.milestone_id)
        if milestone is None:
            raise InvalidInput("That milestone is not on this roadmap.", {"milestones": ["Unknown milestone."]})
        if milestone.version != edit.version:
            raise StaleEdit("roadmap")
        if due := values.campaign_day_problem(edit.due_date, project.start_date, project.end_date):
            errors[f"due_{milestone.id}"] = [f"“{milestone.title}”: {due}"]
        if (edit.due_date, edit.target_value) != (milestone.due_date, milestone.target_value):
            moves.append((milestone, edit))
    if errors:
        raise InvalidInput("Some dates are outside the campaign.", errors)
    if not moves:
        raise InvalidInput("Nothing changed: move a date or change a target first.")
    if project.replanning and not reason.strip() and not preview:
        raise InvalidInput("Say why the roadmap changes.", {"reason": ["Every re-plan needs a reason; the team sees it."]})
    foreseen = commitments.forecast({m.id: e.due_date for m, e in moves if m.state != MilestoneState.CANCELLED})
    result = ReplanResult(None, at_risk=foreseen.at_risk, cleared=foreseen.cleared)
    result.changes = [(m.title, kind, old, new) for m, e in moves for kind, old, new in differences(m, e.due_date, e.target_value)]
    if preview:
        return result
    # Before planning the roadmap is a draft: it moves freely and nothing is recorded.
    record = _start(actor, project, reason) if project.replanning else None
    for milestone, edit in moves:
        if record is not None:
            for kind, old, new in differences(milestone, edit.due_date, edit.target_value):
                _note(record, milestone, kind, old, new)
        milestone.due_date, milestone.target_value = edit.due_date, edit.target_value
    db.session.flush()
    changed = commitments.reassess(actor, [m for m, _ in moves])
    result.replan = record
    result.at_risk = [c for c in changed if c.state == CommitmentState.AT_RISK]
    result.cleared = [c for c in changed if c.state == CommitmentState.APPROVED]
    if record is not None:
        _audit(actor, project, record)
        _announce_moves(actor, project, record)
    return result


def record(actor: User, milestone: Milestone, changes: Sequence[tuple[str, str, str]], reason: str) -> Replan | None:
    """Changes made from one milestone's own form, as one re-plan; before planning nothing is recorded."""
    project = milestone.project
    if not project.replanning or not changes:
        return None
    if not reason.strip():
        raise InvalidInput("Say why the roadmap changes.",
                           {"reason": ["The campaign is planned: every roadmap change needs a reason."]})
    record = _start(actor, project, reason)
    for kind, old, new in changes:
        _note(record, milestone, kind, old, new)
    db.session.flush()
    _audit(actor, project, record)
    _announce_moves(actor, project, record)
    return record


def _replans(project: Project, milestone_uuid: str | None) -> sa.Select[tuple[Replan]]:
    query = (sa.select(Replan).where(Replan.project_id == project.id)
             .options(so.selectinload(Replan.changes), so.joinedload(Replan.author)))
    if milestone_uuid:
        query = query.where(Replan.id.in_(
            sa.select(RoadmapChange.replan_id).where(RoadmapChange.milestone_uuid == _uuid(milestone_uuid))
        ))
    return query


_NEWEST_FIRST = [desc(Replan.at), desc(Replan.id)]


def change_log(project: Project, milestone_uuid: str | None = None) -> Sequence[Replan]:
    """Every re-plan, newest first, optionally only those touching one milestone (the CSV export)."""
    return db.session.scalars(ordered(_replans(project, milestone_uuid), _NEWEST_FIRST)).all()


def removed_milestones(project: Project) -> list[tuple[uuid.UUID, str]]:
    """The milestones the change log speaks of that the campaign no longer has, each under its last
    recorded title, most recently changed first: one row per milestone, however long the log."""
    last_change = (sa.select(sa.func.max(RoadmapChange.id)).where(RoadmapChange.project_id == project.id)
                   .group_by(RoadmapChange.milestone_uuid))
    rows = db.session.execute(
        sa.select(RoadmapChange.milestone_uuid, RoadmapChange.milestone_title)
        .where(RoadmapChange.id.in_(last_change)).order_by(RoadmapChange.id.desc())
    ).all()
    present = {m.uuid for m in project.milestones}
    return [(key, title) for key, title in rows if key not in present]


def change_log_page(project: Project, milestone_uuid: str | None = None,
                    asked: PageRequest = FIRST_PAGE) -> Page[Replan]:
    """A page of the re-plans, newest first, optionally only those touching one milestone."""
    return paginate(_replans(project, milestone_uuid), _NEWEST_FIRST, asked)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput("Unknown milestone.", {"milestone": ["Pick a milestone from the list."]}) from None


def _start(actor: User, project: Project, reason: str) -> Replan:
    record = Replan(project_id=project.id, author=actor, reason=reason.strip())
    db.session.add(record)
    return record


def _note(record: Replan, milestone: Milestone, kind: str, old: str, new: str) -> None:
    record.changes.append(RoadmapChange(
        project_id=milestone.project_id, milestone_id=milestone.id, milestone_uuid=milestone.uuid,
        milestone_title=milestone.title, kind=kind, old_value=old, new_value=new,
    ))


def _audit(actor: User, project: Project, record: Replan) -> None:
    moved = sum(1 for c in record.changes if c.kind == "moved")
    audit.record(actor, "roadmap.replanned",
                 f"Re-planned {len(record.changes)} change{'s' if len(record.changes) != 1 else ''}"
                 f"{f' ({moved} moved)' if moved else ''}: {record.reason}",
                 entity="project", entity_id=project.id, project_id=project.id,
                 details={"replan": record.id})


def _announce_moves(actor: User, project: Project, record: Replan) -> None:
    """One event per moved milestone of the re-plan: old date, new date and why."""
    for change in record.changes:
        if change.kind != "moved" or change.milestone_id is None:
            continue
        events.emit(MilestoneMoved(change.milestone_id, project.id, record.id, actor.id,
                                   date.fromisoformat(change.old_value), date.fromisoformat(change.new_value),
                                   record.reason))
