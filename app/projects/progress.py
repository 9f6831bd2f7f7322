"""What the campaign page says about the goal, the budget and the next deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy.orm as so

from app.milestones.models import Milestone
from app.projects.models import Project, ProjectMember
from workflows import goals
from workflows.goals import Checkpoint


def summary_loads() -> tuple[Any, ...]:
    """Loader options for a list of campaigns that shows each one's progress, budget, next
    deadline, regions and people: one query per relationship for the whole page, never one per
    campaign."""
    return (
        so.selectinload(Project.regions),
        so.selectinload(Project.memberships).selectinload(ProjectMember.user),
        so.selectinload(Project.milestones),
        so.selectinload(Project.actuals),
        so.selectinload(Project.expenses),
    )


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
    actuals = tuple(Checkpoint(a.measured_on, a.value) for a in project.actuals)
    latest = actuals[-1] if actuals else None
    plan: tuple[Checkpoint, ...] = ()
    expected = None
    status = "no_data"
    percent = None
    if project.goal_target is not None and project.start_date is not None:
        targets = [
            Checkpoint(m.due_date, m.target_value)
            for m in project.milestones
            if m.target_value is not None and m.state != "cancelled"
        ]
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
    open_ones = [m for m in project.milestones if m.state == "open"]
    return min(open_ones, key=lambda m: m.due_date, default=None)
