"""The published catalog's JSON (/api/v1/published/…): read with a publishing token only, the same
facts as the catalog, a strong ETag with 304, and constant queries however large the catalog."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.catalog import services as catalog
from app.extensions import db
from app.publishing.models import PublishingToken
from app.publishing.services import revoke_token
from tests.api.helpers import assert_json_error
from tests.factories import RegionFactory
from tests.publishing.helpers import bearer, publishing_token
from tests.queries import counting

CATALOG = "/api/v1/published/catalog"


@pytest.fixture
def token(people) -> str:
    return publishing_token(people["admin"])


def test_the_catalog_holds_what_a_seller_may_talk_about_with_every_fact(client, people, make_product, token):
    south, north, east = (RegionFactory(name=n) for n in ("Southern Europe", "Nordics", "Eastern Europe"))
    pro = make_product(coverage={south: "sellable", north: "not_allowed", east: "planned"},
                       band=("Pro", "1200.00", "950.50"))
    catalog.add_link(people["product"], pro, "Sales deck", "https://example.com/deck.pdf")
    make_product(name="Northwind Next", status="planned", available_from=pro.updated_at.date() + timedelta(days=60))
    make_product(name="Northwind Beta", status="beta")
    make_product(name="Northwind Classic", status="retired")
    db.session.commit()

    response = client.get(CATALOG, headers=bearer(token))

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [p["name"] for p in body["items"]] == ["Northwind Beta", "Northwind Next", "Northwind Pro"]
    assert body["next"] is None
    item = body["items"][2]
    assert item["key_traits"] == ["Single sign-on", "Audit log"]
    assert item["differences"] == ["Half the price of the leader"]
    assert item["price_bands"] == [{"tier": "Pro", "list_price": "1200.00", "minimum_price": "950.50",
                                    "unit": "per seat / month"}]
    assert item["material"] == [{"title": "Sales deck", "url": "https://example.com/deck.pdf"}]
    regions = {r["name"]: r for r in item["regions"]}
    assert regions["Southern Europe"]["status"] == "sellable"
    assert regions["Nordics"]["status"] == "not_allowed"
    assert regions["Nordics"]["reason"] == "Not certified under local rules"
    assert regions["Eastern Europe"]["status"] == "planned" and regions["Eastern Europe"]["planned_from"]
    assert item["version"] == pro.version and item["updated_at"].endswith("Z")
    assert body["items"][1]["available_from"] is not None


def test_a_retired_product_answers_by_id_marked_retired(client, make_product, token):
    classic = make_product(name="Northwind Classic", status="retired")

    response = client.get(f"/api/v1/published/products/{classic.id}", headers=bearer(token))

    assert response.status_code == 200
    assert response.get_json()["status"] == "retired"
    assert_json_error(client.get("/api/v1/published/products/999999", headers=bearer(token)), 404)


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer cspub_" + "x" * 59},
    {"Authorization": "Bearer nonsense"},
    {"Authorization": "Basic dXNlcjpwdw=="},
], ids=["none", "unknown", "malformed", "another-scheme"])
def test_without_a_working_token_it_is_a_401_that_tells_nothing(client, make_product, headers):
    product = make_product()
    for url in (CATALOG, f"/api/v1/published/products/{product.id}"):
        error = assert_json_error(client.get(url, headers=headers), 401, "unauthorized")
        assert "Northwind" not in error["message"]


def test_a_revoked_token_is_answered_as_an_unknown_one(client, people, make_product, token):
    make_product()
    row = db.session.scalar(sa.select(PublishingToken))
    revoke_token(people["admin"], row)
    db.session.commit()
    revoked = client.get(CATALOG, headers=bearer(token))
    unknown = client.get(CATALOG, headers=bearer("cspub_" + "y" * 59))
    assert_json_error(revoked, 401, "unauthorized")
    assert revoked.get_json() == unknown.get_json()


def test_a_personal_api_token_and_a_session_do_not_read_it(client, api, login, people, make_product):
    make_product()
    assert_json_error(api(people["admin"]).get(CATALOG), 401)
    assert login(people["admin"]).get(CATALOG).status_code == 401


def test_unknown_tokens_are_counted_against_the_address_and_locked_out(client, configure, make_product, token):
    configure(THROTTLE_ADDRESS_FAILURES=3)
    make_product()
    for _ in range(3):
        client.get(CATALOG, headers=bearer("cspub_" + "z" * 59))
    locked = client.get(CATALOG, headers=bearer(token))  # even the right one, while locked
    assert_json_error(locked, 429, "too_many_requests")
    assert int(locked.headers["Retry-After"]) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "token.failed")) == 3


def test_etag_round_trip_gives_304_until_the_product_changes(client, people, make_product, token):
    product = make_product()
    first = client.get(CATALOG, headers=bearer(token))
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "private, max-age=60"
    assert first.headers["Last-Modified"]
    assert "Authorization" in first.headers["Vary"]

    again = client.get(CATALOG, headers={**bearer(token), "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    single = client.get(f"/api/v1/published/products/{product.id}", headers=bearer(token))
    assert client.get(f"/api/v1/published/products/{product.id}",
                      headers={**bearer(token), "If-None-Match": single.headers["ETag"]}).status_code == 304

    # A band's price changes: the product's version does not move, the ETag does.
    band = product.bands[0]
    catalog.save_band(people["product"], product, band, band.tier, Decimal("120.00"), Decimal("80.00"), band.unit)
    db.session.commit()
    changed = client.get(CATALOG, headers={**bearer(token), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["items"][0]["price_bands"][0]["list_price"] == "120.00"


def test_a_region_renamed_or_a_product_retired_changes_the_etag(client, people, make_product, token):
    region = RegionFactory(name="Nordics")
    product = make_product(coverage={region: "sellable"})
    make_product(name="Another")
    etag = client.get(CATALOG, headers=bearer(token)).headers["ETag"]
    region.name = "Nordic countries"
    db.session.commit()
    renamed = client.get(CATALOG, headers={**bearer(token), "If-None-Match": etag})
    assert renamed.status_code == 200
    catalog.update_product(people["product"], product, catalog.ProductInput(
        name=product.name, status="retired", owner_ids=[people["product"].id]), product.version)
    db.session.commit()
    retired = client.get(CATALOG, headers={**bearer(token), "If-None-Match": renamed.headers["ETag"]})
    assert retired.status_code == 200 and [p["name"] for p in retired.get_json()["items"]] == ["Another"]


def test_last_used_is_written_at_most_once_a_minute(client, clock, people, make_product, token):
    make_product()
    row = db.session.scalar(sa.select(PublishingToken))
    assert row.last_used_at is None
    client.get(CATALOG, headers=bearer(token))
    db.session.refresh(row)
    first = row.last_used_at
    assert first is not None

    clock.to(first + timedelta(seconds=30))
    with counting() as statements:
        client.get(CATALOG, headers=bearer(token))
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    db.session.refresh(row)
    assert row.last_used_at == first

    clock.to(first + timedelta(seconds=61))
    client.get(CATALOG, headers=bearer(token))
    db.session.refresh(row)
    assert row.last_used_at > first


def test_the_catalog_pages_and_its_queries_stay_constant(client, people, make_product, token):
    regions = [RegionFactory(name=f"Region {i:02}") for i in range(6)]

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            product = make_product(name=f"Product {i:03}", coverage={r: "sellable" for r in regions[:3]})
            catalog.add_link(people["product"], product, "Deck", "https://example.com/deck")
        db.session.commit()

    def queries() -> int:
        db.session.expire_all()
        with counting() as statements:
            response = client.get(CATALOG + "?limit=200", headers=bearer(token))
        assert response.status_code == 200
        return len(statements)

    add(3, 0)
    client.get(CATALOG, headers=bearer(token))  # notes the token's last use: not again within the minute
    few = queries()
    add(60, 3)
    many = queries()
    assert many == few <= 9, f"{few} queries for 3 products, {many} for 63"

    first = client.get(CATALOG + "?limit=50", headers=bearer(token)).get_json()
    assert len(first["items"]) == 50 and first["next"]
    rest = client.get(first["next"], headers=bearer(token)).get_json()
    assert len(rest["items"]) == 13 and rest["next"] is None
    names = [p["name"] for p in first["items"] + rest["items"]]
    assert names == sorted(names) and len(set(names)) == 63


def test_a_bad_limit_is_a_400_naming_it(client, token):
    error = assert_json_error(client.get(CATALOG + "?limit=0", headers=bearer(token)), 400)
    assert "limit" in error["fields"]


def test_the_openapi_document_describes_the_token_and_the_304(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["publishing"]["scheme"] == "bearer"
    for path in ("/api/v1/published/catalog", "/api/v1/published/products/{product_id}"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"publishing": []}]
        assert "304" in operation["responses"] and "401" in operation["responses"]
        assert "ETag" in operation["responses"]["200"]["headers"]
    assert spec["paths"]["/api/v1/projects"]["get"].get("security") is None  # a person's token or session
