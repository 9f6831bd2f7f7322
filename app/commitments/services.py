"""Commitment rules: recording a promise, the countersignature, and the risks a re-plan brings.

Who may see and do what lives in :mod:`app.commitments.access`; the list across campaigns (its
CSV, the API's list, the catalog's counts) in :mod:`app.commitments.across`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit import services as audit
from app.catalog.models import PriceBand, Product
from app.commitments.access import can_record, countersigner_criteria, is_party, roles_for
from app.commitments.models import Commitment, effective_price
from app.core import clock, events, values
from app.core.errors import Conflict, InvalidInput, NotAllowed, StaleEdit, TransitionRefused
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, paginate
from app.core.text import date_label
from app.customers import services as customers
from app.events import CommitmentStateChanged
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.access import require_open
from app.projects.models import Project
from app.regions.models import Region
from app.regions.services import active_regions
from workflows import feasibility, roadmap
from workflows.commitment import (
    COMMITMENT_WORKFLOW,
    COUNTERSIGNED_STATES,
    COUNTERSIGNING,
    EDITABLE_STATES,
    SIGNED_STATES,
    UNSIGNED_STATES,
    CommitmentFacts,
    CommitmentState,
)
from workflows.engine import Decision, Transition
from workflows.milestone import MilestoneState


@dataclass(frozen=True)
class CommitmentInput:
    customer: str  # the customer's name: an exact normalised match is that record, else a new one is recorded
    product_id: int
    region_id: int
    promise: str
    promised_date: date
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    quantity: int = 1
    band_id: int | None = None
    milestone_id: int | None = None
    customer_id: int | None = None  # the customer by its record, which ``customer`` then need not name


# --- feasibility -----------------------------------------------------------------------------

def terms(commitment: Commitment) -> feasibility.Terms:
    return _terms_of(commitment.product, commitment.region, commitment.band, commitment.milestone,
                     commitment.promised_date, commitment.effective_price,
                     countersigned=commitment.state in COUNTERSIGNED_STATES)


def _terms_of(product: Product, region: Region, band: PriceBand | None, milestone: Milestone | None,
              promised_date: date, price: Decimal | None, *, countersigned: bool = False) -> feasibility.Terms:
    """The checks' view of terms, saved or not (a cancelled milestone delivers nothing)."""
    coverage = product.coverage_in(region.id)
    milestone = milestone if milestone and milestone.state != MilestoneState.CANCELLED else None
    return feasibility.Terms(
        product=product.name,
        product_status=product.status,
        product_available_from=product.available_from,
        region=region.name,
        coverage=coverage.status if coverage else None,
        coverage_reason=coverage.reason if coverage else "",
        coverage_from=coverage.planned_from if coverage else None,
        promised_date=promised_date,
        effective_price=price,
        band=band.tier if band else None,
        band_minimum=band.minimum_price if band else None,
        currency=product.currency,
        milestone=milestone.title if milestone else None,
        milestone_due=milestone.due_date if milestone else None,
        countersigned=countersigned,
    )


def findings(commitment: Commitment) -> list[feasibility.Finding]:
    return feasibility.check(terms(commitment), clock.today())


class Preview(NamedTuple):
    """What the checks say of terms being typed: the findings, and the fields too wrong to check."""

    findings: list[feasibility.Finding]
    errors: dict[str, list[str]]
    checked: bool = False  # False while the terms are too incomplete or wrong to check


def preview(project: Project, data: CommitmentInput, commitment: Commitment | None = None,
            form_errors: dict[str, list[str]] | None = None) -> Preview:
    """The feasibility checks of terms not saved yet (the commitment form's live checks); writes nothing.

    The same lookups and field rules as saving (:func:`_terms_problems`), and the same
    :func:`workflows.feasibility.check`, so the form says before saving what the draft's page says after.
    ``form_errors`` are the form's own (a date that does not parse, say): those fields are not checked.
    """
    errors = dict(form_errors or {})
    product = db.session.get(Product, data.product_id) if data.product_id else None
    region = db.session.get(Region, data.region_id) if data.region_id else None
    band = db.session.get(PriceBand, data.band_id) if data.band_id is not None else None
    milestone = db.session.get(Milestone, data.milestone_id) if data.milestone_id is not None else None
    for name, messages in _terms_problems(project, commitment, data, product, region, band, milestone).items():
        errors.setdefault(name, messages)
    checked = ("product_id", "region_id", "band_id", "milestone_id", "promised_date", "unit_price", "discount_percent")
    if product is None or region is None or any(name in errors for name in checked):
        return Preview([], errors)
    price = effective_price(data.unit_price, data.discount_percent)
    return Preview(feasibility.check(_terms_of(product, region, band, milestone, data.promised_date, price),
                                     clock.today()), errors, checked=True)


# --- recording and editing -------------------------------------------------------------------

def create_commitment(actor: User, project: Project, data: CommitmentInput) -> Commitment:
    """Record a promise as a draft; it binds nothing until countersigned."""
    require_open(project)
    if not can_record(actor, project):
        raise NotAllowed("Commitments are recorded by the campaign owner or by members who sell.")
    commitment = Commitment(project=project, created_by=actor, state=COMMITMENT_WORKFLOW.initial)
    _assign(commitment, _resolve(actor, commitment, project, data))
    db.session.add(commitment)
    db.session.flush()
    audit.record(actor, "commitment.created", f"Recorded commitment {commitment.title}",
                 entity="commitment", entity_id=commitment.id, project_id=project.id, to_state=commitment.state)
    return commitment


def update_commitment(actor: User, commitment: Commitment, data: CommitmentInput, expected_version: int,
                      reason: str = "") -> Commitment:
    """Change the terms. A countersigned commitment goes back for sign-off, and the reason is kept."""
    require_open(commitment.project)
    roles = roles_for(actor, commitment)
    if not roles & {"seller", "admin"}:
        raise NotAllowed("Only the commitment's author or the campaign owner change its terms.")
    if expected_version != commitment.version:
        raise StaleEdit("commitment")
    if commitment.state not in EDITABLE_STATES | SIGNED_STATES:
        raise InvalidInput(f"A commitment that is {commitment.state_label.lower()} cannot be edited"
                           + (": revise it first." if commitment.state == CommitmentState.REJECTED else "."))
    # Everything is checked before anything is assigned: a refused edit leaves the commitment as it was.
    values = _resolve(actor, commitment, commitment.project, data)
    changed = audit.changes(_snapshot(vars_of(commitment)), _snapshot(values))
    if not changed:
        return commitment
    if commitment.state in SIGNED_STATES:
        decision = COMMITMENT_WORKFLOW.check(commitment.state, "amend", roles, _facts(actor, commitment),
                                             {"reason": reason})
        if not decision.allowed:
            raise InvalidInput("Say why the countersigned terms change.",
                               {"reason": ["A reason is required: the product manager countersigns again."]})
        _assign(commitment, values)
        _move(actor, commitment, "amend", reason, details={"changes": changed})
        return commitment
    _assign(commitment, values)
    db.session.flush()
    audit.record(actor, "commitment.updated", f"Edited commitment {commitment.title}: {audit.describe(changed)}",
                 entity="commitment", entity_id=commitment.id, project_id=commitment.project_id,
                 details={"changes": changed})
    return commitment


# --- the sign-off ----------------------------------------------------------------------------

def options(actor: User, commitment: Commitment, found: Sequence[feasibility.Finding] | None = None,
            ) -> list[tuple[Transition[CommitmentFacts], Decision[CommitmentFacts]]]:
    """The steps open to ``actor`` (amend is done by editing), each with the guards' verdict.

    ``found`` is the commitment's :func:`findings` when the caller has them already.
    """
    if not commitment.project.is_open:
        return []
    roles = roles_for(actor, commitment)
    facts = _facts(actor, commitment, justification="given", found=found)
    params = {"reason": "given"}
    return [
        (t, COMMITMENT_WORKFLOW.check(commitment.state, t.event, roles, facts, params))
        for t in COMMITMENT_WORKFLOW.available(commitment.state, roles)
        if t.event not in {"amend", "flag_risk", "clear_risk"}
    ]


def fire(actor: User, commitment: Commitment, event: str, reason: str = "", justification: str = "",
         ) -> list[feasibility.Finding]:
    """Submit, countersign, reject, request changes, revise, fulfil or withdraw a commitment.

    Returns the feasibility findings it checked: a step changes no terms, so they are still the
    commitment's, and a caller showing them need not run the checks again.
    """
    require_open(commitment.project)
    if event == "amend":
        raise InvalidInput("Change a countersigned commitment by editing its terms.")
    if event in {"flag_risk", "clear_risk"}:
        raise InvalidInput("Countersign flags and clears risks itself when the roadmap moves.")
    # The feasibility checks run once: the guard and the recorded override read the same blockers.
    found = findings(commitment)
    facts = _facts(actor, commitment, justification, found)
    decision = COMMITMENT_WORKFLOW.check(
        commitment.state, event, roles_for(actor, commitment), facts, {"reason": reason},
    )
    if not decision.allowed:
        raise TransitionRefused("The commitment could not be moved on.", decision.reasons)
    _move(actor, commitment, event, reason, justification, blockers=facts.blockers)
    return found


def _move(actor: User, commitment: Commitment, event: str, reason: str = "", justification: str = "",
          details: dict[str, object] | None = None, blockers: tuple[str, ...] | None = None) -> None:
    """Take the transition the workflow allowed; ``blockers`` are the checks' verdict if the caller has it."""
    transition = COMMITMENT_WORKFLOW.transition(event, commitment.state)
    assert transition is not None  # callers asked the workflow first
    old_state = commitment.state
    now = clock.now()
    note = reason.strip()
    commitment.state = transition.target
    if transition.target == CommitmentState.PENDING_SIGNOFF:
        commitment.submitted_by, commitment.submitted_at = actor, now
        commitment.decided_by, commitment.decided_at, commitment.decision_note = None, None, ""
        commitment.override_justification = ""
    if event in {"approve", "reject", "request_changes"}:
        commitment.decided_by, commitment.decided_at, commitment.decision_note = actor, now, note
        if event == "approve" and (blockers if blockers is not None else _blockers(commitment)):
            commitment.override_justification = justification.strip()
    db.session.flush()
    summary = transition.label + (f": {note}" if note else "")
    if commitment.override_justification and event == "approve":
        summary += f" (blockers overridden: {commitment.override_justification})"
    # The seller's word for submitting over blockers stays in the history the product manager reads.
    said = commitment.override_justification
    if event == "submit" and blockers:
        said = justification.strip()
        summary += f" (despite blockers: {said})"
    audit.record(actor, f"commitment.{event}", f"{summary} — {commitment.title}",
                 entity="commitment", entity_id=commitment.id, project_id=commitment.project_id,
                 from_state=old_state, to_state=commitment.state,
                 details={**(details or {}), "reason": note, "justification": said})
    events.emit(CommitmentStateChanged(commitment.id, commitment.project_id, actor.id, event, old_state,
                                       commitment.state, note))


def _facts(actor: User, commitment: Commitment, justification: str = "",
           found: Sequence[feasibility.Finding] | None = None) -> CommitmentFacts:
    return CommitmentFacts(
        actor_is_submitter=is_party(actor, commitment, "submitter"),
        actor_is_author=is_party(actor, commitment, "author"),
        blockers=_blockers(commitment, found),
        override_justification=justification,
    )


def _blockers(commitment: Commitment, found: Sequence[feasibility.Finding] | None = None) -> tuple[str, ...]:
    return tuple(f.message for f in (findings(commitment) if found is None else found) if f.is_blocker)


# --- lists -----------------------------------------------------------------------------------

#: What the feasibility checks read and each row's title names, loaded with the list instead of once per commitment.
CHECKS_READ = (
    so.joinedload(Commitment.product).selectinload(Product.coverage), so.joinedload(Commitment.region),
    so.joinedload(Commitment.band), so.joinedload(Commitment.milestone), so.joinedload(Commitment.customer),
)


#: The customer, and who recorded, submitted and decided each commitment, as the API shows them.
PEOPLE_READ = (so.joinedload(Commitment.customer), so.joinedload(Commitment.created_by),
               so.joinedload(Commitment.submitted_by), so.joinedload(Commitment.decided_by))


def for_project(project: Project) -> Sequence[Commitment]:
    """The campaign's commitments, with what their feasibility checks read, in a few queries."""
    return db.session.scalars(
        sa.select(Commitment).where(Commitment.project_id == project.id)
        .options(*CHECKS_READ)
        .order_by(Commitment.promised_date, Commitment.id)
    ).all()


def project_commitments(project: Project, asked: PageRequest = FIRST_PAGE) -> Page[Commitment]:
    """A page of the campaign's commitments by promised date, with what their checks read."""
    query = sa.select(Commitment).where(Commitment.project_id == project.id).options(*CHECKS_READ, *PEOPLE_READ)
    return paginate(query, [asc(Commitment.promised_date), asc(Commitment.id)], asked)


def unsigned_titles(project_id: int) -> tuple[str, ...]:
    """The commitments that hold a campaign's launch: not yet countersigned, nor withdrawn or rejected."""
    rows = db.session.scalars(
        sa.select(Commitment).where(Commitment.project_id == project_id, Commitment.state.in_(UNSIGNED_STATES))
        .options(so.joinedload(Commitment.product), so.joinedload(Commitment.region), so.joinedload(Commitment.customer))
        .order_by(Commitment.id)
    ).all()
    return tuple(f"{c.title} ({c.state_label.lower()})" for c in rows)


def _risk_check(commitments: Sequence[Commitment], due: dict[int, date | None]) -> set[str]:
    promises = [roadmap.Promise(str(c.id), str(c.milestone_id), c.promised_date) for c in commitments]
    return roadmap.promises_at_risk(promises, {str(k): v for k, v in due.items()})


def _depending_on(milestone_ids: Sequence[int]) -> Sequence[Commitment]:
    return db.session.scalars(
        sa.select(Commitment)
        .where(Commitment.milestone_id.in_(milestone_ids), Commitment.state.in_(SIGNED_STATES))
        .options(so.joinedload(Commitment.product), so.joinedload(Commitment.region), so.joinedload(Commitment.customer))
        .order_by(Commitment.id)
    ).all() if milestone_ids else []


class Forecast(NamedTuple):
    """What a re-plan would do to the promises on its milestones, before it is saved."""

    at_risk: list[Commitment]  # countersigned promises it would break
    cleared: list[Commitment]  # promises at risk today that it would bring back in time


def forecast(due: dict[int, date | None]) -> Forecast:
    """Before a re-plan is saved: what :func:`reassess` will do once these due dates (None: gone) are."""
    commitments = _depending_on(list(due))
    risky = _risk_check(commitments, due)
    return Forecast(
        [c for c in commitments if c.state == CommitmentState.APPROVED and str(c.id) in risky],
        [c for c in commitments if c.state == CommitmentState.AT_RISK and str(c.id) not in risky],
    )


def reassess(actor: User, milestones: Sequence[Milestone]) -> list[Commitment]:
    """After the roadmap moved: flag the promises it now breaks, clear those it no longer does.

    Runs in the same transaction as the roadmap change, and its notifications with it.
    """
    due = {m.id: (None if m.state == MilestoneState.CANCELLED else m.due_date) for m in milestones}
    commitments = _depending_on(list(due))
    risky = _risk_check(commitments, due)
    changed = []
    for commitment in commitments:
        event = None
        if commitment.state == CommitmentState.APPROVED and str(commitment.id) in risky:
            event = "flag_risk"
        elif commitment.state == CommitmentState.AT_RISK and str(commitment.id) not in risky:
            event = "clear_risk"
        if event is not None:
            milestone = commitment.milestone
            why = (f"“{milestone.title}” is now due {date_label(milestone.due_date)}, "
                   f"the promise is for {date_label(commitment.promised_date)}") \
                if milestone and milestone.state != MilestoneState.CANCELLED \
                else "the milestone that delivers it was cancelled"
            _move(actor, commitment, event, why if event == "flag_risk" else "its milestone is back in time")
            changed.append(commitment)
    return changed


def withdraw_unsigned(actor: User, project: Project, reason: str) -> list[int]:
    """Withdraw the campaign's commitments that never became binding; returns their ids."""
    withdrawn = []
    for commitment in db.session.scalars(
        sa.select(Commitment).where(Commitment.project_id == project.id, Commitment.state.in_(UNSIGNED_STATES))
    ):
        _move(actor, commitment, "withdraw", reason)
        withdrawn.append(commitment.id)
    return withdrawn


def awaiting_countersignature(user: User) -> list[sa.ColumnElement[bool]]:
    """Where a query of commitments joined to their campaign finds those waiting for ``user`` to countersign.

    Used by the dashboard's queue and the product manager's calendar feed alike; built from the
    same :data:`~workflows.commitment.COUNTERSIGNING` spec as the approve guard.
    """
    return [Commitment.state.in_(COUNTERSIGNING.waiting), Project.state.in_(COUNTERSIGNING.campaign_states),
            *countersigner_criteria(user)]


def signoff_queue(user: User, asked: PageRequest = FIRST_PAGE) -> Page[Commitment]:
    """What waits for this product manager's countersignature, oldest request first, a page at a time."""
    if user.role is not Role.PRODUCT_MANAGER:
        return Page([], None, asked.limit)  # only product managers countersign: no query to ask
    query = (sa.select(Commitment).join(Project).where(*awaiting_countersignature(user))
             .options(*CHECKS_READ, *PEOPLE_READ, so.joinedload(Commitment.project)))
    # Submitted requests always have a submission time; the epoch stands in for a missing one.
    submitted = sa.func.coalesce(Commitment.submitted_at, datetime(1970, 1, 1))
    return paginate(query, [asc(submitted), asc(Commitment.id)], asked)


def signoff_count(user: User) -> int:
    """How many requests wait for this product manager (one aggregate)."""
    if user.role is not Role.PRODUCT_MANAGER:
        return 0
    return db.session.scalar(sa.select(sa.func.count()).select_from(Commitment).join(Project)
                             .where(*awaiting_countersignature(user))) or 0


# --- input -----------------------------------------------------------------------------------

_TERMS = ("customer", "promise", "product", "region", "band", "milestone", "promised_date", "unit_price",
          "discount_percent", "quantity")


def vars_of(commitment: Commitment) -> dict[str, Any]:
    return {name: getattr(commitment, name) for name in _TERMS}


def _resolve(actor: User, commitment: Commitment, project: Project, data: CommitmentInput) -> dict[str, Any]:
    """Check the input and look up what it names; nothing is changed yet but, once all is well, the
    customer a new name means."""
    errors: dict[str, list[str]] = {}
    customer, customer_name = customers.picked(data.customer_id, data.customer, errors,
                                                required="Name the customer account.")
    product = db.session.get(Product, data.product_id)
    region = db.session.get(Region, data.region_id)
    band = db.session.get(PriceBand, data.band_id) if data.band_id is not None else None
    milestone = db.session.get(Milestone, data.milestone_id) if data.milestone_id is not None else None
    if not data.promise.strip():
        errors["promise"] = ["Write down what was promised."]
    errors.update(_terms_problems(project, commitment, data, product, region, band, milestone))
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)
    if customer is None:
        customer = customers.find_or_create(customer_name, actor=actor)
    return {
        "customer": customer, "promise": data.promise.strip(), "product": product, "region": region,
        "band": band, "milestone": milestone, "promised_date": data.promised_date, "unit_price": data.unit_price,
        "discount_percent": data.discount_percent, "quantity": data.quantity,
    }


def _terms_problems(project: Project, commitment: Commitment | None, data: CommitmentInput, product: Product | None,
                    region: Region | None, band: PriceBand | None, milestone: Milestone | None) -> dict[str, list[str]]:
    """What is wrong with the terms' fields, by field: asked on saving and by the live checks alike."""
    errors: dict[str, list[str]] = {}
    if product is None:
        errors["product_id"] = ["Choose a product from the catalog."]
    if problem := _region_problem(project, commitment, region):
        errors["region_id"] = [problem]
    if data.band_id is not None and (band is None or band.product_id != data.product_id):
        errors["band_id"] = ["Choose a price band of this product."]
    if data.milestone_id is not None and (milestone is None or milestone.project_id != project.id):
        errors["milestone_id"] = ["Choose a milestone of this campaign."]
    if data.quantity < 1:
        errors["quantity"] = ["At least one."]
    if promised := values.campaign_day_problem(data.promised_date, project.start_date, project.end_date,
                                               before_start=False):
        errors["promised_date"] = [promised]
    return errors


def region_choices(project: Project, commitment: Commitment | None = None) -> list[Region]:
    """The regions a commitment of the campaign may name: the campaign's active ones (any active region when
    the campaign names none), and the one the commitment already has, kept even if deactivated or dropped since."""
    regions = [r for r in (project.regions or active_regions()) if r.active]
    if commitment is not None and commitment.region is not None and commitment.region not in regions:
        regions.append(commitment.region)
    return regions


def _region_problem(project: Project, commitment: Commitment | None, region: Region | None) -> str | None:
    if commitment is not None and region is not None and region.id == commitment.region_id:
        return None  # a commitment keeps its region
    if region is None or not region.active:
        return "Choose an active region."
    if project.regions and region not in project.regions:
        names = ", ".join(r.name for r in project.regions if r.active)
        return f"Choose one of the campaign's regions ({names})." if names else "The campaign has no active region."
    return None


def _assign(commitment: Commitment, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(commitment, name, value)


def _snapshot(values: dict[str, Any]) -> dict[str, object]:
    """The terms as the audit trail shows them: records by name, not id."""
    def name(record: Any, attribute: str) -> object:
        return getattr(record, attribute) if record is not None else None

    return {
        **{k: v for k, v in values.items() if k not in {"customer", "product", "region", "band", "milestone"}},
        "customer": name(values["customer"], "name"), "product": name(values["product"], "name"),
        "region": name(values["region"], "name"),
        "band": name(values["band"], "tier"), "milestone": name(values["milestone"], "title"),
    }


# --- CRM deals ------------------------------------------------------------------------------

def find_deal(source: str, deal_id: str) -> Commitment | None:
    """The commitment a CRM knows as deal ``deal_id``."""
    return db.session.scalars(sa.select(Commitment).where(Commitment.crm_source == source,
                                                          Commitment.crm_deal_id == deal_id)).first()


def deal_refusal(found: Commitment, project: Project) -> str | None:
    """Why the CRM may not bring the deal's commitment to new terms (None when it may), worded to follow
    "Deal … is": a deal stays on its campaign, and changes only while a draft or sent back for changes
    (signed terms change in Countersign, where the countersignature is asked again). The API's upsert
    and the CSV import both ask it."""
    if found.project_id != project.id:
        return "a commitment of another campaign: a deal stays on the campaign it was recorded on"
    if found.state not in EDITABLE_STATES:
        return (f"{found.state_label.lower()} ({found.state}): only a draft or one sent back for changes is "
                "updated from the CRM; change it in Countersign, where its countersignature is asked again")
    return None


def upsert_deal(actor: User, project: Project, source: str, deal_id: str,
                data: CommitmentInput) -> tuple[Commitment, bool, bool]:
    """Record the CRM deal as a draft commitment, or bring the existing one to ``data``: ``(commitment, created,
    changed)``. Idempotent. An existing deal changes only while its state allows editing (a draft, or sent back
    for changes), on its own campaign; otherwise :class:`Conflict` names why."""
    found = find_deal(source, deal_id)
    if found is None:
        commitment = create_commitment(actor, project, data)
        commitment.crm_source, commitment.crm_deal_id = source, deal_id
        db.session.flush()
        return commitment, True, True
    if why := deal_refusal(found, project):
        raise Conflict(f"Deal {deal_id} is {why}.")
    version = found.version
    update_commitment(actor, found, data, found.version)
    return found, False, found.version != version


# --- customers -------------------------------------------------------------------------------

def customer_holding(customer_id: int) -> int:
    """How many commitments (every campaign's) point to the customer: what a merge moves."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)
                             .where(Commitment.customer_id == customer_id)) or 0


def move_customer(duplicate_id: int, survivor_id: int) -> None:
    """Point the duplicate's commitments to the survivor of a customer merge (their terms are unchanged,
    so no countersignature is asked again)."""
    db.session.execute(sa.update(Commitment).where(Commitment.customer_id == duplicate_id)
                       .values(customer_id=survivor_id).execution_options(synchronize_session="fetch"))
