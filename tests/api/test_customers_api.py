"""Customers in the JSON API: list, create, read, edit with the version, merge, and the CRM upserts
(customers by external id, draft commitments by deal id)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.core import clock
from app.customers import services
from app.customers.models import Customer
from app.extensions import db
from tests.api.helpers import assert_json_error, count, items
from tests.factories import CustomerFactory, RegionFactory


def test_list_searches_filters_and_counts(api, people, make_project, make_product):
    north = RegionFactory(name="Nordics")
    acme = CustomerFactory(name="Acme Retail", region=north, domain="acme.example", owner=people["sales"])
    CustomerFactory(name="Globex", crm_source="hubspot", external_id="H-1")
    project, product = make_project(), make_product()
    commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
        customer="Acme Retail", product_id=product.id, region_id=project.regions[0].id, promise="SSO",
        promised_date=clock.today() + timedelta(days=20)))
    db.session.commit()
    admin = api(people["admin"])
    listed = items(admin.get("/api/v1/customers"))
    assert [c["name"] for c in listed] == ["Acme Retail", "Globex"]
    assert listed[0]["commitments"] == {"open": 1, "countersigned": 0, "at_risk": 0}
    assert listed[0]["region"]["name"] == "Nordics" and listed[0]["owner"]["name"] == "Sam Seller"
    assert [c["name"] for c in items(admin.get("/api/v1/customers?q=ACME"))] == ["Acme Retail"]
    assert [c["name"] for c in items(admin.get("/api/v1/customers?q=acme.example"))] == ["Acme Retail"]
    assert [c["name"] for c in items(admin.get("/api/v1/customers?q=H-1"))] == ["Globex"]
    assert [c["id"] for c in items(admin.get(f"/api/v1/customers?region_id={north.id}"))] == [acme.id]
    assert [c["id"] for c in items(admin.get(f"/api/v1/customers?owner_id={people['sales'].id}"))] == [acme.id]
    page = admin.get("/api/v1/customers?limit=1")
    assert len(page.get_json()["items"]) == 1 and page.get_json()["next"]
    assert_json_error(admin.get("/api/v1/customers?sort=size"), 400)
    assert_json_error(admin.get("/api/v1/customers?region_id=x"), 400)


def test_a_team_member_who_does_not_sell_sees_no_customer(api, people):
    customer = CustomerFactory()
    db.session.commit()
    team = api(people["team"])
    assert_json_error(team.get("/api/v1/customers"), 404)
    assert_json_error(team.get(f"/api/v1/customers/{customer.id}"), 404)
    assert_json_error(team.put("/api/v1/customers/external/salesforce/1", json={"name": "X"}), 404)


def test_create_read_and_edit_with_the_version(api, people):
    sales = api(people["sales"])
    created = sales.post("/api/v1/customers", json={"name": "Initech Ltd", "domain": "https://initech.example/"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["name"], body["domain"], body["crm_source"], body["version"]) == (
        "Initech Ltd", "initech.example", None, 1)
    url = f"/api/v1/customers/{body['id']}"
    assert sales.get(url).get_json()["name"] == "Initech Ltd"
    edited = sales.patch(url, json={"notes": "Renewal in March", "version": 1})
    assert edited.status_code == 200 and edited.get_json()["notes"] == "Renewal in March"
    assert edited.get_json()["name"] == "Initech Ltd" and edited.get_json()["version"] == 2
    assert_json_error(sales.patch(url, json={"name": "Old", "version": 1}), 409, "conflict")
    assert_json_error(sales.patch(url, json={"name": "x\x00", "version": 2}), 400)
    assert_json_error(sales.patch(url, json={"domain": "not a domain", "version": 2}), 400)
    assert_json_error(sales.post("/api/v1/customers", json={"name": ""}), 400)


def test_who_may_edit_and_merge(api, people):
    owned = CustomerFactory(owner=people["product"])
    other = CustomerFactory()
    db.session.commit()
    pm = api(people["pm"])
    assert_json_error(pm.post("/api/v1/customers", json={"name": "Nope"}), 403)
    assert_json_error(pm.patch(f"/api/v1/customers/{other.id}", json={"name": "Nope", "version": 1}), 403)
    # The owning seller edits their own customer.
    assert api(people["product"]).patch(f"/api/v1/customers/{owned.id}",
                                        json={"notes": "Mine", "version": 1}).status_code == 200
    assert_json_error(pm.post(f"/api/v1/customers/{owned.id}/merge", json={"duplicate_id": other.id}), 403)
    assert_json_error(api(people["sales"]).put("/api/v1/customers/external/hubspot/1", json={}), 400)
    assert_json_error(pm.put("/api/v1/customers/external/hubspot/1", json={"name": "X"}), 403)


def test_merge(api, people, make_project, make_product):
    project, product = make_project(), make_product()
    survivor = CustomerFactory(name="Globex")
    duplicate = CustomerFactory(name="Globex UK", crm_source="salesforce", external_id="0015G")
    commitments.create_commitment(people["sales"], project, commitments.CommitmentInput(
        customer="", customer_id=duplicate.id, product_id=product.id, region_id=project.regions[0].id,
        promise="SSO", promised_date=clock.today() + timedelta(days=20)))
    db.session.commit()
    duplicate_id = duplicate.id
    sales = api(people["sales"])
    assert_json_error(sales.post(f"/api/v1/customers/{survivor.id}/merge", json={"duplicate_id": survivor.id}), 400)
    assert_json_error(sales.post(f"/api/v1/customers/{survivor.id}/merge", json={"duplicate_id": 999_999}), 400)
    merged = sales.post(f"/api/v1/customers/{survivor.id}/merge", json={"duplicate_id": duplicate_id})
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["aliases"] == [{"crm_source": "salesforce", "external_id": "0015G"}]
    assert_json_error(sales.get(f"/api/v1/customers/{duplicate_id}"), 404)
    assert db.session.scalar(sa.select(Commitment.customer_id)) == survivor.id


def test_customer_upsert_is_201_then_200_and_idempotent(api, people):
    sales = api(people["sales"])
    url = "/api/v1/customers/external/salesforce/001Ax000"
    first = sales.put(url, json={"name": "Umbrella Corp", "domain": "umbrella.example"})
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["crm_source"], first.get_json()["external_id"]) == ("salesforce", "001Ax000")
    again = sales.put(url, json={"name": "Umbrella Corp", "domain": "umbrella.example"})
    assert again.status_code == 200 and again.get_json()["version"] == 1
    changed = sales.put(url, json={"notes": "From the CRM"})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    assert changed.get_json()["name"] == "Umbrella Corp"
    assert count(Customer) == 1
    assert_json_error(sales.put("/api/v1/customers/external/salesforce/002", json={"domain": "x.example"}), 400)
    assert sales.put("/api/v1/customers/external/sap/1", json={"name": "X"}).status_code == 404


def _deal(project, product, **overrides):
    return {"project_id": project.id, "customer": "Acme", "product_id": product.id,
            "region_id": project.regions[0].id, "promise": "SSO for 300 seats",
            "promised_date": (clock.today() + timedelta(days=30)).isoformat(), "quantity": 300, **overrides}


def test_deal_upsert_records_a_draft_then_updates_it_while_it_may_change(api, people, make_project, make_product):
    project, product = make_project(), make_product()
    db.session.commit()
    sales = api(people["sales"])
    url = "/api/v1/commitments/external/hubspot/D-42"
    first = sales.put(url, json=_deal(project, product))
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["state"], body["crm_source"], body["crm_deal_id"], body["customer"]) == (
        "draft", "hubspot", "D-42", "Acme")
    same = sales.put(url, json=_deal(project, product))
    assert same.status_code == 200 and same.get_json()["version"] == body["version"]
    more = sales.put(url, json=_deal(project, product, quantity=500))
    assert more.status_code == 200 and more.get_json()["quantity"] == 500
    assert count(Commitment) == 1
    commitment = db.session.get(Commitment, body["id"])
    # The deal's product is not on sale in the region: submitted anyway, with the seller's word why.
    commitments.fire(people["sales"], commitment, "submit", justification="A pilot the product manager agreed to")
    db.session.commit()
    refused = assert_json_error(sales.put(url, json=_deal(project, product, quantity=600)), 409)
    assert "pending_signoff" in refused["message"]


def test_deal_upsert_by_the_customers_crm_id(api, people, make_project, make_product):
    project, product = make_project(), make_product()
    sales = api(people["sales"])
    customer = sales.put("/api/v1/customers/external/salesforce/C-1", json={"name": "Initech"}).get_json()
    deal = _deal(project, product, customer_external_id="C-1")
    del deal["customer"]
    made = sales.put("/api/v1/commitments/external/salesforce/D-1", json=deal)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["customer_id"] == customer["id"]
    missing = assert_json_error(sales.put("/api/v1/commitments/external/salesforce/D-2",
                                          json={**deal, "customer_external_id": "nope"}), 400)
    assert set(missing["fields"]) == {"customer_external_id"}
    assert set(assert_json_error(sales.put("/api/v1/commitments/external/salesforce/D-3",
                                           json={**deal, "project_id": 999_999}), 400)["fields"]) == {"project_id"}
    other = make_project(title="Another campaign")
    db.session.commit()
    assert_json_error(sales.put("/api/v1/commitments/external/salesforce/D-1",
                                json={**deal, "project_id": other.id}), 409)


def test_commitments_accept_a_customer_id_and_answer_both(api, people, make_project, make_product):
    project, product = make_project(), make_product()
    customer = CustomerFactory(name="Hooli")
    db.session.commit()
    sales = api(people["sales"])
    made = sales.post(f"/api/v1/projects/{project.id}/commitments", json={
        "customer_id": customer.id, "product_id": product.id, "region_id": project.regions[0].id,
        "promise": "SSO", "promised_date": (clock.today() + timedelta(days=30)).isoformat()})
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["customer"], made.get_json()["customer_id"]) == ("Hooli", customer.id)
    renamed = sales.patch(f"/api/v1/commitments/{made.get_json()['id']}",
                          json={"customer": "Pied Piper", "version": made.get_json()["version"]})
    assert renamed.status_code == 200 and renamed.get_json()["customer"] == "Pied Piper"
    assert renamed.get_json()["customer_id"] != customer.id
    assert services.find_by_name("pied piper inc") is not None
