"""What the campaign page says about the goal, the budget and the next deadline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.axes import plain_number
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Expense, GoalActual, Project, ProjectMember
from workflows import goals
from workflows.goals import Checkpoint
from workflows.milestone import MilestoneState


def summary_loads() -> tuple[Any, ...]:
    """Loader options for a list of campaigns that shows each one's regions and people: one
    query per relationship for the whole page, never one per campaign. What a row says of its
    goal, spend and next deadline comes from :func:`row_facts`."""
    return (
        so.selectinload(Project.regions),
        so.selectinload(Project.memberships).selectinload(ProjectMember.user),
    )


def detail_loads() -> tuple[Any, ...]:
    """Loader options for one campaign shown whole (its page, its API record): its actuals,
    expenses, and milestones with their tasks, a query each (never one per milestone)."""
    return (
        so.selectinload(Project.actuals),
        so.selectinload(Project.expenses),
        so.selectinload(Project.milestones).selectinload(Milestone.tasks),
    )


@dataclass(frozen=True)
class RowFacts:
    """What a list's row shows of a campaign beyond its own columns."""

    progress: GoalProgress
    next_milestone: Milestone | None
    spent: Decimal


def row_facts(projects: Sequence[Project], today: date, next_milestones: bool = True) -> dict[int, RowFacts]:
    """Goal progress, next deadline and spend of a page of campaigns, in four queries whatever
    their size: the milestones with a target, each campaign's latest actual, its earliest open
    milestone (unless a list shows none: ``next_milestones=False``), and the sum of its expenses
    (rather than every milestone, actual and expense)."""
    ids = [p.id for p in projects]
    if not ids:
        return {}
    targets: dict[int, list[Checkpoint]] = defaultdict(list)
    for project_id, due, value in db.session.execute(
        sa.select(Milestone.project_id, Milestone.due_date, Milestone.target_value)
        .where(Milestone.project_id.in_(ids), Milestone.target_value.is_not(None), Milestone.state != MilestoneState.CANCELLED)
        .order_by(Milestone.project_id, Milestone.position, Milestone.id)
    ):
        targets[project_id].append(Checkpoint(due, value))
    latest = {project_id: Checkpoint(on, value) for project_id, on, value in db.session.execute(
        _first_of_each(sa.select(GoalActual.project_id, GoalActual.measured_on, GoalActual.value)
                       .where(GoalActual.project_id.in_(ids)), GoalActual.project_id,
                       (GoalActual.measured_on.desc(), GoalActual.id.desc())))}
    upcoming = _next_milestones(ids) if next_milestones else {}
    spent = dict(db.session.execute(
        sa.select(Expense.project_id, sa.func.sum(Expense.amount, type_=Expense.amount.type))
        .where(Expense.project_id.in_(ids)).group_by(Expense.project_id)).tuples().all())
    return {
        p.id: RowFacts(_progress(p, today, (latest[p.id],) if p.id in latest else (), targets[p.id]),
                       upcoming.get(p.id), Decimal(spent.get(p.id) or 0).quantize(CENT))
        for p in projects
    }


def _next_milestones(ids: list[int]) -> dict[int, Milestone]:
    """Each campaign's earliest open milestone."""
    earliest = _first_of_each(sa.select(Milestone.id).where(Milestone.project_id.in_(ids), Milestone.state == MilestoneState.OPEN),
                              Milestone.project_id, (Milestone.due_date, Milestone.id)).subquery()
    return {m.project_id: m for m in db.session.scalars(sa.select(Milestone).where(Milestone.id.in_(
        sa.select(earliest.c.id))))}


def _first_of_each(query: sa.Select[Any], group: Any, order: tuple[Any, ...]) -> sa.Select[Any]:
    """The first row of ``query`` in ``order`` for each value of ``group`` (a window function)."""
    ranked = query.add_columns(sa.func.row_number().over(partition_by=group, order_by=order).label("rank")).subquery()
    return sa.select(*(column for column in ranked.c if column.name != "rank")).where(ranked.c.rank == 1)


CENT = Decimal("0.01")


@dataclass(frozen=True)
class GoalProgress:
    metric: str
    unit: str
    baseline: float
    target: float | None
    latest: float | None
    latest_on: date | None
    expected_today: float | None
    percent: float | None
    status: str
    plan: tuple[Checkpoint, ...]
    actuals: tuple[Checkpoint, ...]

    # The goal card shows two figures of different things (the metric's value, itself often a
    # percentage, and how far it has come from baseline to target): each says which it is, in the
    # same words on the campaign page and the dashboard. The API keeps its field names.
    def _amount(self, value: float) -> str:
        return plain_number(value, 1) + (f" {self.unit}" if self.unit and self.unit != "%" else self.unit)

    @property
    def actual_label(self) -> str:
        """"Actual 2.5%", or that none was reported."""
        return "No actual reported yet" if self.latest is None else f"Actual {self._amount(self.latest)}"

    @property
    def target_label(self) -> str:
        """"target 50% (from 0%)"."""
        if self.target is None:
            return "no target set"
        return f"target {self._amount(self.target)}" + (f" (from {self._amount(self.baseline)})" if self.baseline else "")

    @property
    def way_label(self) -> str:
        """"5% of the way to target": the share of the distance from baseline to target covered."""
        return "" if self.percent is None else f"{plain_number(self.percent, 0)}% of the way to target"


@dataclass(frozen=True)
class BudgetSummary:
    budget: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def percent(self) -> float | None:
        return float(self.spent / self.budget * 100) if self.budget else None

    @property
    def over(self) -> bool:
        return self.spent > self.budget


def goal_progress(project: Project, today: date) -> GoalProgress:
    """The goal's progress, from the campaign's loaded actuals and milestones (its own page)."""
    actuals = tuple(Checkpoint(a.measured_on, a.value) for a in project.actuals)
    targets = [Checkpoint(m.due_date, m.target_value) for m in project.milestones
               if m.target_value is not None and m.state != MilestoneState.CANCELLED]
    return _progress(project, today, actuals, targets)


def _progress(project: Project, today: date, actuals: tuple[Checkpoint, ...],
              targets: list[Checkpoint]) -> GoalProgress:
    """Progress judged from ``actuals`` (the latest counts; the rest are drawn) against the plan
    through ``targets``."""
    latest = actuals[-1] if actuals else None
    plan: tuple[Checkpoint, ...] = ()
    expected = None
    status = "no_data"
    percent = None
    if project.goal_target is not None and project.start_date is not None:
        plan = tuple(
            goals.planned_path(project.start_date, project.goal_baseline, project.end_date, project.goal_target, targets)
        )
        # Judge the latest report against what the plan expected on the day it was measured.
        expected = goals.expected_value(plan, today)
        if latest is not None:
            status = goals.track_status(
                project.goal_baseline, project.goal_target, goals.expected_value(plan, latest.on), latest.value
            )
            percent = goals.progress_percent(project.goal_baseline, project.goal_target, latest.value)
    return GoalProgress(
        metric=project.goal_metric,
        unit=project.goal_unit,
        baseline=project.goal_baseline,
        target=project.goal_target,
        latest=latest.value if latest else None,
        latest_on=latest.on if latest else None,
        expected_today=expected,
        percent=percent,
        status=status,
        plan=plan,
        actuals=actuals,
    )


def budget_summary(project: Project) -> BudgetSummary:
    return BudgetSummary(budget=project.budget, spent=project.spent)


def next_deadline(project: Project, today: date) -> Milestone | None:
    """The earliest open milestone, overdue ones included (they are the most urgent)."""
    open_ones = [m for m in project.milestones if m.state == MilestoneState.OPEN]
    return min(open_ones, key=lambda m: m.due_date, default=None)
