"""The campaign (project) lifecycle.

    draft --submit--> proposed --plan--> planned --launch--> active --complete--> completed
      ^------revise------'                          active <--hold/resume--> on_hold
    any open state --cancel (reason)--> cancelled

Guards are plain functions of :class:`ProjectFacts`; to add a rule, write the
function and add it to the transition's ``guards`` tuple.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from workflows.engine import Transition, Workflow


class ProjectState(StrEnum):
    """A campaign's lifecycle state, as stored (the values are the database's words)."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    PLANNED = "planned"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


S = ProjectState
STATES: dict[str, str] = {
    S.DRAFT: "Draft",
    S.PROPOSED: "Proposed",
    S.PLANNED: "Planned",
    S.ACTIVE: "Active",
    S.ON_HOLD: "On hold",
    S.COMPLETED: "Completed",
    S.CANCELLED: "Cancelled",
}
#: Closed campaigns are finished with: nothing in them changes any more.
CLOSED_STATES = frozenset({S.COMPLETED, S.CANCELLED})
OPEN_STATES = frozenset(STATES) - CLOSED_STATES
#: Campaigns whose milestones remind people: drafts and proposals are not yet under way, a
#: campaign on hold is paused on purpose, and a closed one has nothing left to do.
REMINDING_STATES = frozenset({S.PLANNED, S.ACTIVE})
#: From planning on, the roadmap is a commitment of its own: changes need a reason (planning takes baseline #1).
BASELINED_STATES = frozenset({S.PLANNED, S.ACTIVE, S.ON_HOLD})
OUTCOMES = {"achieved": "Achieved", "partial": "Partially achieved", "missed": "Missed"}


@dataclass(frozen=True)
class ProjectFacts:
    """What the lifecycle rules need to know about one campaign."""

    goal_metric: str = ""
    goal_target: float | None = None
    start_date: date | None = None
    end_date: date | None = None
    open_milestones: int = 0
    has_project_manager: bool = False
    actuals_reported: int = 0
    #: Commitments not yet countersigned (draft, waiting, changes requested), by title.
    unsigned_commitments: tuple[str, ...] = ()


def goal_is_set(facts: ProjectFacts) -> Iterator[str]:
    if not facts.goal_metric.strip():
        yield "Name the goal metric (for example “Customers on the new tier”)."
    if facts.goal_target is None:
        yield "Set a goal target value."


def dates_are_valid(facts: ProjectFacts) -> Iterator[str]:
    if facts.start_date is None or facts.end_date is None:
        yield "Set both a start date and an end date."
    elif facts.end_date <= facts.start_date:
        yield "The end date must be after the start date."


def has_a_milestone(facts: ProjectFacts) -> Iterator[str]:
    if facts.open_milestones < 1:
        yield "Add at least one milestone."


def has_a_project_manager(facts: ProjectFacts) -> Iterator[str]:
    if not facts.has_project_manager:
        yield "Assign a project manager."


def has_actuals(facts: ProjectFacts) -> Iterator[str]:
    if facts.actuals_reported < 1:
        yield "Report at least one actual value of the goal, so the outcome can be measured."


def commitments_are_countersigned(facts: ProjectFacts) -> Iterator[str]:
    for title in facts.unsigned_commitments:
        yield f"Commitment {title} is not countersigned yet."


_MANAGERS = frozenset({"project_manager", "admin"})
_LEADS = frozenset({"owner", "project_manager", "admin"})

PROJECT_WORKFLOW: Workflow[ProjectFacts] = Workflow(
    name="project",
    noun="campaign",
    states=STATES,
    initial=S.DRAFT,
    transitions=(
        Transition(
            "submit", frozenset({S.DRAFT}), S.PROPOSED, frozenset({"owner", "admin"}),
            "Submit for planning", guards=(goal_is_set, dates_are_valid, has_a_milestone),
        ),
        Transition("revise", frozenset({S.PROPOSED}), S.DRAFT, _LEADS, "Return to draft"),
        Transition(
            "plan", frozenset({S.PROPOSED}), S.PLANNED, _MANAGERS, "Plan",
            guards=(has_a_project_manager, dates_are_valid, has_a_milestone), effects=("take_baseline",),
        ),
        Transition(
            "launch", frozenset({S.PLANNED}), S.ACTIVE, _MANAGERS, "Launch",
            guards=(dates_are_valid, commitments_are_countersigned),
        ),
        Transition("hold", frozenset({S.ACTIVE}), S.ON_HOLD, _MANAGERS, "Put on hold", requires=("reason",)),
        Transition("resume", frozenset({S.ON_HOLD}), S.ACTIVE, _MANAGERS, "Resume"),
        Transition(
            "complete", frozenset({S.ACTIVE}), S.COMPLETED, _LEADS, "Complete",
            guards=(has_actuals, commitments_are_countersigned), effects=("record_outcome",),
        ),
        # Unsigned commitments of a cancelled campaign never bound anything: they are withdrawn with it.
        Transition("cancel", OPEN_STATES, S.CANCELLED, _LEADS, "Cancel", requires=("reason",),
                   effects=("withdraw_unsigned_commitments",), for_good=True),
    ),
)
