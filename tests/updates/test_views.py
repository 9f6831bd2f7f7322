"""Product update pages: the list with its Acknowledge buttons, publishing, and the status for managers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.updates import services
from app.updates.models import ProductUpdate, UpdateAcknowledgement
from tests.factories import UserFactory


def _publish(people, product, **overrides) -> ProductUpdate:
    fields = {"product_id": product.id, "kind": "pricing", "title": "new price band", "body": "Pro from 1 July.",
              "requires_ack": True}
    fields.update(overrides)
    update = services.publish_update(people["product"], services.UpdateInput(**fields))
    db.session.commit()
    return update


def test_a_seller_sees_what_awaits_their_acknowledgement_and_acknowledges_it(people, login, make_product):
    update = _publish(people, make_product())
    _publish(people, make_product("Contoso Next"), title="Launch in Nordics", requires_ack=False)
    client = login(people["sales"])

    html = client.get("/updates/").get_data(as_text=True)
    assert "1 update awaits your acknowledgement." in html
    assert "Northwind Pro: new price band" in html and "Contoso Next: Launch in Nordics" in html
    assert html.count(">Acknowledge</button>") == 1

    response = client.post(f"/updates/{update.id}/acknowledge", data={"next": "/updates/?product=1#update-1"})
    assert response.status_code == 302 and response.headers["Location"] == "/updates/?product=1#update-1"
    html = client.get("/updates/").get_data(as_text=True)
    assert "awaits your acknowledgement" not in html and ">Acknowledge</button>" not in html
    assert "You acknowledged this update on" in client.get(f"/updates/{update.id}").get_data(as_text=True)
    client.post(f"/updates/{update.id}/acknowledge")  # twice: still one
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UpdateAcknowledgement)) == 1


def test_an_acknowledgement_never_redirects_off_site(people, login, make_product):
    update = _publish(people, make_product())
    response = login(people["sales"]).post(f"/updates/{update.id}/acknowledge", data={"next": "//evil.example"})
    assert response.headers["Location"] == f"/updates/{update.id}"


def test_the_products_managers_see_who_acknowledged_and_others_do_not(people, login, make_product):
    update = _publish(people, make_product())
    services.acknowledge(people["sales"], update)
    db.session.commit()

    html = login(people["product"]).get(f"/updates/{update.id}").get_data(as_text=True)
    assert "1 of 2 acknowledged" in html and 'aria-valuenow="50"' in html
    assert "Not yet (1)" in html and "Sue Second" in html and "Acknowledged (1)" in html and "Sam Seller" in html
    for who in ("sales2", "pm"):
        page = login(people[who]).get(f"/updates/{update.id}").get_data(as_text=True)
        assert "Pro from 1 July." in page and "Read by sales" not in page and "Not yet (" not in page
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    assert "Read by sales" not in login(other_pm).get(f"/updates/{update.id}").get_data(as_text=True)
    assert "Read by sales" in login(people["admin"]).get(f"/updates/{update.id}").get_data(as_text=True)


def test_a_product_manager_publishes_and_sellers_are_told(people, login, make_product):
    product = make_product()
    client = login(people["product"])
    assert "Publish a product update" in client.get("/updates/new").get_data(as_text=True)

    response = client.post("/updates/new", data={
        "product_id": str(product.id), "kind": "launch", "title": "Now in Nordics", "body": "From today.",
        "region_id": "", "requires_ack": "y"})

    update = db.session.scalar(sa.select(ProductUpdate))
    assert response.status_code == 302 and response.headers["Location"] == f"/updates/{update.id}"
    assert update.requires_ack and update.kind == "launch"
    assert "Update published: 2 sellers told, each asked to acknowledge it." in client.get(
        f"/updates/{update.id}").get_data(as_text=True)


def test_publishing_bad_input_shows_it_beside_the_fields(people, login, make_product):
    product = make_product()
    response = login(people["product"]).post("/updates/new", data={
        "product_id": str(product.id), "kind": "gossip", "title": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Not a valid choice." in html and "This field is required." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductUpdate)) == 0


@pytest.mark.parametrize("who", ["sales", "team", "pm"])
def test_people_who_manage_no_product_cannot_publish(people, login, make_product, who):
    make_product()
    client = login(people[who])
    assert client.get("/updates/new").status_code == 404
    assert 'href="/updates/new' not in client.get("/updates/").get_data(as_text=True)


def test_a_product_manager_cannot_publish_about_someone_elses_product(people, login, make_product):
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    make_product("Mine")
    theirs = make_product("Theirs", owners=[other_pm])
    response = login(people["product"]).post("/updates/new", data={
        "product_id": str(theirs.id), "kind": "other", "title": "Sneaky"})
    assert response.status_code == 200 and "Only the product managers of Theirs" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductUpdate)) == 0


def test_the_list_filters_by_product_and_unknown_updates_are_not_found(people, login, make_product):
    pro, nxt = make_product("Northwind Pro"), make_product("Contoso Next")
    _publish(people, pro, title="Pro news")
    _publish(people, nxt, title="Next news")
    client = login(people["team"])
    html = client.get(f"/updates/?product={nxt.id}").get_data(as_text=True)
    assert "Next news" in html and "Pro news" not in html
    html = client.get("/updates/?product=999").get_data(as_text=True)  # an unknown product: every update
    assert "Next news" in html and "Pro news" in html
    html = client.get(f"/updates/?product={10**30}").get_data(as_text=True)  # nor can one exist
    assert "Next news" in html and "Pro news" in html
    assert client.get("/updates/999").status_code == 404
    assert client.post("/updates/999/acknowledge").status_code == 404
