"""Customer rules: finding a customer by the name someone typed or by a CRM id, recording, editing,
upserting from a CRM, and merging two records of one customer.

The service API other features (and the CRM import) call:

- :func:`find_or_create` ``(name, *, actor) -> Customer``
- :func:`find_by_name` ``(name) -> Customer | None`` and :func:`find_external` ``(source, external_id)``
- :func:`create_customer` ``(data, *, actor, crm_source=None, external_id=None) -> Customer``
- :func:`update_customer` ``(customer, data, expected_version, *, actor) -> Customer``
- :func:`upsert_external` ``(source, external_id, fields, *, actor) -> (customer, created, changed)``
- :func:`merge` ``(survivor, duplicate, *, actor) -> Customer`` and :func:`merge_preview`
- :func:`search` ``(text, limit=20)`` and :func:`list_customers` ``(filters, asked) -> Page``
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.audit import services as audit
from app.core import events, values
from app.core.errors import InvalidInput, StaleEdit
from app.core.models import touch
from app.core.pagination import FIRST_PAGE, Key, Page, PageRequest, asc, desc, paginate
from app.core.query import arg_number, arg_text
from app.core.text import counted
from app.customers import registry
from app.customers.models import (
    CRM_SOURCES,
    DOMAIN_MAX,
    EXTERNAL_ID_MAX,
    NAME_MAX,
    NOTES_MAX,
    Customer,
    CustomerAlias,
)
from app.customers.names import near_pairs, normalise
from app.events import CustomerMerged
from app.extensions import db
from app.regions.models import Region

#: What a customer's editable fields are, as forms, the API and an upsert's ``fields`` name them.
FIELDS = ("name", "region_id", "owner_id", "domain", "notes")
#: How many suggestions the pickers' search answers.
SUGGESTIONS = 20
#: The possible-duplicates page compares at most this many customers (the most recently changed)...
DUPLICATE_SCAN = 2000
#: ...and lists at most this many pairs.
DUPLICATE_PAIRS = 50
SORTS = {"name": "Name A–Z", "updated": "Last changed", "created": "Newest"}

_HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")


@dataclass(frozen=True)
class CustomerInput:
    name: str
    region_id: int | None = None
    owner_id: int | None = None
    domain: str = ""
    notes: str = ""

    def fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True)
class CustomerFilters:
    text: str = ""  # in the name, the domain or a CRM id
    region_id: int | None = None
    owner_id: int | None = None
    sort: str = "name"

    @property
    def narrowed(self) -> bool:
        return bool(self.text or self.region_id is not None or self.owner_id is not None)

    def as_args(self) -> dict[str, str]:
        args = {"q": self.text, "region_id": "" if self.region_id is None else str(self.region_id),
                "owner_id": "" if self.owner_id is None else str(self.owner_id),
                "sort": "" if self.sort == "name" else self.sort}
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class MergePreview:
    """What a merge moves from the duplicate to the survivor, counted before anyone confirms it."""

    survivor: Customer
    duplicate: Customer
    moves: dict[str, int]  # "commitment": 3, "feedback item": 1
    aliases: list[tuple[str, str]]  # the CRM ids the survivor takes over, as (source, external id)
    fills: list[str]  # the survivor's empty fields the duplicate fills


def parse_filters(args: Mapping[str, Any]) -> CustomerFilters:
    """The list's filters from query arguments (the page's and the API's); a bad one is named in an InvalidInput."""
    errors: dict[str, list[str]] = {}
    text = arg_text(args, "q")
    try:
        values.clean_text(text)
    except values.BadValue as bad:
        errors["q"] = [str(bad)]
    if len(text) > NAME_MAX:
        errors["q"] = [f"Search with at most {NAME_MAX} characters."]
    sort = arg_text(args, "sort") or "name"
    if sort not in SORTS:
        errors["sort"] = [f"Choose one of: {', '.join(SORTS)}."]
    ids = {name: arg_number(args, name, errors, "Enter a whole number (an id).") for name in ("region_id", "owner_id")}
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    return CustomerFilters(text=text, sort=sort, **ids)


# --- checking values -------------------------------------------------------------------------

def clean_domain(value: str) -> str:
    """A website as its bare host name ("https://www.Acme.com/about" → "www.acme.com"), or :class:`values.BadValue`."""
    text = values.clean_text(value).strip().lower()
    if not text:
        return ""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/", 1)[0].split("?", 1)[0].rstrip(".")
    try:
        text = text.encode("idna").decode("ascii")  # a name in another script, as DNS spells it
    except UnicodeError:
        raise values.BadValue("Enter a website's domain, such as acme.com.") from None
    if len(text) > DOMAIN_MAX or not _HOSTNAME.fullmatch(text):
        raise values.BadValue("Enter a website's domain, such as acme.com.")
    return text


def clean_name(value: str) -> str:
    name = " ".join(values.clean_text(value).split())
    if not name:
        raise values.BadValue("Name the customer.")
    if len(name) > NAME_MAX:
        raise values.BadValue(f"At most {NAME_MAX} characters.")
    if not normalise(name):
        raise values.BadValue("A customer's name needs a letter or a digit.")
    return name


def clean_external(source: str, external_id: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if source not in CRM_SOURCES:
        errors["crm_source"] = [f"One of {', '.join(CRM_SOURCES)}."]
    try:
        external_id = values.clean_text(external_id).strip()
    except values.BadValue as bad:
        errors["external_id"] = [str(bad)]
    else:
        if not external_id or len(external_id) > EXTERNAL_ID_MAX:
            errors["external_id"] = [f"The CRM's id: 1 to {EXTERNAL_ID_MAX} characters."]
    if errors:
        raise InvalidInput("Name the CRM and the customer's id in it.", errors)
    return source, external_id


def _checked(fields: Mapping[str, object], *, require_name: bool) -> dict[str, Any]:
    """The given ``fields`` as they are stored, or :class:`InvalidInput` naming every bad one; nothing changes."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(fields) - set(FIELDS))
    for name in unknown:
        errors[name] = [f"Not a customer field: send {', '.join(FIELDS)}."]
    checked: dict[str, Any] = {}
    if "name" in fields or require_name:
        try:
            checked["name"] = clean_name(str(fields.get("name") or ""))
        except values.BadValue as bad:
            errors["name"] = [str(bad)]
    if "domain" in fields:
        try:
            checked["domain"] = clean_domain(str(fields["domain"] or ""))
        except values.BadValue as bad:
            errors["domain"] = [str(bad)]
    if "notes" in fields:
        try:
            notes = values.clean_text(str(fields["notes"] or ""), multiline=True).strip()
        except values.BadValue as bad:
            errors["notes"] = [str(bad)]
        else:
            if len(notes) > NOTES_MAX:
                errors["notes"] = [f"At most {NOTES_MAX} characters."]
            checked["notes"] = notes
    for name, model, what in (("region_id", Region, "Choose a region."), ("owner_id", User, "Choose a person.")):
        if name not in fields:
            continue
        ident = fields[name]
        if ident is None or ident == "":
            checked[name] = None
        elif isinstance(ident, bool) or not isinstance(ident, int) or db.session.get(model, ident) is None:
            errors[name] = [what]
        else:
            checked[name] = ident
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)
    if "name" in checked:
        checked["name_key"] = normalise(checked["name"])
    return checked


# --- finding ---------------------------------------------------------------------------------

def find_by_name(name: str) -> Customer | None:
    """The customer whose name normalises as ``name`` does ("ACME inc." finds "Acme"), the oldest if several do."""
    key = normalise(name)
    if not key:
        return None
    return db.session.scalars(sa.select(Customer).where(Customer.name_key == key).order_by(Customer.id)
                              .limit(1)).first()


def find_external(source: str, external_id: str) -> Customer | None:
    """The customer with this CRM id, its own or one a merged-away duplicate had."""
    found = db.session.scalars(sa.select(Customer).where(Customer.crm_source == source,
                                                         Customer.external_id == external_id)).first()
    if found is not None:
        return found
    return db.session.scalars(sa.select(Customer).join(CustomerAlias).where(
        CustomerAlias.crm_source == source, CustomerAlias.external_id == external_id)).first()


def picked(customer_id: int | None, name: str, errors: dict[str, list[str]], *,
           required: str | None) -> tuple[Customer | None, str]:
    """What a form or API body picked: the customer by id, or the one its name means and that name, so
    the caller records a new customer only once everything else is valid too. A problem is noted in
    ``errors`` under the field it came from; ``required`` is the message for no customer at all (None:
    none is fine, as for feedback the market gave). Commitments and feedback both read theirs here."""
    if customer_id is not None:
        customer = db.session.get(Customer, customer_id)
        if customer is None:
            errors["customer_id"] = ["Choose a customer."]
        return customer, ""
    if not name.strip():
        if required:
            errors["customer"] = [required]
        return None, ""
    try:
        cleaned = clean_name(name)
    except values.BadValue as bad:
        errors["customer"] = [str(bad)]
        return None, ""
    return find_by_name(cleaned), cleaned


def find_or_create(name: str, *, actor: User | None) -> Customer:
    """The customer ``name`` means (an exact normalised match), or a new one by that name."""
    try:
        cleaned = clean_name(name)
    except values.BadValue as bad:
        raise InvalidInput(str(bad), {"customer": [str(bad)]}) from None
    return find_by_name(cleaned) or create_customer(CustomerInput(name=cleaned), actor=actor)


def search(text: str, limit: int = SUGGESTIONS) -> Sequence[Customer]:
    """The pickers' suggestions: names whose key starts with the typed one first, then those holding it."""
    key = normalise(text)
    if not key:
        return []
    starts = sa.case((Customer.name_key.startswith(key, autoescape=True), 0), else_=1)
    return db.session.scalars(
        sa.select(Customer).where(Customer.name_key.contains(key, autoescape=True))
        .order_by(starts, Customer.name_key, Customer.id).limit(min(limit, SUGGESTIONS))).all()


def customers_query(filters: CustomerFilters) -> sa.Select[tuple[Customer]]:
    query = sa.select(Customer).options(so.joinedload(Customer.region), so.joinedload(Customer.owner))
    if filters.text:
        text, key = filters.text.strip(), normalise(filters.text)
        matches = [Customer.domain.contains(text.lower(), autoescape=True), Customer.external_id == text,
                   Customer.id.in_(sa.select(CustomerAlias.customer_id).where(CustomerAlias.external_id == text))]
        if key:
            matches.append(Customer.name_key.contains(key, autoescape=True))
        query = query.where(sa.or_(*matches))
    if filters.region_id is not None:
        query = query.where(Customer.region_id == filters.region_id)
    if filters.owner_id is not None:
        query = query.where(Customer.owner_id == filters.owner_id)
    return query


def _sort_keys(sort: str) -> list[Key]:
    if sort == "updated":
        return [desc(Customer.updated_at), desc(Customer.id)]
    if sort == "created":
        return [desc(Customer.created_at), desc(Customer.id)]
    return [asc(Customer.name_key), asc(Customer.id)]


def list_customers(filters: CustomerFilters, asked: PageRequest = FIRST_PAGE) -> Page[Customer]:
    """A page of customers (region and owner loaded with it), filtered and sorted."""
    return paginate(customers_query(filters), _sort_keys(filters.sort), asked)


def possible_duplicates(scan: int = DUPLICATE_SCAN, limit: int = DUPLICATE_PAIRS) -> list[tuple[Customer, Customer]]:
    """Pairs of customers whose names are close but not equal ("Acme" and "Acme Europe", "Globex" and
    "Globecs"), for an admin to merge by hand; bounded: the ``scan`` most recently changed customers are
    compared, each with its neighbours in name order (:func:`app.customers.names.near_pairs`)."""
    rows = db.session.execute(sa.select(Customer.id, Customer.name_key)
                              .order_by(Customer.updated_at.desc(), Customer.id.desc()).limit(scan)).all()
    pairs = near_pairs([(row.id, row.name_key) for row in rows], limit=limit)
    ids = {ident for pair in pairs for ident in pair}
    loaded = {c.id: c for c in db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))} if ids else {}
    return [(loaded[a], loaded[b]) for a, b in pairs]


# --- recording and editing -------------------------------------------------------------------

def _snapshot(customer: Customer) -> dict[str, object]:
    return {name: getattr(customer, name) for name in FIELDS}


def create_customer(data: CustomerInput, *, actor: User | None, crm_source: str | None = None,
                    external_id: str | None = None) -> Customer:
    """Record a customer (with its CRM id when it comes from one)."""
    checked = _checked(data.fields(), require_name=True)
    if crm_source is not None or external_id is not None:
        crm_source, external_id = clean_external(crm_source or "", external_id or "")
        if find_external(crm_source, external_id) is not None:
            raise InvalidInput("Another customer has this CRM id.", {"external_id": ["Already used."]})
    customer = Customer(crm_source=crm_source, external_id=external_id, **checked)
    db.session.add(customer)
    db.session.flush()
    audit.record(actor, "customer.created", f"Recorded customer {customer.name}", entity="customer",
                 entity_id=customer.id)
    return customer


def update_customer(customer: Customer, data: CustomerInput, expected_version: int, *, actor: User) -> Customer:
    """Change a customer's details; a stale ``expected_version`` is refused."""
    if expected_version != customer.version:
        raise StaleEdit("customer")
    _change(customer, _checked(data.fields(), require_name=True), actor)
    return customer


def _change(customer: Customer, checked: dict[str, Any], actor: User | None) -> bool:
    before = _snapshot(customer)
    after = {**before, **{k: v for k, v in checked.items() if k in FIELDS}}
    changed = audit.changes(before, after)
    if not changed:
        return False
    for name, value in checked.items():
        setattr(customer, name, value)
    db.session.flush()
    audit.record(actor, "customer.updated", f"Edited customer {customer.name}: {audit.describe(changed)}",
                 entity="customer", entity_id=customer.id, details={"changes": changed})
    return True


def upsert_external(source: str, external_id: str, fields: Mapping[str, object], *,
                    actor: User | None) -> tuple[Customer, bool, bool]:
    """Create or update the customer a CRM knows by ``external_id``: ``(customer, created, changed)``.

    Idempotent: sending the same ``fields`` again changes nothing. Only the given ``fields`` change
    (``name`` is needed to create). A customer found by a merged-away duplicate's id is the survivor.
    When no customer has the id, one recorded by hand with the same normalised name takes it, rather
    than the CRM making a duplicate of it.
    """
    source, external_id = clean_external(source, external_id)
    customer = find_external(source, external_id)
    if customer is None:
        checked = _checked(fields, require_name=True)
        claimed = db.session.scalars(sa.select(Customer).where(
            Customer.name_key == checked["name_key"], Customer.crm_source.is_(None)).order_by(Customer.id)).first()
        if claimed is None:
            customer = Customer(crm_source=source, external_id=external_id, **checked)
            db.session.add(customer)
            db.session.flush()
            audit.record(actor, "customer.created", f"Recorded customer {customer.name} from {CRM_SOURCES[source]}",
                         entity="customer", entity_id=customer.id, details={"crm": [source, external_id]})
            return customer, True, True
        claimed.crm_source, claimed.external_id = source, external_id
        _change(claimed, checked, actor)
        touch(claimed)
        db.session.flush()
        audit.record(actor, "customer.linked", f"Linked customer {claimed.name} to {CRM_SOURCES[source]} {external_id}",
                     entity="customer", entity_id=claimed.id, details={"crm": [source, external_id]})
        return claimed, False, True
    return customer, False, _change(customer, _checked(fields, require_name=False), actor)


# --- merging ---------------------------------------------------------------------------------

_FILLABLE = ("region_id", "owner_id", "domain", "notes")


def merge_preview(survivor: Customer, duplicate: Customer) -> MergePreview:
    """What :func:`merge` would move, as the confirmation page shows it."""
    if survivor.id == duplicate.id:
        raise InvalidInput("Pick two different customers.", {"duplicate_id": ["Not the survivor itself."]})
    aliases = [(a.crm_source, a.external_id) for a in duplicate.aliases]
    if duplicate.crm_source and duplicate.external_id:
        aliases.insert(0, (duplicate.crm_source, duplicate.external_id))
    fills = [name for name in _FILLABLE if not getattr(survivor, name) and getattr(duplicate, name)]
    return MergePreview(survivor, duplicate, registry.holdings(duplicate.id), aliases, fills)


def merge(survivor: Customer, duplicate: Customer, *, actor: User) -> Customer:
    """Make ``duplicate`` part of ``survivor``: its commitments and feedback move (the features that own
    them do it, on :class:`CustomerMerged`), its CRM ids stay as the survivor's aliases, the survivor's
    empty details are filled from it, both get an audit entry, and the duplicate is deleted."""
    preview = merge_preview(survivor, duplicate)
    duplicate_name, duplicate_id = duplicate.name, duplicate.id
    for name in preview.fills:
        setattr(survivor, name, getattr(duplicate, name))
    for alias in list(duplicate.aliases):
        alias.customer = survivor
    if duplicate.crm_source and duplicate.external_id:
        source, external_id = duplicate.crm_source, duplicate.external_id
        duplicate.crm_source = duplicate.external_id = None
        db.session.flush()  # the pair leaves the duplicate before the alias holds it
        survivor.aliases.append(CustomerAlias(crm_source=source, external_id=external_id, merged_name=duplicate_name))
    touch(survivor)
    db.session.flush()
    events.emit(CustomerMerged(survivor_id=survivor.id, duplicate_id=duplicate_id, duplicate_name=duplicate_name,
                               actor_id=actor.id))
    moved = ", ".join(counted(count, label) for label, count in preview.moves.items() if count) or "nothing else"
    details = {"survivor_id": survivor.id, "duplicate_id": duplicate_id, "moves": preview.moves,
               "aliases": [list(pair) for pair in preview.aliases]}
    audit.record(actor, "customer.merged", f"Merged {duplicate_name} into {survivor.name} ({moved})",
                 entity="customer", entity_id=survivor.id, details=details)
    audit.record(actor, "customer.merged_away", f"Merged {duplicate_name} into {survivor.name}",
                 entity="customer", entity_id=duplicate_id, details=details)
    db.session.delete(duplicate)
    db.session.flush()
    return survivor
