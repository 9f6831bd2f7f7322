"""Milestone states: open, done or cancelled; both ends can be reopened.

"Overdue" is not a state: it is an open milestone whose due date has passed,
derived when shown so it can never go stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from workflows.engine import Transition, Workflow


class MilestoneState(StrEnum):
    """A milestone's state, as stored."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


S = MilestoneState
STATES: dict[str, str] = {S.OPEN: "Open", S.DONE: "Done", S.CANCELLED: "Cancelled"}
#: Milestones still on the roadmap: a cancelled one has no due date that anything depends on.
ON_ROADMAP = frozenset({S.OPEN, S.DONE})


@dataclass(frozen=True)
class MilestoneFacts:
    open_tasks: int = 0


def tasks_are_done(facts: MilestoneFacts) -> Iterator[str]:
    if facts.open_tasks:
        plural = "task is" if facts.open_tasks == 1 else "tasks are"
        yield f"{facts.open_tasks} {plural} still open: finish or remove them first."


_EDITORS = frozenset({"owner", "project_manager", "admin"})

MILESTONE_WORKFLOW: Workflow[MilestoneFacts] = Workflow(
    name="milestone",
    noun="milestone",
    states=STATES,
    initial=S.OPEN,
    transitions=(
        Transition(
            "complete", frozenset({S.OPEN}), S.DONE, _EDITORS | {"milestone_owner"}, "Mark done",
            guards=(tasks_are_done,),
        ),
        Transition("cancel", frozenset({S.OPEN}), S.CANCELLED, _EDITORS, "Cancel", requires=("reason",)),
        Transition("reopen", frozenset({S.DONE, S.CANCELLED}), S.OPEN, _EDITORS | {"milestone_owner"}, "Reopen"),
    ),
)


class TaskState(StrEnum):
    """A task has no workflow, only a done flag; these name its two sides where states are recorded (the audit trail)."""

    OPEN = "open"
    DONE = "done"


TASK_STATES = {TaskState.OPEN: "Open", TaskState.DONE: "Done"}
