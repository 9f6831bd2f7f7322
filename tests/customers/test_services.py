"""Customer rules: finding by name or CRM id, recording, editing, CRM upserts, merging, the near misses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core import clock, events
from app.core.errors import InvalidInput, StaleEdit
from app.customers import registry, services
from app.customers.models import Customer, CustomerAlias
from app.events import CustomerMerged
from app.extensions import db
from app.feedback import services as feedback
from tests.factories import CustomerFactory, RegionFactory


def test_find_or_create_finds_every_spelling_of_one_customer(app, people):
    acme = services.find_or_create("Acme GmbH", actor=people["sales"])
    assert (acme.name, acme.name_key) == ("Acme GmbH", "acme")
    assert services.find_or_create("  ACME   gmbh. ", actor=people["sales"]) is acme
    assert services.find_or_create("Acme AG", actor=people["sales"]) is acme
    assert services.find_or_create("Acme Retail", actor=people["sales"]) is not acme
    created = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "customer.created")).all()
    assert len(created) == 2 and created[0].actor_id == people["sales"].id


@pytest.mark.parametrize(("name", "message"), [
    ("", "Name the customer."), ("   ", "Name the customer."), ("x" * 161, "At most 160 characters."),
    ("Acme\x00", "control character"), ("Acme\nLtd", "one line"), ("!!!", "a letter or a digit"),
])
def test_a_bad_name_is_refused_with_its_reason(app, people, name, message):
    with pytest.raises(InvalidInput) as refused:
        services.find_or_create(name, actor=people["sales"])
    assert message in " ".join(refused.value.fields["customer"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0


@pytest.mark.parametrize(("typed", "stored"), [
    ("acme.com", "acme.com"), ("https://www.Acme.com/about?x=1", "www.acme.com"), ("ACME.co.uk.", "acme.co.uk"),
    ("", ""), ("bücher.example", "xn--bcher-kva.example"),
])
def test_a_website_is_kept_as_its_domain(typed, stored):
    assert services.clean_domain(typed) == stored


@pytest.mark.parametrize("typed", ["acme", "acme..com", "-acme.com", "acme.c", "a b.com", "acme.com\x07",
                                   "x" * 250 + ".com"])
def test_a_bad_website_is_refused(typed):
    with pytest.raises(ValueError):
        services.clean_domain(typed)


def test_create_and_update_with_the_version(app, people):
    north = RegionFactory()
    customer = services.create_customer(services.CustomerInput(
        name="Globex", region_id=north.id, owner_id=people["sales"].id, domain="https://globex.example/",
        notes="Key account"), actor=people["admin"])
    assert (customer.domain, customer.region, customer.owner, customer.version) == (
        "globex.example", north, people["sales"], 1)
    services.update_customer(customer, services.CustomerInput(name="Globex Corp", region_id=north.id),
                             1, actor=people["sales"])
    assert (customer.name, customer.name_key, customer.owner_id, customer.domain, customer.version) == (
        "Globex Corp", "globex", None, "", 2)
    with pytest.raises(StaleEdit):
        services.update_customer(customer, services.CustomerInput(name="Old"), 1, actor=people["sales"])
    with pytest.raises(InvalidInput) as refused:
        services.update_customer(customer, services.CustomerInput(name="Globex", region_id=999_999, owner_id=-3),
                                 2, actor=people["sales"])
    assert set(refused.value.fields) == {"region_id", "owner_id"}
    assert customer.name == "Globex Corp"


def test_a_crm_upsert_creates_then_updates_then_changes_nothing(app, people):
    admin = people["admin"]
    customer, created, changed = services.upsert_external("salesforce", "001A", {"name": "Initech"}, actor=admin)
    assert (created, changed, customer.crm_source, customer.external_id) == (True, True, "salesforce", "001A")
    again, created, changed = services.upsert_external("salesforce", "001A", {"name": "Initech"}, actor=admin)
    assert (again, created, changed, again.version) == (customer, False, False, 1)
    _, created, changed = services.upsert_external("salesforce", "001A", {"domain": "initech.example"}, actor=admin)
    assert (created, changed, customer.name, customer.domain, customer.version) == (
        False, True, "Initech", "initech.example", 2)
    other, created, _ = services.upsert_external("hubspot", "001A", {"name": "Initech"}, actor=admin)
    assert created and other is not customer  # an id is an id in its own CRM


def test_an_upsert_needs_a_name_to_create_and_valid_fields(app, people):
    with pytest.raises(InvalidInput) as refused:
        services.upsert_external("salesforce", "9", {"domain": "x.example"}, actor=people["admin"])
    assert set(refused.value.fields) == {"name"}
    with pytest.raises(InvalidInput) as refused:
        services.upsert_external("sap", "", {"name": "X"}, actor=people["admin"])
    assert set(refused.value.fields) == {"crm_source", "external_id"}
    with pytest.raises(InvalidInput) as refused:
        services.upsert_external("salesforce", "9", {"name": "X", "colour": "red"}, actor=people["admin"])
    assert set(refused.value.fields) == {"colour"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0


def test_an_upsert_claims_the_customer_entered_by_hand_rather_than_doubling_it(app, people):
    by_hand = services.find_or_create("Umbrella Corp", actor=people["sales"])
    customer, created, changed = services.upsert_external("hubspot", "77", {"name": "Umbrella Corporation"},
                                                          actor=people["admin"])
    assert (customer, created, changed) == (by_hand, False, True)
    assert (by_hand.crm_source, by_hand.external_id, by_hand.name) == ("hubspot", "77", "Umbrella Corporation")


def _commitment(people, project, product, customer_name):
    return commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
        customer=customer_name, product_id=product.id, region_id=project.regions[0].id, promise="SSO",
        promised_date=clock.today() + timedelta(days=30)))


def test_commitments_and_feedback_resolve_a_name_or_an_id(app, people, make_project, make_product):
    project, product = make_project(), make_product()
    first = _commitment(people, project, product, "Acme Inc.")
    second = _commitment(people, project, product, "ACME")
    assert first.customer is second.customer and first.customer.name == "Acme Inc."
    by_id = commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
        customer="", customer_id=first.customer_id, product_id=product.id, region_id=project.regions[0].id,
        promise="More", promised_date=clock.today() + timedelta(days=40)))
    assert by_id.customer is first.customer
    item = feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="feature_request", title="SSO", region_id=project.regions[0].id, product_ids=[product.id],
        customer="acme inc"))
    market = feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="market_appetite", title="Everyone wants SSO", region_id=project.regions[0].id,
        product_ids=[product.id]))
    assert item.customer is first.customer and market.customer is None
    with pytest.raises(InvalidInput) as refused:
        commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
            customer="", customer_id=999_999, product_id=product.id, region_id=project.regions[0].id,
            promise="x", promised_date=clock.today()))
    assert "customer_id" in refused.value.fields


def test_a_refused_commitment_records_no_customer(app, people, make_project, make_product):
    project, product = make_project(), make_product()
    with pytest.raises(InvalidInput):
        commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
            customer="Brand New Ltd", product_id=product.id, region_id=project.regions[0].id, promise="",
            promised_date=clock.today()))
    assert services.find_by_name("Brand New") is None


def test_merge_moves_everything_keeps_the_crm_id_and_audits_both(app, people, make_project, make_product):
    project, product = make_project(), make_product()
    survivor = services.find_or_create("Globex", actor=people["sales"])
    duplicate, _, _ = services.upsert_external("salesforce", "0015G", {"name": "Globex UK", "domain": "globex.uk"},
                                               actor=people["admin"])
    kept = _commitment(people, project, product, "Globex")
    moved = [_commitment(people, project, product, "Globex UK") for _ in range(2)]
    item = feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="problem", title="Slow", region_id=project.regions[0].id, product_ids=[product.id],
        customer="Globex UK"))
    seen: list[CustomerMerged] = []
    events.subscribe(CustomerMerged, seen.append)
    preview = services.merge_preview(survivor, duplicate)
    assert preview.moves == {"commitment": 2, "feedback item": 1}
    assert preview.aliases == [("salesforce", "0015G")] and preview.fills == ["domain"]
    duplicate_id = duplicate.id

    services.merge(survivor, duplicate, actor=people["admin"])
    db.session.commit()

    assert db.session.get(Customer, duplicate_id) is None
    assert {c.customer_id for c in [kept, *moved]} == {survivor.id} and item.customer_id == survivor.id
    assert survivor.domain == "globex.uk"
    assert [(a.crm_source, a.external_id, a.merged_name) for a in survivor.aliases] == [
        ("salesforce", "0015G", "Globex UK")]
    assert seen[-1] == CustomerMerged(survivor.id, duplicate_id, "Globex UK", people["admin"].id)
    trail = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "customer",
                                                           AuditEvent.action.like("customer.merged%"))).all()
    assert {(e.entity_id, e.action) for e in trail} == {(survivor.id, "customer.merged"),
                                                         (duplicate_id, "customer.merged_away")}
    assert {e.summary for e in trail} == {"Merged Globex UK into Globex (2 commitments, 1 feedback item)",
                                          "Merged Globex UK into Globex"}
    # The CRM still knows the duplicate's id: an upsert by it finds the survivor, not a new customer.
    found, created, _ = services.upsert_external("salesforce", "0015G", {"name": "Globex UK"}, actor=people["admin"])
    assert found is survivor and not created and survivor.name == "Globex UK"


def test_a_chain_of_merges_keeps_every_alias(app, people):
    a, b, c = (services.upsert_external("hubspot", ident, {"name": f"Name {ident}"}, actor=people["admin"])[0]
               for ident in ("1", "2", "3"))
    services.merge(b, c, actor=people["admin"])
    services.merge(a, b, actor=people["admin"])
    db.session.commit()
    assert sorted(x.external_id for x in a.aliases) == ["2", "3"]
    assert services.find_external("hubspot", "3") is a
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerAlias)) == 2


def test_a_customer_is_not_merged_into_itself(app, people):
    customer = CustomerFactory()
    with pytest.raises(InvalidInput):
        services.merge(customer, customer, actor=people["admin"])


def test_possible_duplicates_are_close_names_bounded(app):
    for name in ("Globex", "Globex UK", "Initech", "Contoso Electronics", "Contoso Electronix", "Umbrella"):
        CustomerFactory(name=name)
    pairs = {(a.name, b.name) for a, b in services.possible_duplicates()}
    assert pairs == {("Globex", "Globex UK"), ("Contoso Electronics", "Contoso Electronix")}
    assert len(services.possible_duplicates(limit=1)) == 1


def test_search_puts_names_starting_with_the_text_first_and_is_bounded(app):
    for name in ("Big Acme", "Acme", "Acme Retail", *(f"Acme {n}" for n in range(30))):
        CustomerFactory(name=name)
    found = services.search("acme")
    assert len(found) == services.SUGGESTIONS
    assert found[0].name == "Acme" and "Big Acme" not in [c.name for c in found[:3]]
    assert services.search("  ") == [] and services.search("%") == []


def test_counts_per_customer_are_of_the_commitments_the_reader_may_see(app, people, make_project, make_product):
    project, product = make_project(), make_product()
    one = _commitment(people, project, product, "Acme")
    _commitment(people, project, product, "Acme")
    # The product has no coverage in the region: a blocker, so the seller submits with a word why.
    commitments.fire(people["sales"], one, "submit", justification="Agreed with product as a pilot")
    counts = registry.commitment_counts(people["admin"], [one.customer_id])
    assert counts[one.customer_id] == registry.CommitmentCounts(open=2, countersigned=0, at_risk=0)
    assert registry.commitment_counts(people["outsider"], [one.customer_id]) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 2
