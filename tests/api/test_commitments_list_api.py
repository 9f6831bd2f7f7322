"""GET /api/v1/commitments: every commitment one may see across campaigns, with the page's filters and order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.models import Role
from app.commitments import services
from app.commitments.services import CommitmentInput
from app.core import clock
from app.extensions import db
from tests.api.helpers import assert_json_error, items
from tests.factories import RegionFactory, UserFactory
from workflows.commitment import CommitmentState


@pytest.fixture
def world(make_project, make_product, people):
    """Sam's campaign A sells Northwind Pro (Pat's); Sue's campaign B, nobody else on it, sells it and Quinn's Contoso."""
    region = RegionFactory(name="Southern Europe")
    quinn = UserFactory(role=Role.PRODUCT_MANAGER, name="Quinn Keeper")
    northwind = make_product(coverage={region: "sellable"})
    contoso = make_product(name="Contoso Edge", owners=[quinn], coverage={region: "sellable"})
    a = make_project(title="Campaign A", state="planned")
    b = make_project(title="Campaign B", state="planned", owner=people["sales2"], product_manager_ids=[], member_ids=[])

    def record(project, seller, customer, product, days, state=None):
        commitment = services.create_commitment(seller, project, CommitmentInput(
            customer=customer, product_id=product.id, region_id=region.id, promise="SSO",
            promised_date=clock.today() + timedelta(days=days)))
        if state is not None:
            commitment.state = state
        db.session.commit()
        return commitment.id

    return {
        "a_globex": record(a, people["sales"], "Globex", northwind, 30),
        "a_acme": record(a, people["sales"], "Acme", northwind, 10, CommitmentState.AT_RISK),
        "b_globex": record(b, people["sales2"], "Globex", northwind, 20),
        "b_contoso": record(b, people["sales2"], "Umbrella", contoso, 5),
        "northwind": northwind.id,
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [c["id"] for c in items(response)]


def test_each_reader_gets_what_they_may_see_soonest_promised_first(api, people, world):
    assert _ids(api(people["sales"]).get("/api/v1/commitments")) == [world["a_acme"], world["a_globex"]]
    # Pat is on A and keeps Northwind: B's Northwind promise too, never B's Contoso one.
    assert _ids(api(people["product"]).get("/api/v1/commitments")) == [
        world["a_acme"], world["b_globex"], world["a_globex"]]
    assert len(_ids(api(people["admin"]).get("/api/v1/commitments"))) == 4
    assert _ids(api(people["outsider"]).get("/api/v1/commitments")) == []


def test_filters_sorting_and_paging(api, people, world):
    admin = api(people["admin"])
    globex = admin.get(f"/api/v1/commitments/{world['a_globex']}").get_json()["customer_id"]
    assert _ids(admin.get(f"/api/v1/commitments?customer={globex}&sort=customer")) == [world["a_globex"], world["b_globex"]]
    assert _ids(admin.get("/api/v1/commitments?customer_name=GLOBEX%20Inc.")) == [world["b_globex"], world["a_globex"]]
    assert _ids(admin.get("/api/v1/commitments?at_risk=1")) == [world["a_acme"]]
    assert _ids(admin.get(f"/api/v1/commitments?product_id={world['northwind']}&seller_id={people['sales2'].id}")) \
        == [world["b_globex"]]
    assert _ids(api(people["product"]).get("/api/v1/commitments?mine=products&state=draft")) == [
        world["b_globex"], world["a_globex"]]
    first = admin.get("/api/v1/commitments?limit=3")
    assert [c["id"] for c in first.get_json()["items"]] == [world["b_contoso"], world["a_acme"], world["b_globex"]]
    assert 'rel="next"' in first.headers["Link"]
    assert _ids(admin.get(first.get_json()["next"])) == [world["a_globex"]]


def test_a_bad_filter_is_a_400_naming_it(api, people, world):
    response = api(people["sales"]).get("/api/v1/commitments?state=lost&promised_from=tomorrow&sort=price")
    assert set(assert_json_error(response, 400, "invalid")["fields"]) == {"state", "promised_from", "sort"}
