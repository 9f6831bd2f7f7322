"""Product updates through the JSON API: publishing, reading, acknowledging, and the status for managers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.notifications.models import Notification
from app.updates.models import ProductUpdate
from tests.api.helpers import assert_json_error, count, items
from tests.factories import UserFactory


def _payload(product, **overrides):
    payload = {"product_id": product.id, "kind": "pricing", "title": "new price band", "body": "Pro from 1 July.",
               "requires_ack": True}
    payload.update(overrides)
    return payload


def test_a_product_manager_publishes_and_sellers_are_told(api, people, make_product):
    product = make_product()

    response = api(people["product"]).post("/api/v1/product-updates", json=_payload(product))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["product"] == "Northwind Pro" and body["kind_label"] == "Pricing" and body["requires_ack"] is True
    assert body["published_by"] == {"id": people["product"].id, "name": "Pat Product"} and body["region"] is None
    assert body["acknowledgements"] == {"audience": 2, "percent": 0.0, "acknowledged": [],
                                        "pending": [{"id": people["sales"].id, "name": "Sam Seller"},
                                                    {"id": people["sales2"].id, "name": "Sue Second"}]}
    subjects = db.session.scalars(sa.select(Notification.subject).where(Notification.kind == "product_update")).all()
    assert subjects == ["Northwind Pro: new price band (please acknowledge)"] * 2


def test_a_seller_acknowledges_once_and_managers_see_it(api, people, make_product):
    product = make_product()
    update_id = api(people["product"]).post("/api/v1/product-updates", json=_payload(product)).get_json()["id"]
    seller = api(people["sales"])
    url = f"/api/v1/product-updates/{update_id}"

    listed = items(seller.get("/api/v1/product-updates"))
    assert [(u["id"], u["awaiting_my_ack"], u["acknowledged_at"]) for u in listed] == [(update_id, True, None)]
    assert seller.get(url).get_json()["acknowledgements"] is None  # the status is for its managers

    first = seller.post(f"{url}/acknowledge", json={})
    again = seller.post(f"{url}/acknowledge", json={})
    assert first.status_code == 200 and again.get_json()["acknowledged_at"] == first.get_json()["acknowledged_at"]
    assert seller.get(url).get_json()["awaiting_my_ack"] is False

    status = api(people["product"]).get(url).get_json()["acknowledgements"]
    assert status["percent"] == 50.0 and [a["name"] for a in status["acknowledged"]] == ["Sam Seller"]
    assert status["acknowledged"][0]["acknowledged_at"].endswith("Z")
    assert [p["name"] for p in status["pending"]] == ["Sue Second"]


def test_acknowledging_what_asks_for_none_or_as_a_non_seller_is_refused(api, people, make_product):
    product = make_product()
    asked = api(people["product"]).post("/api/v1/product-updates", json=_payload(product)).get_json()["id"]
    quiet = api(people["product"]).post("/api/v1/product-updates",
                                        json=_payload(product, requires_ack=False)).get_json()["id"]
    assert_json_error(api(people["sales"]).post(f"/api/v1/product-updates/{quiet}/acknowledge", json={}), 400)
    assert_json_error(api(people["pm"]).post(f"/api/v1/product-updates/{asked}/acknowledge", json={}), 403)
    assert_json_error(api(people["sales"]).post("/api/v1/product-updates/999/acknowledge", json={}), 404)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "gossip"}, "kind"), ({"title": ""}, "title"), ({"product_id": None}, "product_id"),
    ({"product_id": 999}, "product_id"), ({"region_id": 999}, "region_id"), ({"title": {"x": 1}}, "title"),
    ({"product_id": 10**30}, "product_id"), ({"region_id": 10**30}, "region_id"),
])
def test_bad_input_names_the_field(api, people, make_product, overrides, field):
    error = assert_json_error(api(people["product"]).post("/api/v1/product-updates",
                                                          json=_payload(make_product(), **overrides)), 400, "invalid")
    assert field in error["fields"], error
    assert count(ProductUpdate) == 0


def test_only_the_products_managers_and_admins_publish(api, people, make_product):
    product = make_product()
    for person in (people["sales"], UserFactory(role=Role.PRODUCT_MANAGER)):
        assert_json_error(api(person).post("/api/v1/product-updates", json=_payload(product)), 403, "forbidden")
    assert api(people["admin"]).post("/api/v1/product-updates", json=_payload(product)).status_code == 201


def test_the_list_filters_by_product(api, people, make_product):
    pro, nxt = make_product("Northwind Pro"), make_product("Contoso Next")
    client = api(people["product"])
    client.post("/api/v1/product-updates", json=_payload(pro, title="Pro news"))
    client.post("/api/v1/product-updates", json=_payload(nxt, title="Next news"))
    reader = api(people["team"])
    assert [u["title"] for u in items(reader.get("/api/v1/product-updates"))] == ["Next news", "Pro news"]
    assert [u["title"] for u in items(reader.get(f"/api/v1/product-updates?product_id={pro.id}"))] == ["Pro news"]
    assert_json_error(reader.get("/api/v1/product-updates?product_id=pro"), 400, "invalid")
    assert_json_error(reader.get(f"/api/v1/product-updates?product_id={10**30}"), 400, "invalid")
    assert_json_error(reader.get("/api/v1/product-updates/999"), 404)


def test_the_list_reads_my_acknowledgements_in_a_fixed_number_of_queries(api, people, make_product):
    product = make_product()
    publisher, seller = api(people["product"]), api(people["sales"])

    def publish(how_many: int) -> None:
        for n in range(how_many):
            update = publisher.post("/api/v1/product-updates", json=_payload(product, title=f"News {n}")).get_json()
            assert seller.post(f"/api/v1/product-updates/{update['id']}/acknowledge", json={}).status_code == 200

    def queries() -> int:
        seller.get("/api/v1/product-updates")  # the token's "last used" is written once in a while: not counted
        db.session.expire_all()
        statements: list[str] = []

        def count_statement(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            listed = items(seller.get("/api/v1/product-updates"))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_statement)
        assert all(u["acknowledged_at"] for u in listed)
        return len(statements)

    publish(1)
    few = queries()
    publish(4)
    assert queries() == few
