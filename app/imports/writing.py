"""The import's writing step: what it would do (the preview's plan) and doing it, all or nothing.

A deal is one commitment, found again by its CRM id (``crm_source``, ``crm_deal_id``): new deals
become draft commitments, a deal whose terms changed updates its draft, and a deal imported as
it is changes nothing, so importing the same file twice writes nothing the second time. A
customer is upserted by its CRM id (:func:`app.customers.services.upsert_external`) or, when the
file has none, found or recorded by its name. Every write happens in one transaction: an error
on any row rolls back every row before it, and the run says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.customers import services as customers
from app.customers.models import Customer, CustomerAlias
from app.customers.names import normalise
from app.extensions import db
from app.imports import progress
from app.imports.models import ImportRun
from app.imports.rows import Deal, RowError
from app.projects.models import Project
from workflows.commitment import CommitmentState

#: Ids are looked up this many at a time (an IN list every database takes).
CHUNK = 500
#: The terms a re-import compares: equal terms are "unchanged", and nothing is written.
TERMS = ("promise", "customer_id", "product_id", "region_id", "promised_date", "unit_price", "discount_percent",
         "quantity")


def crm_source(source: str) -> str:
    """The CRM a run's deals are filed under: Salesforce, HubSpot, or "other" for any other file."""
    return source if source in {"salesforce", "hubspot"} else "other"


@dataclass
class Plan:
    customers_created: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _existing_commitments(source: str, deals: Sequence[Deal]) -> dict[str, Commitment]:
    ids = [d.deal_id for d in deals]
    found: dict[str, Commitment] = {}
    for chunk in _chunks(ids):
        for commitment in db.session.scalars(sa.select(Commitment).where(Commitment.crm_source == source,
                                                                         Commitment.crm_deal_id.in_(chunk))):
            found[commitment.crm_deal_id or ""] = commitment
    return found


def _known_customers(source: str, deals: Sequence[Deal]) -> tuple[dict[str, int], dict[str, int]]:
    """The customers the deals name that exist already: by CRM id (their own or an alias), and by name key."""
    external = sorted({d.customer_id for d in deals if d.customer_id})
    by_id: dict[str, int] = {}
    for chunk in _chunks(external):
        by_id.update(db.session.execute(sa.select(Customer.external_id, Customer.id).where(
            Customer.crm_source == source, Customer.external_id.in_(chunk))).tuples().all())
        by_id.update(db.session.execute(sa.select(CustomerAlias.external_id, CustomerAlias.customer_id).where(
            CustomerAlias.crm_source == source, CustomerAlias.external_id.in_(chunk))).tuples().all())
    keys = sorted({normalise(d.customer_name) for d in deals})
    by_name: dict[str, int] = {}
    for chunk in _chunks(keys):
        for key, ident in db.session.execute(sa.select(Customer.name_key, Customer.id).where(
                Customer.name_key.in_(chunk)).order_by(Customer.id.desc())).tuples():
            by_name[key] = ident  # the oldest last, so it wins, as find_by_name finds it
    return by_id, by_name


def _terms(deal: Deal, customer_id: int | None) -> dict[str, object]:
    return {"promise": deal.promise, "customer_id": customer_id, "product_id": deal.product_id,
            "region_id": deal.region_id, "promised_date": deal.promised_date, "unit_price": deal.unit_price,
            "discount_percent": deal.discount_percent, "quantity": deal.quantity}


def _same(commitment: Commitment, terms: dict[str, object]) -> bool:
    def norm(value: object) -> object:
        return value.normalize() if isinstance(value, Decimal) else value

    return all(norm(getattr(commitment, name)) == norm(terms[name]) for name in TERMS)


def _refusal(commitment: Commitment, project: Project) -> str | None:
    """Why a changed deal's commitment cannot be updated by an import (None when it can): the rule of the
    API's upsert (:func:`app.commitments.services.deal_refusal`)."""
    why = commitments.deal_refusal(commitment, project)
    return f"this deal is {why}" if why else None


def plan(project: Project, source: str, deals: Sequence[Deal], rows: Sequence[int], column: str) -> Plan:
    """What importing ``deals`` would do (a few queries per 500 deals, none per deal), and the rows it refuses."""
    source = crm_source(source)
    result = Plan()
    existing = _existing_commitments(source, deals)
    by_id, by_name = _known_customers(source, deals)
    new_customers: set[str] = set()
    for index, deal in enumerate(deals):
        key = normalise(deal.customer_name)
        customer_id = by_id.get(deal.customer_id) if deal.customer_id else by_name.get(key)
        if customer_id is None and deal.customer_id and key in by_name:
            customer_id = by_name[key]  # a customer recorded by hand takes the CRM id (upsert_external)
        if customer_id is None:
            new_customers.add(f"id:{deal.customer_id}" if deal.customer_id else f"name:{key}")
        commitment = existing.get(deal.deal_id)
        if commitment is None:
            result.created += 1
        elif _same(commitment, _terms(deal, customer_id if customer_id is not None else -1)):
            result.unchanged += 1
        elif why := _refusal(commitment, project):
            result.errors.append(RowError(rows[index], column, why))
        else:
            result.updated += 1
    result.customers_created = len(new_customers)
    return result


class ImportFailed(Exception):
    """The import stopped; nothing it wrote stays. ``str(error)`` says why, for the run's page."""


def _flush(actor: User, run: ImportRun, source: str, pending: Sequence[tuple[Commitment, str, str]]) -> None:
    """Write a chunk of commitments, then their audit entries (which need their ids)."""
    db.session.flush()
    for commitment, action, summary in pending:
        audit.record(actor, action, summary, entity="commitment", entity_id=commitment.id,
                     project_id=run.project_id, details={"import_run": run.id, "crm": [source, commitment.crm_deal_id]})


def write(actor: User, run: ImportRun, pairs: Sequence[tuple[int, Deal]]) -> tuple[int, int, int, int]:
    """Write the run's deals (row, deal) in the current transaction: (customers created, commitments created,
    updated, unchanged). Raises on the first problem; the caller rolls back."""
    source = crm_source(run.source)
    project = run.project
    deals = [deal for _, deal in pairs]
    existing = _existing_commitments(source, deals)
    owners = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_({d.owner_id for d in deals if d.owner_id is not None})))} if any(d.owner_id for d in deals) else {}
    known: dict[str, Customer] = {}
    customers_created = created = updated = unchanged = 0
    # Written a chunk at a time: one flush and its audit entries per progress.EVERY rows, not one per
    # row. Queries in between (a customer looked up) must not flush half a chunk on their own.
    pending: list[tuple[Commitment, str, str]] = []
    with db.session.no_autoflush:
        for done, (row, deal) in enumerate(pairs, start=1):
            key = f"id:{deal.customer_id}" if deal.customer_id else f"name:{normalise(deal.customer_name)}"
            customer = known.get(key)
            if customer is None:
                if deal.customer_id:
                    customer, made, _ = customers.upsert_external(source, deal.customer_id,
                                                                   {"name": deal.customer_name}, actor=actor)
                else:
                    found = customers.find_by_name(deal.customer_name)
                    made = found is None
                    customer = found or customers.find_or_create(deal.customer_name, actor=actor)
                customers_created += made
                known[key] = customer
            terms = _terms(deal, customer.id)
            commitment = existing.get(deal.deal_id)
            where = f"({run.filename}, row {row})"
            if commitment is None:
                commitment = Commitment(project=project, created_by=owners.get(deal.owner_id or 0, actor),
                                        state=CommitmentState.DRAFT, crm_source=source, crm_deal_id=deal.deal_id,
                                        **terms)
                db.session.add(commitment)
                existing[deal.deal_id] = commitment
                created += 1
                pending.append((commitment, "commitment.created",
                                f"Imported commitment {deal.customer_name}: {deal.promise[:80]} {where}"))
            elif _same(commitment, terms):
                unchanged += 1
            elif why := _refusal(commitment, project):
                raise ImportFailed(f"Row {row}: {why}.")
            else:
                for name, value in terms.items():
                    setattr(commitment, name, value)
                updated += 1
                pending.append((commitment, "commitment.updated",
                                f"Updated commitment {deal.customer_name} from the CRM: {deal.promise[:80]} {where}"))
            if done % progress.EVERY == 0 or done == len(pairs):
                _flush(actor, run, source, pending)
                pending = []
                progress.report(run.id, done, len(pairs))
    return customers_created, created, updated, unchanged
