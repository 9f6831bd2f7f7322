"""Commitments across campaigns: the ``/commitments`` list, its CSV export, the API's list and the
catalog's counts by state, all of the commitments a reader may see
(:func:`app.commitments.access.visible_commitments`: their campaigns', and those of the products they keep).

Reading only; recording a promise and its sign-off are :mod:`app.commitments.services`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from app.accounts.models import User
from app.catalog.models import Product, product_owners
from app.commitments.access import visible_commitments
from app.commitments.filters import CommitmentFilters
from app.commitments.models import Commitment
from app.commitments.services import PEOPLE_READ
from app.core import clock, csv
from app.core.pagination import FIRST_PAGE, Key, Page, PageRequest, asc, desc, head, ordered, paginate
from app.customers.models import Customer
from app.customers.registry import CommitmentCounts, Panel
from app.extensions import db
from app.projects.access import visible_project_ids
from app.projects.models import Project
from app.regions.models import Region
from workflows.commitment import (
    COUNTERSIGNED_STATES,
    OPEN_STATES,
    SIGNED_STATES,
    STATES,
    UNSIGNED_STATES,
    CommitmentState,
)

#: What a row of the list shows (and the API's serializer reads), loaded with the page rather than once a row.
ACROSS_READ = (
    so.joinedload(Commitment.product), so.joinedload(Commitment.region), so.joinedload(Commitment.project),
    so.joinedload(Commitment.customer),
    so.joinedload(Commitment.band), so.joinedload(Commitment.milestone), *PEOPLE_READ,
)
#: At most this many rows in a CSV export: the page says so when more match (its count is the whole list's).
EXPORT_LIMIT = 10_000


#: Each state's place in :data:`~workflows.commitment.STATES`, as SQL: what "sort by state" orders by.
_STATE_ORDER = sa.case({state: place for place, state in enumerate(STATES)}, value=Commitment.state,
                       else_=len(STATES))


_CUSTOMER_KEY = sa.select(Customer.name_key).where(Customer.id == Commitment.customer_id).scalar_subquery()


def _sort_keys(sort: str) -> list[Key]:
    """The order ``sort`` names, ending in the id so that paging is total and stable."""
    if sort == "customer":  # by its key: "acme" and "ACME Inc." side by side, as a reader expects
        return [asc(_CUSTOMER_KEY), asc(Commitment.id)]
    if sort == "state":  # in the workflow's order (drafts first, withdrawn last), not the keys' alphabet
        return [asc(_STATE_ORDER), asc(Commitment.promised_date), asc(Commitment.id)]
    if sort == "changed":
        return [desc(Commitment.updated_at), desc(Commitment.id)]
    return [asc(Commitment.promised_date), asc(Commitment.id)]


def across_campaigns(user: User, filters: CommitmentFilters) -> sa.Select[tuple[Commitment]]:
    """The commitments ``user`` may see (their campaigns', and those of the products they keep), filtered
    (unordered): what :func:`list_across` pages and counts and :func:`export_rows` writes."""
    query = visible_commitments(user)
    if filters.mine_products:
        query = query.where(Commitment.product_id.in_(
            sa.select(product_owners.c.product_id).where(product_owners.c.user_id == user.id)))
    if filters.state:
        query = query.where(Commitment.state == filters.state)
    if filters.at_risk:
        query = query.where(Commitment.state == CommitmentState.AT_RISK)
    if filters.product_id is not None:
        query = query.where(Commitment.product_id == filters.product_id)
    if filters.region_id is not None:
        query = query.where(Commitment.region_id == filters.region_id)
    if filters.seller_id is not None:
        query = query.where(Commitment.created_by_id == filters.seller_id)
    if filters.customer is not None:
        query = query.where(Commitment.customer_id == filters.customer)
    if filters.promised_from is not None:
        query = query.where(Commitment.promised_date >= filters.promised_from)
    if filters.promised_to is not None:
        query = query.where(Commitment.promised_date <= filters.promised_to)
    return query


def list_across(user: User, filters: CommitmentFilters, asked: PageRequest = FIRST_PAGE) -> Page[Commitment]:
    """A page of the commitments ``user`` may see, filtered and in the order the filters name."""
    return paginate(across_campaigns(user, filters).options(*ACROSS_READ), _sort_keys(filters.sort), asked)


#: At most this many sellers in the list's filter: the people who recorded what the reader may see.
SELLER_CHOICES = 200


def sellers_seen(user: User) -> list[tuple[int, str]]:
    """(id, name) of who recorded the commitments ``user`` may see, by name: the seller filter's choices."""
    visible = visible_commitments(user).with_only_columns(Commitment.created_by_id).distinct().scalar_subquery()
    rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(visible))
                              .order_by(User.name, User.id).limit(SELLER_CHOICES)).all()
    return [(row.id, row.name) for row in rows]


#: The CSV export's columns, in the order :func:`export_rows` writes them.
EXPORT_HEADER = ("id", "customer", "promise", "product", "region", "campaign", "seller", "promised_date", "state",
                 "state_label", "unit_price", "discount_percent", "quantity", "currency", "updated_at", "customer_id")


def export_rows(user: User, filters: CommitmentFilters) -> list[tuple[csv.Cell, ...]]:
    """The first :data:`EXPORT_LIMIT` rows of the filtered list as the CSV writes them, in one query of plain
    columns (no ORM objects for ten thousand rows)."""
    matching = across_campaigns(user, filters).with_only_columns(Commitment.id).scalar_subquery()
    seller = so.aliased(User)
    query = (sa.select(Commitment.id, Customer.name, Commitment.promise, Product.name, Region.name,
                       Project.title, seller.name, Commitment.promised_date, Commitment.state,
                       Commitment.unit_price, Commitment.discount_percent, Commitment.quantity, Product.currency,
                       Commitment.updated_at, Commitment.customer_id)
             .join(Customer, Customer.id == Commitment.customer_id)
             .join(Product, Product.id == Commitment.product_id).join(Region, Region.id == Commitment.region_id)
             .join(Project, Project.id == Commitment.project_id).join(seller, seller.id == Commitment.created_by_id)
             .where(Commitment.id.in_(matching)))
    rows = db.session.execute(ordered(query, _sort_keys(filters.sort)).limit(EXPORT_LIMIT)).all()
    return [(*row[:9], STATES.get(row.state, row.state), *row[9:]) for row in rows]


def open_counts(user: User, product_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per product, how many of the commitments ``user`` may see are in each open state: one aggregate
    for the whole catalog page (the catalog asks through :func:`app.catalog.services.promise_counts`)."""
    if not product_ids:
        return {}
    visible = visible_commitments(user).with_only_columns(Commitment.id).scalar_subquery()
    rows = db.session.execute(
        sa.select(Commitment.product_id, Commitment.state, sa.func.count())
        .where(Commitment.id.in_(visible), Commitment.product_id.in_(product_ids),
               Commitment.state.in_(OPEN_STATES))
        .group_by(Commitment.product_id, Commitment.state)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for product_id, state, count in rows:
        counts.setdefault(product_id, {})[state] = count
    return counts


def customer_counts(user: User, customer_ids: Sequence[int]) -> dict[int, CommitmentCounts]:
    """Per customer, how many of the commitments ``user`` may see wait for a countersignature (open), are
    countersigned, and are at risk: one aggregate for a page of customers (asked through
    :func:`app.customers.registry.commitment_counts`)."""
    if not customer_ids:
        return {}
    visible = visible_commitments(user).with_only_columns(Commitment.id).scalar_subquery()

    def counted(states: frozenset[str]) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((Commitment.state.in_(states), 1), else_=0))

    rows = db.session.execute(
        sa.select(Commitment.customer_id, counted(UNSIGNED_STATES), counted(COUNTERSIGNED_STATES),
                  counted(frozenset({CommitmentState.AT_RISK})))
        .where(Commitment.id.in_(visible), Commitment.customer_id.in_(customer_ids))
        .group_by(Commitment.customer_id)
    ).all()
    return {row[0]: CommitmentCounts(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in rows}


#: What a customer's page shows of its commitments: the first rows, the soonest dates and the campaigns.
CUSTOMER_ROWS, CUSTOMER_UPCOMING, CUSTOMER_CAMPAIGNS = 10, 5, 10


def customer_panel(user: User, customer: Customer) -> Panel:
    """The customer page's commitments (those ``user`` may see), its campaigns and the dates coming up, in four
    queries whatever the customer holds; the whole list is ``/commitments?customer=<id>``."""
    mine = visible_commitments(user).where(Commitment.customer_id == customer.id)
    rows = head(mine.options(*ACROSS_READ), [asc(Commitment.promised_date), asc(Commitment.id)], CUSTOMER_ROWS)
    upcoming = db.session.scalars(
        mine.where(Commitment.promised_date >= clock.today(), Commitment.state.in_(UNSIGNED_STATES | SIGNED_STATES))
        .options(so.joinedload(Commitment.product), so.joinedload(Commitment.project))
        .order_by(Commitment.promised_date, Commitment.id).limit(CUSTOMER_UPCOMING)).all()
    ids = mine.with_only_columns(Commitment.id).scalar_subquery()
    campaigns = db.session.execute(
        sa.select(Project.id, Project.title, Project.state, sa.func.count(Commitment.id))
        .join(Commitment, Commitment.project_id == Project.id).where(Commitment.id.in_(ids))
        .group_by(Project.id, Project.title, Project.state).order_by(sa.func.count(Commitment.id).desc(), Project.id)
        .limit(CUSTOMER_CAMPAIGNS)).all()
    return Panel(10, "commitments/_customer_panel.html", {
        "commitments": rows, "upcoming": upcoming, "campaigns": campaigns,
        # A product manager off a campaign reads its title, not a link they cannot open.
        "visible_campaigns": visible_project_ids(user, [*(row[0] for row in campaigns),
                                                        *(c.project_id for c in rows.items)]),
        "all_url": url_for("commitments.index", customer=customer.id),
    })
