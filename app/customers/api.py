"""Customers in the JSON API: the list, recording and editing, merging, and the CRM upsert by external id."""

from __future__ import annotations

from typing import Annotated, TypedDict

from flask import Response, abort, jsonify, request
from flask_login import current_user

from app.api import (
    PersonRef,
    RegionRef,
    Versioned,
    api_blueprint,
    expected_version,
    json_body,
    page_json,
    person,
    region_ref,
    timestamp,
    validated,
)
from app.api.openapi import NEW_ID, Body, follow, operation
from app.api.schemas import IdArg, OneOf, Timestamp
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import page_request
from app.core.views import commit
from app.customers import access, registry, services
from app.customers.forms import CustomerForm, MergeForm
from app.customers.models import CRM_SOURCES, Customer
from app.extensions import db

bp = api_blueprint("customers", __name__)
#: The URL's CRM segment: one of the sources, as the route and the OpenAPI document spell it.
SOURCE = f"<any({','.join(CRM_SOURCES)}):source>"


class CustomerFilterArgs(TypedDict, total=False):
    """The filters of ``GET /customers``, as the page at ``/customers`` reads them."""

    q: str  # in the name (case, punctuation and legal form aside), the domain, or equal to a CRM id
    region_id: IdArg
    owner_id: IdArg
    sort: Annotated[str, OneOf(services.SORTS)]  # default: name


class CustomerFields(TypedDict):
    """The editable fields, named as the form names them."""

    name: str
    region_id: int | None
    owner_id: int | None
    domain: str
    notes: str


class CrmIdJson(TypedDict):
    crm_source: Annotated[str, OneOf(CRM_SOURCES)]
    external_id: str


class CustomerJson(CustomerFields):
    id: int
    version: int
    crm_source: Annotated[str, OneOf(CRM_SOURCES)] | None  # null: entered by hand
    external_id: str | None
    aliases: list[CrmIdJson]  # CRM ids of customers merged into this one: upserts by them find it
    region: RegionRef | None
    owner: PersonRef | None
    created_at: Timestamp
    updated_at: Timestamp


class CommitmentCountsJson(TypedDict):
    open: int  # waiting for a countersignature
    countersigned: int
    at_risk: int


class ListedCustomerJson(CustomerJson):
    commitments: CommitmentCountsJson  # of those you may see


class MergeBody(TypedDict):
    duplicate_id: int  # merged into the customer of the path, then deleted


def customer_fields(customer: Customer) -> CustomerFields:
    return {"name": customer.name, "region_id": customer.region_id, "owner_id": customer.owner_id,
            "domain": customer.domain, "notes": customer.notes}


def customer_json(customer: Customer) -> CustomerJson:
    return {
        "id": customer.id,
        "version": customer.version,
        **customer_fields(customer),
        "crm_source": customer.crm_source,
        "external_id": customer.external_id,
        "aliases": [{"crm_source": a.crm_source, "external_id": a.external_id} for a in customer.aliases],
        "region": region_ref(customer.region) if customer.region else None,
        "owner": person(customer.owner),
        "created_at": timestamp(customer.created_at),
        "updated_at": timestamp(customer.updated_at),
    }


def _reader() -> None:
    if not access.sees_customers(current_user):
        abort(404)


@bp.get("/customers")
@operation(ListedCustomerJson, paged=True, query=CustomerFilterArgs)
def list_customers() -> Response:
    """Customers, searched and filtered, with how many of the commitments you may see are open, countersigned,
    at risk."""
    _reader()
    page = services.list_customers(services.parse_filters(request.args), page_request())
    counts = registry.commitment_counts(current_user, [c.id for c in page.items])

    def listed(customer: Customer) -> ListedCustomerJson:
        found = counts.get(customer.id, registry.CommitmentCounts())
        return {**customer_json(customer), "commitments": {"open": found.open, "countersigned": found.countersigned,
                                                           "at_risk": found.at_risk}}

    return page_json(page, listed)


@bp.post("/customers")
@operation(CustomerJson, status=201, body=Body(CustomerForm, exclude=frozenset({"version"})), errors=(403, 409),
           links=follow("api_customers.get_customer", "api_customers.update_customer", customer_id=NEW_ID))
def create_customer() -> tuple[Response, int]:
    """Record a customer by hand (sales and admins); a CRM's customers come through the upsert."""
    _reader()
    if not access.may_create(current_user):
        raise NotAllowed("Customers are recorded by sales and admins.")
    form = validated(CustomerForm, json_body())
    customer = services.create_customer(form.to_input(), actor=current_user)
    commit("customer")
    return jsonify(customer_json(customer)), 201


@bp.get("/customers/<int:customer_id>")
@operation(CustomerJson)
def get_customer(customer_id: int) -> Response:
    """One customer, with its CRM id and the aliases merges left it."""
    return jsonify(customer_json(access.get_customer_or_404(current_user, customer_id)))


@bp.patch("/customers/<int:customer_id>")
@operation(CustomerJson, body=Body(CustomerForm, extra=Versioned, partial=True), errors=(403, 409))
def update_customer(customer_id: int) -> Response:
    """Edit a customer (sales managers, admins, its owning seller): any subset of its fields, with the ``version``."""
    customer = access.get_customer_or_404(current_user, customer_id)
    if not access.may_edit(current_user, customer):
        raise NotAllowed("A customer's details are kept by sales managers, admins and its owning seller.")
    payload = json_body()
    version = expected_version(payload)
    form = validated(CustomerForm, {**customer_fields(customer), **payload}, customer=customer)
    services.update_customer(customer, form.to_input(), version, actor=current_user)
    commit("customer")
    return jsonify(customer_json(customer))


@bp.post("/customers/<int:customer_id>/merge")
@operation(CustomerJson, body=Body(MergeForm, extra=MergeBody), errors=(403, 409))
def merge_customer(customer_id: int) -> Response:
    """Merge ``duplicate_id`` into this customer (sales managers, admins): its commitments and feedback move
    here, its CRM ids become this one's aliases, and it is deleted. Emits ``CustomerMerged``."""
    survivor = access.get_customer_or_404(current_user, customer_id)
    if not access.may_merge(current_user):
        raise NotAllowed("Customers are merged by sales managers and admins.")
    form = validated(MergeForm, json_body())
    duplicate = db.session.get(Customer, form.duplicate_id.data)
    if duplicate is None or duplicate.id == survivor.id:
        raise InvalidInput("Pick another customer to merge into this one.",
                           {"duplicate_id": ["Another customer's id."]})
    services.merge(survivor, duplicate, actor=current_user)
    commit("customer")
    return jsonify(customer_json(survivor))


@bp.put(f"/customers/external/{SOURCE}/<external_id>")
@operation(CustomerJson, body=Body(CustomerForm, exclude=frozenset({"version"}), partial=True),
           errors=(403, 409), links=follow("api_customers.get_customer", customer_id=NEW_ID), created=True)
def upsert_customer(source: str, external_id: str) -> tuple[Response, int]:
    """Create or update the customer a CRM knows by ``external_id`` (201 created; 200 updated or unchanged).

    Idempotent: the same body again changes nothing. Only the fields sent change (``name`` is needed to
    create). A customer merged away is found by its old id (the survivor answers); a customer entered by
    hand with the same name (case, punctuation and legal form aside) takes the id rather than being doubled.
    Sales managers and admins (an integration's token is one of theirs).
    """
    _reader()
    if not access.may_sync(current_user):
        raise NotAllowed("CRM upserts are made with a sales manager's or an admin's token.")
    payload = json_body()
    source, external_id = services.clean_external(source, external_id)
    existing = services.find_external(source, external_id)
    base = customer_fields(existing) if existing is not None else {}
    form = validated(CustomerForm, {**base, **payload}, customer=existing)
    data = form.to_input().fields()
    sent = {name: data[name] for name in services.FIELDS if name in payload}
    customer, created, _changed = services.upsert_external(source, external_id, sent, actor=current_user)
    commit("customer")
    return jsonify(customer_json(customer)), 201 if created else 200
