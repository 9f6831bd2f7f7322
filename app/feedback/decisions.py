"""Feedback triage: the decisions product takes on an item (now, later, decline, duplicate, done),
and the queue of items that wait for one.

Filing and reading feedback is in :mod:`app.feedback.services`; who may triage in
:mod:`app.feedback.access`; the triage states and their guards in :mod:`workflows.feedback`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.catalog.models import product_owners
from app.core import clock, events
from app.core.errors import InvalidInput, StaleEdit, TransitionRefused
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, paginate
from app.events import FeedbackAnswered, FeedbackMerged
from app.extensions import db
from app.feedback.access import has_triage_queue, require_triager, roles_for, sees_all, visible_feedback
from app.feedback.models import Feedback, FeedbackDecision, feedback_products
from app.feedback.services import LIST_READS, OUTCOME_READS, outcome_line
from app.milestones.models import Milestone
from app.projects.access import visible_projects
from app.projects.models import Project
from workflows.engine import Decision, Transition
from workflows.feedback import FEEDBACK_WORKFLOW, OPEN_STATES, FeedbackState, TriageFacts
from workflows.milestone import MilestoneState

# --- deciding ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Named:
    """What a decision names, looked up and checked."""

    milestone: Milestone | None = None
    project: Project | None = None
    original: Feedback | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def options(actor: User, feedback: Feedback) -> list[Transition[TriageFacts]]:
    """The decisions open to ``actor`` on this item, in the order the form offers them."""
    return FEEDBACK_WORKFLOW.available(feedback.state, roles_for(actor, feedback))


def triage(
    actor: User,
    feedback: Feedback,
    event: str,
    answer: str,
    *,
    milestone_id: int | None = None,
    project_id: int | None = None,
    revisit_on: date | None = None,
    reason: str = "",
    duplicate_of_id: int | None = None,
    expected_version: int | None = None,
) -> Feedback:
    """Decide what becomes of a feedback item (now, later, decline, duplicate, done) and tell its submitter."""
    require_triager(actor, feedback)
    roles = roles_for(actor, feedback)
    if expected_version is not None and expected_version != feedback.version:
        raise StaleEdit("feedback item")
    named = _named(actor, feedback, event, milestone_id, project_id, duplicate_of_id)
    facts = TriageFacts(
        answer=answer, linked=named.milestone is not None or named.project is not None,
        revisit_on=revisit_on, today=clock.today(), reason=reason,
        duplicate_of_ok=named.original is not None,
    )
    decision: Decision[TriageFacts] = FEEDBACK_WORKFLOW.check(feedback.state, event, roles, facts)
    if decision.transition is None:
        raise TransitionRefused("The feedback could not be triaged.", decision.reasons)
    if named.errors:  # an id that names nothing usable: say which field, not just "name a milestone"
        raise InvalidInput("Please correct the highlighted fields.", named.errors)
    if not decision.allowed:
        raise TransitionRefused("The feedback could not be triaged.", decision.reasons)
    _decide(actor, feedback, event, decision.transition, answer.strip(), named, revisit_on, reason.strip())
    return feedback


def _named(actor: User, feedback: Feedback, event: str, milestone_id: int | None, project_id: int | None,
           duplicate_of_id: int | None) -> _Named:
    """Look up what this event needs (and only that: the form sends every field)."""
    errors: dict[str, list[str]] = {}
    if event == "now":
        milestone = project = None
        if milestone_id is not None:
            milestone = db.session.scalar(
                sa.select(Milestone).join(Project)
                .where(Milestone.id == milestone_id, Project.id.in_(visible_projects(actor).with_only_columns(Project.id)))
            )
            if milestone is None:
                errors["milestone_id"] = ["Choose a milestone of a campaign you are on."]
            elif milestone.state == MilestoneState.CANCELLED:
                errors["milestone_id"] = ["That milestone is cancelled: choose one that will deliver it."]
            elif project_id is not None and project_id != milestone.project_id:
                errors["milestone_id"] = ["That milestone belongs to another campaign than the one chosen."]
            else:
                project = milestone.project
        elif project_id is not None:
            project = db.session.scalar(visible_projects(actor).where(Project.id == project_id))
            if project is None:
                errors["project_id"] = ["Choose a campaign you are on."]
        if project is not None and not project.is_open:
            errors["milestone_id" if milestone is not None else "project_id"] = [
                f"That campaign is {project.state_label.lower()}: choose one still under way."]
        return _Named(milestone=milestone, project=project, errors=errors)
    if event == "duplicate" and duplicate_of_id is not None:
        original = db.session.scalar(visible_feedback(actor).where(Feedback.id == duplicate_of_id))
        if original is None:
            errors["duplicate_of_id"] = [f"There is no feedback item #{duplicate_of_id}."]
            return _Named(errors=errors)
        return _Named(original=original if _can_be_original(feedback, original) else None)
    return _Named()


def _can_be_original(feedback: Feedback, original: Feedback) -> bool:
    """Another item, not itself a duplicate, and not (through a chain of duplicates) this very item."""
    if original.id == feedback.id or original.state == FeedbackState.DUPLICATE:
        return False
    seen = {original.id}
    step = original.duplicate_of
    while step is not None:  # a duplicate_of link without the state would be a data slip: stay safe anyway
        if step.id == feedback.id or step.id in seen:
            return False
        seen.add(step.id)
        step = step.duplicate_of
    return True


def _decide(actor: User, feedback: Feedback, event: str, transition: Transition[TriageFacts], answer: str,
            named: _Named, revisit_on: date | None, reason: str) -> None:
    old_state = feedback.state
    now = clock.now()
    original = named.original
    if event == "duplicate" and original is not None and not answer:
        # The answer is the submitter's to read: it names the original only if they may open it.
        answer = (f"This repeats “{original.title}” (#{original.id}), which is followed up instead."
                  if sees_all(feedback.submitted_by) or original.submitted_by_id == feedback.submitted_by_id
                  else "This repeats an item filed earlier, which is followed up instead.")
    feedback.state = transition.target
    feedback.answer, feedback.decided_by, feedback.decided_at = answer, actor, now
    feedback.first_decided_at = feedback.first_decided_at or now
    # The item keeps only what its latest decision names ("later" after "now" is no longer planned).
    if event != "done":
        feedback.milestone, feedback.planned_project = named.milestone, named.project
    feedback.revisit_on = revisit_on if event == "later" else None
    feedback.decline_reason = reason if event == "decline" else ""
    feedback.duplicate_of = original
    if original is not None:
        original.weight = (original.weight or Decimal("0")) + (feedback.weight or Decimal("0"))
    db.session.add(FeedbackDecision(
        feedback=feedback, from_state=old_state, to_state=feedback.state, answer=answer, decided_by=actor,
        decided_at=now, milestone=named.milestone, project=named.project,
        revisit_on=feedback.revisit_on, reason=feedback.decline_reason, duplicate_of=original,
    ))
    db.session.flush()
    # The campaign history the audit event joins is read by the members of the campaign the item came from.
    audit_outcome = outcome_line(feedback, {feedback.project_id} if feedback.project_id else None)
    audit.record(actor, f"feedback.{event}", f"{transition.label}: “{feedback.title}”{audit_outcome}",
                 entity="feedback", entity_id=feedback.id, project_id=feedback.project_id,
                 from_state=old_state, to_state=feedback.state,
                 details={"answer": answer, "reason": feedback.decline_reason,
                          "milestone_id": feedback.milestone_id, "planned_project_id": feedback.planned_project_id,
                          "revisit_on": feedback.revisit_on.isoformat() if feedback.revisit_on else None,
                          "duplicate_of_id": feedback.duplicate_of_id})
    events.emit(FeedbackAnswered(feedback.id, actor.id, event, old_state, feedback.state, answer))
    if original is not None:
        events.emit(FeedbackMerged(feedback.id, original.id, actor.id))


# --- the queue -------------------------------------------------------------------------------

def _queue(user: User) -> sa.Select[tuple[Feedback]] | None:
    """Open feedback on the products ``user`` manages (admins: all); None for anyone who triages nothing."""
    if not has_triage_queue(user):
        return None
    query = sa.select(Feedback).where(Feedback.state.in_(OPEN_STATES))
    if user.is_admin:
        return query
    owned = sa.select(product_owners.c.product_id).where(product_owners.c.user_id == user.id)
    return query.where(Feedback.id.in_(
        sa.select(feedback_products.c.feedback_id).where(feedback_products.c.product_id.in_(owned))
    ))


#: The triage queue's order: new first, then the heaviest, then the oldest.
_TRIAGE_ORDER = [asc(sa.case((Feedback.state == FeedbackState.NEW, 0), else_=1)), desc(Feedback.weight), asc(Feedback.created_at),
                 asc(Feedback.id)]


def triage_queue(user: User, asked: PageRequest = FIRST_PAGE) -> Page[Feedback]:
    """A page of the open feedback on the products ``user`` manages (admins: all), new first,
    then the heaviest, then the oldest."""
    query = _queue(user)
    if query is None:
        return Page([], None, asked.limit)
    return paginate(query.options(*LIST_READS, *OUTCOME_READS), _TRIAGE_ORDER, asked)


def triage_count(user: User, state: str = "") -> int:
    """How long ``user``'s triage queue is (only its ``state`` items, if given), without reading it."""
    query = _queue(user)
    if query is None:
        return 0
    if state:
        query = query.where(Feedback.state == state)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def duplicate_candidates(feedback: Feedback, limit: int = 50) -> Sequence[Feedback]:
    """Items this one may repeat: on one of its products, not itself, not already a duplicate."""
    return db.session.scalars(
        sa.select(Feedback)
        .where(Feedback.id != feedback.id, Feedback.state != FeedbackState.DUPLICATE, Feedback.id.in_(
            sa.select(feedback_products.c.feedback_id)
            .where(feedback_products.c.product_id.in_([p.id for p in feedback.products]))
        ))
        .order_by(Feedback.weight.desc(), Feedback.created_at.desc(), Feedback.id.desc()).limit(limit)
    ).all()
