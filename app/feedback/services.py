"""Feedback rules: sales file what they heard and read what became of it.

Product's side, the triage decisions and their queue, is in :mod:`app.feedback.decisions`. Who
may see and do what lives in :mod:`app.feedback.access`; the triage states and their guards in
:mod:`workflows.feedback`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from app.accounts.models import User
from app.audit import services as audit
from app.catalog.models import Product
from app.commitments.access import visible_commitments
from app.commitments.models import Commitment
from app.core import clock, events
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, desc, head, paginate
from app.core.text import date_label
from app.customers import services as customers
from app.customers.models import Customer
from app.customers.names import normalise
from app.customers.registry import Panel
from app.events import FeedbackFiled
from app.extensions import db
from app.feedback.access import can_file, sees_all, sees_original, visible_feedback
from app.feedback.models import Feedback, feedback_products
from app.milestones.models import Milestone
from app.projects.access import visible_project_ids, visible_projects
from app.projects.models import Project
from app.regions.models import Region
from workflows.feedback import CHANNELS, FEEDBACK_WORKFLOW, KINDS, STATES, FeedbackState


@dataclass(frozen=True)
class FeedbackInput:
    kind: str
    title: str
    region_id: int
    product_ids: Sequence[int] = field(default_factory=tuple)
    details: str = ""
    customer: str = ""  # a name: an exact normalised match is that customer, else one is recorded; "" for none
    project_id: int | None = None
    commitment_id: int | None = None
    source_name: str = ""
    channel: str = "call"
    revenue_at_stake: Decimal | None = None
    currency: str = "EUR"
    customer_id: int | None = None  # the customer by its record, instead of by ``customer``


# --- filing ------------------------------------------------------------------------------------

def file_feedback(actor: User, data: FeedbackInput) -> Feedback:
    """Record what a customer or the market said; the products' managers are told."""
    if not can_file(actor):
        raise NotAllowed("Feedback is filed by sales (sales managers and team members who sell) and admins.")
    products, region, project, commitment, customer = _resolve(actor, data)
    feedback = Feedback(
        kind=data.kind, title=data.title.strip(), details=data.details.strip(), region=region,
        customer=customer, project=project, commitment=commitment,
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


def _resolve(actor: User, data: FeedbackInput) -> tuple[list[Product], Region, Project | None, Commitment | None,
                                                       Customer | None]:
    """Check the input and look up what it names; nothing is written yet but, once all is well, the
    customer a new name means."""
    errors: dict[str, list[str]] = {}
    customer, customer_name = customers.picked(data.customer_id, data.customer, errors, required=None)
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
    if customer is None and customer_name:
        customer = customers.find_or_create(customer_name, actor=actor)
    return products, region, project, commitment, customer


# --- what became of it -------------------------------------------------------------------------

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
    so.selectinload(Feedback.decided_by), so.joinedload(Feedback.customer),
)
#: And where each item went: the submitter's page and the API's lists show it.
OUTCOME_READS = (
    so.selectinload(Feedback.milestone).joinedload(Milestone.project), so.selectinload(Feedback.planned_project),
    so.selectinload(Feedback.duplicate_of),
)
_NEWEST_FIRST = [desc(Feedback.created_at), desc(Feedback.id)]


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
        matches = [column.icontains(words, autoescape=True)
                   for column in (Feedback.title, Feedback.details, Feedback.source_name)]
        if key := normalise(words):  # the customer's name, as its key has it (punctuation and case aside)
            matches.append(Feedback.customer_id.in_(
                sa.select(Customer.id).where(Customer.name_key.contains(key, autoescape=True))))
        query = query.where(sa.or_(*matches))
    return query


def merged_into(feedback: Feedback, reader: User) -> Sequence[Feedback]:
    """The duplicates whose weight this item carries, as far as ``reader`` may see them."""
    return db.session.scalars(
        visible_feedback(reader).where(Feedback.duplicate_of_id == feedback.id)
        .options(so.joinedload(Feedback.submitted_by)).order_by(Feedback.created_at, Feedback.id)
    ).all()


def age_days(feedback: Feedback) -> int:
    """Whole days since it was filed."""
    return max((clock.today() - feedback.created_at.date()).days, 0)


# --- customers ---------------------------------------------------------------------------------

def customer_holding(customer_id: int) -> int:
    """How many feedback items name the customer: what a merge moves."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)
                             .where(Feedback.customer_id == customer_id)) or 0


def move_customer(duplicate_id: int, survivor_id: int) -> None:
    """Point the duplicate's feedback to the survivor of a customer merge."""
    db.session.execute(sa.update(Feedback).where(Feedback.customer_id == duplicate_id)
                       .values(customer_id=survivor_id).execution_options(synchronize_session="fetch"))


#: How many of a customer's feedback items its page shows (newest first); the rest are a search away.
CUSTOMER_FEEDBACK = 10


def customer_panel(user: User, customer: Customer) -> Panel | None:
    """The customer page's feedback (what ``user`` may see of it, newest first) and what became of each item;
    None for who files no feedback and reads none."""
    if not (can_file(user) or sees_all(user)):
        return None
    shown = head(visible_feedback(user).where(Feedback.customer_id == customer.id).options(*LIST_READS, *OUTCOME_READS),
                 _NEWEST_FIRST, CUSTOMER_FEEDBACK)
    see_all = url_for("feedback.index", q=customer.name) if sees_all(user) else url_for("feedback.mine")
    campaigns = visible_project_ids(user, [f.planned_project_id for f in shown.items])
    return Panel(20, "feedback/_customer_panel.html", {
        "feedback": shown, "feedback_all_url": see_all,
        "feedback_outcomes": {f.id: outcome_line(f, campaigns, user) for f in shown.items},
    })
