"""The catalog through the JSON API: reading, products, price bands, coverage and links, with the page's rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.catalog.models import MarketCoverage, PriceBand, Product, ProductLink
from app.core import clock
from app.extensions import db
from tests.api.helpers import assert_json_error, count, items
from tests.factories import RegionFactory, UserFactory


def _put(client, url: str, json: object):
    """PUT a JSON body with the client's token (the shared helper has no put)."""
    return client.client.put(url, json=json, headers=client.headers())


# --- reading ---------------------------------------------------------------------------------


def test_everyone_reads_the_catalog_with_bands_coverage_owners_and_links(api, people, make_product):
    nordics, south, iberia = RegionFactory(name="Nordics"), RegionFactory(name="Southern Europe"), RegionFactory(name="Iberia")
    inactive = RegionFactory(name="Atlantis", active=False)
    product = make_product(coverage={nordics: "not_allowed", south: "sellable", iberia: "planned"},
                           band=("Pro", "1200", "950.5"))
    make_product("Old Thing", status="retired", band=None)
    client = api(people["product"])
    _put(client, f"/api/v1/products/{product.id}/coverage/{inactive.id}", json={"status": "sellable"})  # refused: 400
    client.post(f"/api/v1/products/{product.id}/links", json={"title": "Deck", "url": "https://example.com/deck"})

    response = api(people["team"]).get("/api/v1/products")

    body = items(response)
    assert [p["name"] for p in body] == ["Northwind Pro", "Old Thing"]  # retired ones last
    first = body[0]
    assert first["id"] == product.id and first["version"] == 1 and first["status"] == "available"
    assert first["key_traits"] == "Single sign-on\nAudit log" and first["currency"] == "EUR"
    assert first["owner_ids"] == [people["product"].id]
    assert first["owners"] == [{"id": people["product"].id, "name": "Pat Product", "email": people["product"].email}]
    assert first["bands"] == [{"id": product.bands[0].id, "tier": "Pro", "list_price": "1200.00",
                               "minimum_price": "950.50", "unit": "per seat / month"}]
    planned = (clock.today() + timedelta(days=90)).isoformat()
    assert first["coverage"] == [
        {"region_id": iberia.id, "region": "Iberia", "status": "planned", "reason": "", "planned_from": planned},
        {"region_id": nordics.id, "region": "Nordics", "status": "not_allowed",
         "reason": "Not certified under local rules", "planned_from": None},
        {"region_id": south.id, "region": "Southern Europe", "status": "sellable", "reason": "", "planned_from": None},
    ]
    assert [(k["title"], k["url"]) for k in first["links"]] == [("Deck", "https://example.com/deck")]
    assert body[1]["bands"] == [] and {c["status"] for c in body[1]["coverage"]} == {None}  # nothing recorded

    one = api(people["sales"]).get(f"/api/v1/products/{product.id}")
    assert one.status_code == 200 and one.get_json() == first


def test_an_unknown_product_is_a_404_and_signing_in_is_required(api, people, client):
    assert_json_error(api(people["sales"]).get("/api/v1/products/999"), 404, "not_found")
    assert_json_error(client.get("/api/v1/products"), 401, "unauthorized")


# --- products --------------------------------------------------------------------------------


def test_a_product_manager_adds_a_product_and_owns_it(api, people):
    response = api(people["product"]).post("/api/v1/products", json={
        "name": "Fabrikam Edge", "status": "beta", "available_from": "2027-04-01", "currency": "usd",
        "key_traits": "Fast\nSmall",
    })

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["status"], body["available_from"], body["currency"]) == (
        "Fabrikam Edge", "beta", "2027-04-01", "USD")
    assert body["owner_ids"] == [people["product"].id] and body["version"] == 1
    assert db.session.get(Product, body["id"]).key_traits == "Fast\nSmall"


@pytest.mark.parametrize("role", ["sales", "pm", "team"])
def test_only_product_managers_and_admins_add_products(api, people, role):
    response = api(people[role]).post("/api/v1/products", json={
        "name": "Fabrikam Edge", "status": "planned", "owner_ids": [people["product"].id]})

    assert_json_error(response, 403, "forbidden")
    assert count(Product) == 0


@pytest.mark.parametrize(("payload", "fields"), [
    ({"status": "planned"}, {"name"}),
    ({"name": "X", "status": "gone"}, {"status"}),
    ({"name": "X", "status": "planned", "currency": "EURO"}, {"currency"}),
    ({"name": "X", "status": "planned", "available_from": "2027-02-30"}, {"available_from"}),
    ({"name": "X" * 121, "status": "planned", "summary": "s" * 301}, {"name", "summary"}),
    ({"name": "X", "status": "planned", "owner_ids": ["abc"]}, {"owner_ids"}),
    ({"name": {"en": "X"}, "status": "planned"}, {"name"}),
])
def test_bad_product_input_is_a_400_naming_each_field(api, people, payload, fields):
    error = assert_json_error(api(people["product"]).post("/api/v1/products", json=payload), 400, "invalid")

    assert set(error["fields"]) == fields, error
    assert count(Product) == 0


@pytest.mark.parametrize("role", ["sales", "admin"])
def test_owners_must_be_product_managers(api, people, role):
    response = api(people["admin"]).post("/api/v1/products", json={
        "name": "Fabrikam Edge", "status": "planned", "owner_ids": [people["product"].id, people[role].id]})

    error = assert_json_error(response, 400, "invalid")
    assert error["fields"] == {"owner_ids": ["Owners must be active product managers."]}


def test_an_admin_must_name_a_product_manager(api, people):
    error = assert_json_error(api(people["admin"]).post("/api/v1/products", json={"name": "X", "status": "planned"}),
                              400, "invalid")
    assert list(error["fields"]) == ["owner_ids"]


def test_an_edit_sends_any_subset_with_the_version(api, people, make_product):
    product = make_product()
    second = UserFactory(role=Role.PRODUCT_MANAGER)
    client = api(people["product"])

    response = client.patch(f"/api/v1/products/{product.id}", json={
        "version": 1, "summary": "Now with SSO", "owner_ids": [people["product"].id, second.id]})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["summary"] == "Now with SSO" and body["version"] == 2 and body["name"] == "Northwind Pro"
    assert set(body["owner_ids"]) == {people["product"].id, second.id}
    assert body["key_traits"] == "Single sign-on\nAudit log"  # untouched fields kept


def test_an_edit_needs_the_version_and_a_stale_one_is_a_409(api, people, make_product):
    product = make_product()
    client = api(people["product"])

    error = assert_json_error(client.patch(f"/api/v1/products/{product.id}", json={"summary": "x"}), 400, "invalid")
    assert list(error["fields"]) == ["version"]
    assert client.patch(f"/api/v1/products/{product.id}", json={"version": 1, "summary": "First"}).status_code == 200

    assert_json_error(client.patch(f"/api/v1/products/{product.id}", json={"version": 1, "summary": "Second"}),
                      409, "conflict")
    assert db.session.get(Product, product.id).summary == "First"


def test_another_product_manager_may_read_but_not_change_a_product(api, people, make_product):
    region = RegionFactory()
    product = make_product()
    band = product.bands[0]
    other = api(UserFactory(role=Role.PRODUCT_MANAGER))

    assert other.get(f"/api/v1/products/{product.id}").status_code == 200
    base = f"/api/v1/products/{product.id}"
    for method, url, payload in (
        ("patch", base, {"version": 1, "summary": "Mine now"}),
        ("post", f"{base}/bands", {"tier": "Team", "list_price": "10", "minimum_price": "5"}),
        ("patch", f"{base}/bands/{band.id}", {"list_price": "1", "minimum_price": "1"}),
        ("delete", f"{base}/bands/{band.id}", None),
        ("put", f"{base}/coverage/{region.id}", {"status": "sellable"}),
        ("post", f"{base}/links", {"title": "Deck", "url": "https://example.com"}),
    ):
        kwargs = {} if payload is None else {"json": payload}
        send = getattr(other.client, method)
        assert_json_error(send(url, headers=other.headers(), **kwargs), 403, "forbidden")
    saved = db.session.get(Product, product.id)
    assert (saved.summary, saved.version, len(saved.bands), saved.coverage, saved.links) == ("", 1, 1, [], [])

    admin = api(people["admin"])
    assert admin.patch(base, json={"version": 1, "summary": "By the admin"}).status_code == 200


# --- price bands -----------------------------------------------------------------------------


def test_bands_are_added_changed_and_removed_with_amounts_as_strings(api, people, make_product):
    product = make_product(band=None)
    client = api(people["product"])

    response = client.post(f"/api/v1/products/{product.id}/bands", json={
        "tier": "Enterprise", "list_price": 2500, "minimum_price": "1999.9"})
    assert response.status_code == 201, response.get_data(as_text=True)
    band = response.get_json()
    assert band == {"id": band["id"], "tier": "Enterprise", "list_price": "2500.00", "minimum_price": "1999.90",
                    "unit": "per seat / month"}

    changed = client.patch(f"/api/v1/products/{product.id}/bands/{band['id']}", json={"list_price": "2400.5"})
    assert changed.status_code == 200
    assert changed.get_json()["list_price"] == "2400.50" and changed.get_json()["minimum_price"] == "1999.90"

    assert client.delete(f"/api/v1/products/{product.id}/bands/{band['id']}").status_code == 204
    assert count(PriceBand) == 0
    assert_json_error(client.delete(f"/api/v1/products/{product.id}/bands/{band['id']}"), 404)


def test_a_band_minimum_above_its_list_price_is_refused_naming_the_field(api, people, make_product):
    product = make_product()
    client = api(people["product"])

    error = assert_json_error(client.post(f"/api/v1/products/{product.id}/bands", json={
        "tier": "Team", "list_price": "10", "minimum_price": "10.01"}), 400, "invalid")
    assert error["fields"] == {"minimum_price": ["The minimum cannot be above the list price."]}

    error = assert_json_error(client.patch(f"/api/v1/products/{product.id}/bands/{product.bands[0].id}",
                                           json={"list_price": "50"}), 400, "invalid")
    assert list(error["fields"]) == ["minimum_price"]
    assert db.session.get(PriceBand, product.bands[0].id).list_price == Decimal("100.00")


def test_a_duplicate_tier_is_refused(api, people, make_product):
    product = make_product(band=("Pro", "100", "80"))

    error = assert_json_error(api(people["product"]).post(f"/api/v1/products/{product.id}/bands", json={
        "tier": " pro ", "list_price": "10", "minimum_price": "5"}), 400, "invalid")

    assert error["fields"] == {"tier": ["This product already has a band for that tier."]}
    assert count(PriceBand) == 1


@pytest.mark.parametrize(("payload", "fields"), [
    ({}, {"tier", "list_price", "minimum_price"}),
    ({"tier": "T", "list_price": "Infinity", "minimum_price": "NaN"}, {"list_price", "minimum_price"}),
    ({"tier": "T", "list_price": "1000000000000", "minimum_price": "-1"}, {"list_price", "minimum_price"}),
    ({"tier": "T", "list_price": [1, 2], "minimum_price": "ten"}, {"minimum_price"}),
    ({"tier": "T" * 61, "list_price": 1, "minimum_price": 1, "unit": "u" * 41}, {"tier", "unit"}),
])
def test_bad_band_input_is_a_400_naming_each_field(api, people, make_product, payload, fields):
    product = make_product(band=None)

    error = assert_json_error(api(people["product"]).post(f"/api/v1/products/{product.id}/bands", json=payload),
                              400, "invalid")

    assert fields <= set(error["fields"]), error
    assert count(PriceBand) == 0


def test_another_products_band_is_not_found(api, people, make_product):
    mine, theirs = make_product("Mine"), make_product("Theirs")
    response = api(people["product"]).patch(f"/api/v1/products/{mine.id}/bands/{theirs.bands[0].id}",
                                            json={"list_price": "1", "minimum_price": "1"})
    assert_json_error(response, 404)


# --- coverage --------------------------------------------------------------------------------


def test_coverage_is_put_per_region_and_an_empty_status_removes_it(api, people, make_product):
    product = make_product()
    region = RegionFactory(name="Nordics")
    client = api(people["product"])
    url = f"/api/v1/products/{product.id}/coverage/{region.id}"

    response = _put(client, url, json={"status": "planned", "planned_from": "2027-06-01", "reason": "ignored"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"region_id": region.id, "region": "Nordics", "status": "planned",
                                   "reason": "", "planned_from": "2027-06-01"}

    response = _put(client, url, json={"status": "not_allowed", "reason": "Not certified"})
    assert response.get_json()["status"] == "not_allowed" and response.get_json()["planned_from"] is None
    assert db.session.get(MarketCoverage, (product.id, region.id)).reason == "Not certified"

    response = _put(client, url, json={"status": ""})
    assert response.status_code == 200 and response.get_json()["status"] is None
    assert count(MarketCoverage) == 0


def test_not_allowed_needs_a_reason_and_planned_needs_a_date(api, people, make_product):
    product = make_product()
    region = RegionFactory()
    client = api(people["product"])
    url = f"/api/v1/products/{product.id}/coverage/{region.id}"

    error = assert_json_error(_put(client, url, json={"status": "not_allowed"}), 400, "invalid")
    assert list(error["fields"]) == ["reason"]
    error = assert_json_error(_put(client, url, json={"status": "planned", "planned_from": None}), 400, "invalid")
    assert list(error["fields"]) == ["planned_from"]
    error = assert_json_error(_put(client, url, json={"status": "planned", "planned_from": "2027-13-01"}), 400)
    assert list(error["fields"]) == ["planned_from"]
    error = assert_json_error(_put(client, url, json={"status": "maybe"}), 400, "invalid")
    assert list(error["fields"]) == ["status"]
    error = assert_json_error(_put(client, url, json={"reason": "forgot the status"}), 400, "invalid")
    assert list(error["fields"]) == ["status"]
    assert count(MarketCoverage) == 0


def test_coverage_of_an_unknown_region_is_a_404_and_of_an_inactive_one_a_400(api, people, make_product):
    product = make_product()
    inactive = RegionFactory(active=False)
    client = api(people["product"])

    assert_json_error(_put(client, f"/api/v1/products/{product.id}/coverage/999", json={"status": "sellable"}), 404)
    error = assert_json_error(_put(client, f"/api/v1/products/{product.id}/coverage/{inactive.id}",
                                         json={"status": "sellable"}), 400, "invalid")
    assert list(error["fields"]) == ["region_id"]


# --- links -----------------------------------------------------------------------------------


def test_links_are_added_and_removed_and_must_be_web_addresses(api, people, make_product):
    product = make_product()
    client = api(people["product"])

    for url in ("ftp://example.com/deck.pdf", "javascript:alert(1)", "example.com"):
        error = assert_json_error(client.post(f"/api/v1/products/{product.id}/links",
                                              json={"title": "Deck", "url": url}), 400, "invalid")
        assert list(error["fields"]) == ["url"], url
    error = assert_json_error(client.post(f"/api/v1/products/{product.id}/links", json={"url": "https://x.io"}), 400)
    assert list(error["fields"]) == ["title"]
    assert count(ProductLink) == 0

    response = client.post(f"/api/v1/products/{product.id}/links", json={"title": "Deck", "url": "https://example.com/d"})
    assert response.status_code == 201
    link = response.get_json()
    assert link == {"id": link["id"], "title": "Deck", "url": "https://example.com/d"}

    assert client.delete(f"/api/v1/products/{product.id}/links/{link['id']}").status_code == 204
    assert count(ProductLink) == 0
    assert_json_error(client.delete(f"/api/v1/products/{product.id}/links/{link['id']}"), 404)


# --- transport -------------------------------------------------------------------------------


def test_writes_must_be_json(api, people, make_product):
    product = make_product()
    region = RegionFactory()
    client = api(people["product"])

    response = client.client.post(f"/api/v1/products/{product.id}/links", data={"title": "Deck", "url": "https://x.io"},
                                  headers=client.headers())
    assert_json_error(response, 415, "unsupported_media_type")
    error = assert_json_error(client.client.put(f"/api/v1/products/{product.id}/coverage/{region.id}", data="[1]",
                                                headers=client.headers({"Content-Type": "application/json"})), 400)
    assert error["message"] == "The body must be a JSON object."


def test_the_catalog_pages_retired_products_last_and_filters_by_status(api, people, make_product):
    for name in ("Delta", "Alpha", "Charlie", "Bravo"):
        make_product(name, band=None)
    make_product("Aardvark", status="retired", band=None)
    client = api(people["team"])
    first = client.get("/api/v1/products?limit=3").get_json()
    assert [p["name"] for p in first["items"]] == ["Alpha", "Bravo", "Charlie"]
    rest = client.get(first["next"].removeprefix("http://localhost")).get_json()
    assert [p["name"] for p in rest["items"]] == ["Delta", "Aardvark"] and rest["next"] is None
    assert [p["name"] for p in items(client.get("/api/v1/products?status=retired"))] == ["Aardvark"]
    error = assert_json_error(client.get("/api/v1/products?status=gone"), 400, "invalid")
    assert list(error["fields"]) == ["status"]
