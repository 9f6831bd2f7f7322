"""Feedback rules: sales file what they heard, product triages it, and the submitter is told.

Who may see and do what lives in :mod:`app.feedback.access`; the triage states and their
guards in :mod:`workflows.feedback`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.audit import services as audit
from app.catalog.models import Product, product_owners
from app.commitments.access import visible_commitments
from app.commitments.models import Commitment
from app.core import clock, events
from app.core.errors import InvalidInput, NotAllowed, StaleEdit, TransitionRefused
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, paginate
from app.core.text import date_label
from app.events import FeedbackAnswered, FeedbackFiled, FeedbackMerged
from app.extensions import db
from app.feedback.access import (
    can_file,
    has_triage_queue,
    require_triager,
    roles_for,
    sees_all,
    sees_original,
    visible_feedback,
)
from app.feedback.models import Feedback, FeedbackDecision, feedback_products
from app.milestones.models import Milestone
from app.projects.access import visible_projects
from app.projects.models import Project
from app.regions.models import Region
from workflows.engine import Decision, Transition
from workflows.feedback import CHANNELS, FEEDBACK_WORKFLOW, KINDS, OPEN_STATES, STATES, FeedbackState, TriageFacts
from workflows.milestone import MilestoneState


@dataclass(frozen=True)
class FeedbackInput:
    kind: str
    title: str
    region_id: int
    product_ids: Sequence[int] = field(default_factory=tuple)
    details: str = ""
    customer: str = ""
    project_id: int | None = None
    commitment_id: int | None = None
    source_name: str = ""
    channel: str = "call"
    revenue_at_stake: Decimal | None = None
    currency: str = "EUR"


# --- filing ------------------------------------------------------------------------------------

def file_feedback(actor: User, data: FeedbackInput) -> Feedback:
    """Record what a customer or the market said; the products' managers are told."""
    if not can_file(actor):
        raise NotAllowed("Feedback is filed by sales (sales managers and team members who sell) and admins.")
    products, region, project, commitment = _resolve(actor, data)
    feedback = Feedback(
        kind=data.kind, title=data.title.strip(), details=data.details.strip(), region=region,
        customer=data.customer.strip(), project=project, commitment=commitment,
        source_name=data.source_name.strip(), channel=data.channel, revenue_at_stake=data.revenue_at_stake,
        currency=data.currency.strip().upper() or "EUR", weight=data.revenue_at_stake or Decimal("0"),
        state=FEEDBACK_WORKFLOW.initial, submitted_by=actor, products=products,
    )
    db.session.add(feedback)
    db.session.flush()
    audit.record(actor, "feedback.filed", f"Filed {feedback.kind_label.lower()} “{feedback.title}”",
                 entity="feedback", entity_id=feedback.id, project_id=feedback.project_id, to_state=feedback.state,
                 details={"products": [p.name for p in products], "region": region.name})
    events.emit(FeedbackFiled(feedback.id, actor.id))
    return feedback


def _resolve(actor: User, data: FeedbackInput) -> tuple[list[Product], Region, Project | None, Commitment | None]:
    """Check the input and look up what it names; nothing is written yet."""
    errors: dict[str, list[str]] = {}
    wanted = list(dict.fromkeys(data.product_ids))
    products = list(db.session.scalars(sa.select(Product).where(Product.id.in_(wanted)).order_by(Product.name))) \
        if wanted else []
    region = db.session.get(Region, data.region_id) if data.region_id else None
    commitment = db.session.scalar(visible_commitments(actor).where(Commitment.id == data.commitment_id)) \
        if data.commitment_id is not None else None
    project_id = data.project_id
    if project_id is None and commitment is not None:
        project_id = commitment.project_id  # a commitment names its campaign
    project = db.session.scalar(visible_projects(actor).where(Project.id == project_id)) \
        if project_id is not None else None
    if not data.title.strip():
        errors["title"] = ["Sum the feedback up in a line."]
    if data.kind not in KINDS:
        errors["kind"] = [f"Choose one of: {', '.join(KINDS)}."]
    if data.channel not in CHANNELS:
        errors["channel"] = [f"Choose one of: {', '.join(CHANNELS)}."]
    if not wanted:
        errors["product_ids"] = ["Choose at least one product it is about."]
    elif len(products) != len(wanted):
        errors["product_ids"] = ["Choose products from the catalog."]
    if region is None or not region.active:
        errors["region_id"] = ["Choose an active region."]
    if project_id is not None and project is None:
        errors["project_id"] = ["Choose a campaign you are on."]
    if data.commitment_id is not None:
        if commitment is None:
            errors["commitment_id"] = ["Choose a commitment you can see."]
        elif commitment.project_id != project_id:
            errors["commitment_id"] = ["Choose a commitment of that campaign."]
    if data.revenue_at_stake is not None and (not data.revenue_at_stake.is_finite() or data.revenue_at_stake < 0):
        errors["revenue_at_stake"] = ["Enter an amount of zero or more."]
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)
    assert region is not None  # checked above
    return products, region, project, commitment


# --- triage ------------------------------------------------------------------------------------

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


def outcome_line(feedback: Feedback, campaigns: Collection[int | None] | None = None,
                 reader: User | None = None) -> str:
    """' — revisit 1 Mar 2027', ' — planned in “Q3 release” (Northwind upgrade)': what the decision named,
    for a reader who may open the ``campaigns`` given (None: every one) and, if named, the ``reader``:
    a campaign, milestone or original they could not open on their own is not named."""
    planned = feedback.planned_project_id
    if feedback.state == FeedbackState.LATER and feedback.revisit_on:
        return f" — revisit {date_label(feedback.revisit_on)}"
    if feedback.state == FeedbackState.NOW and campaigns is not None and planned not in campaigns:
        return " — planned in another campaign" if planned is not None else ""
    if feedback.state == FeedbackState.NOW and feedback.milestone is not None:
        return f" — planned in “{feedback.milestone.title}” ({feedback.milestone.project.title})"
    if feedback.state == FeedbackState.NOW and feedback.planned_project is not None:
        return f" — planned in “{feedback.planned_project.title}”"
    if feedback.state == FeedbackState.DUPLICATE and feedback.duplicate_of is not None:
        return f" — same as “{feedback.duplicate_of.title}”" if reader is None or sees_original(reader, feedback) else ""
    return ""


# --- lists -------------------------------------------------------------------------------------

#: What the lists show, loaded with them rather than once per row.
#: Selects rather than joins: a page is read first (newest first, through an index), then what its
#: rows name, each in one query; joins would be made for every matching row before the limit.
LIST_READS = (
    so.selectinload(Feedback.products), so.selectinload(Feedback.region), so.selectinload(Feedback.submitted_by),
    so.selectinload(Feedback.decided_by),
)
#: And where each item went: the submitter's page and the API's lists show it.
OUTCOME_READS = (
    so.selectinload(Feedback.milestone).joinedload(Milestone.project), so.selectinload(Feedback.planned_project),
    so.selectinload(Feedback.duplicate_of),
)


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
_NEWEST_FIRST = [desc(Feedback.created_at), desc(Feedback.id)]


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


def my_feedback(user: User, asked: PageRequest = FIRST_PAGE) -> Page[Feedback]:
    """A page of what ``user`` filed, newest first, with what became of each."""
    query = sa.select(Feedback).where(Feedback.submitted_by_id == user.id).options(*LIST_READS, *OUTCOME_READS)
    return paginate(query, _NEWEST_FIRST, asked)


def answered_since(user: User, since: datetime, limit: int) -> Sequence[Feedback]:
    """The ``limit`` latest of what ``user`` filed and product decided on since ``since``."""
    return db.session.scalars(
        sa.select(Feedback).where(Feedback.submitted_by_id == user.id, Feedback.decided_at >= since)
        .options(*LIST_READS).order_by(Feedback.decided_at.desc(), Feedback.id.desc()).limit(limit)
    ).all()


def search(user: User, product_id: int | None = None, region_id: int | None = None, kind: str = "",
           state: str = "", text: str = "", asked: PageRequest = FIRST_PAGE) -> Page[Feedback]:
    """A page of the feedback ``user`` may see, filtered, newest first."""
    query = searched(user, product_id, region_id, kind, state, text)
    return paginate(query.options(*LIST_READS, *OUTCOME_READS), _NEWEST_FIRST, asked)


def searched(user: User, product_id: int | None = None, region_id: int | None = None, kind: str = "",
             state: str = "", text: str = "") -> sa.Select[tuple[Feedback]]:
    """The feedback ``user`` may see, filtered (unordered): what :func:`search` pages and counts."""
    query = visible_feedback(user)
    if product_id is not None:
        query = query.where(Feedback.id.in_(
            sa.select(feedback_products.c.feedback_id).where(feedback_products.c.product_id == product_id)
        ))
    if region_id is not None:
        query = query.where(Feedback.region_id == region_id)
    if kind in KINDS:
        query = query.where(Feedback.kind == kind)
    if state in STATES:
        query = query.where(Feedback.state == state)
    words = text.strip()
    if words:
        query = query.where(sa.or_(*(
            column.icontains(words, autoescape=True)
            for column in (Feedback.title, Feedback.details, Feedback.customer, Feedback.source_name)
        )))
    return query


def merged_into(feedback: Feedback, reader: User) -> Sequence[Feedback]:
    """The duplicates whose weight this item carries, as far as ``reader`` may see them."""
    return db.session.scalars(
        visible_feedback(reader).where(Feedback.duplicate_of_id == feedback.id)
        .options(so.joinedload(Feedback.submitted_by)).order_by(Feedback.created_at, Feedback.id)
    ).all()


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


def age_days(feedback: Feedback) -> int:
    """Whole days since it was filed."""
    return max((clock.today() - feedback.created_at.date()).days, 0)
