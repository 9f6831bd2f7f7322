"""/commitments: every commitment one may see across campaigns, filtered, sorted, paged and exported."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from app.accounts.models import Role
from app.commitments import across as listing
from app.commitments import services
from app.commitments.filters import parse_filters
from app.commitments.services import CommitmentInput
from app.core import clock
from app.core.errors import InvalidInput
from app.extensions import db
from tests.factories import RegionFactory, UserFactory
from tests.queries import counting
from workflows.commitment import CommitmentState


@pytest.fixture
def across(make_project, make_product, people):
    """Campaign A (Sam's, with Pat Product on it) and campaign B (Sue's, nobody else on it).

    Pat keeps Northwind Pro; Quinn keeps Contoso Edge. B sells both, so Pat sees B's Northwind
    promises (his product) without being on B, and never B's Contoso ones.
    """
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    quinn = UserFactory(role=Role.PRODUCT_MANAGER, name="Quinn Keeper")
    northwind = make_product(coverage={south: "sellable", north: "sellable"})
    contoso = make_product(name="Contoso Edge", owners=[quinn], coverage={south: "sellable", north: "sellable"})
    a = make_project(title="Campaign A", state="planned", member_ids=[people["team"].id])
    b = make_project(title="Campaign B", state="planned", owner=people["sales2"], product_manager_ids=[],
                     member_ids=[])
    today = clock.today()

    def record(project, seller, customer, product, region, days, state=None):
        commitment = services.create_commitment(seller, project, CommitmentInput(
            customer=customer, product_id=product.id, region_id=region.id, promise=f"Promise to {customer}",
            promised_date=today + timedelta(days=days)))
        if state is not None:
            commitment.state = state  # the list reads states; how they got there is the workflow's tests'
        db.session.commit()
        return commitment

    made = {
        "globex_a": record(a, people["sales"], "Globex Corp", northwind, south, 30),
        "acme_a": record(a, people["sales"], "acme gmbh", northwind, north, 10, CommitmentState.AT_RISK),
        "initech_a": record(a, people["sales"], "Initech", contoso, south, 60, CommitmentState.APPROVED),
        "globex_b": record(b, people["sales2"], "GLOBEX Ltd", northwind, north, 20, CommitmentState.PENDING_SIGNOFF),
        "umbrella_b": record(b, people["sales2"], "Umbrella", contoso, south, 40),
    }
    return {"a": a, "b": b, "northwind": northwind, "contoso": contoso, "south": south, "north": north,
            "quinn": quinn, **made}


def _ids(response) -> list[int]:
    html = response.get_data(as_text=True)
    return [int(i) for i in re.findall(r'<tr id="commitment-(\d+)"', html)]


def _id(*commitments) -> list[int]:
    return [c.id for c in commitments]


# --- who sees what ---------------------------------------------------------------------------------

def test_a_seller_sees_their_campaigns_commitments_and_no_other(login, people, across):
    page = login(people["sales"]).get("/commitments")
    assert page.status_code == 200
    assert _ids(page) == _id(across["acme_a"], across["globex_a"], across["initech_a"])  # soonest promised first
    assert "Umbrella" not in page.get_data(as_text=True)


def test_a_product_manager_sees_the_promises_on_their_products_in_any_campaign(login, people, across):
    html_ids = _ids(login(people["product"]).get("/commitments"))
    # Campaign A whole (Pat is on it), and B's Northwind promise (Pat keeps Northwind), never B's Contoso one.
    assert set(html_ids) == set(_id(across["globex_a"], across["acme_a"], across["initech_a"], across["globex_b"]))
    page = login(people["product"]).get("/commitments?mine=products")
    assert _ids(page) == _id(across["acme_a"], across["globex_b"], across["globex_a"])
    assert "My products&#39; promises" in page.get_data(as_text=True)


def test_a_campaign_is_a_link_only_for_who_may_open_it(login, people, across):
    html = login(people["product"]).get("/commitments").get_data(as_text=True)
    assert f'href="/campaigns/{across["a"].id}"' in html
    assert f'href="/campaigns/{across["b"].id}"' not in html and "Campaign B" in html


def test_an_admin_sees_everything_and_an_outsider_nothing(login, people, across):
    assert len(_ids(login(people["admin"]).get("/commitments"))) == 5
    page = login(people["outsider"]).get("/commitments")
    assert page.status_code == 200 and _ids(page) == []


# --- filters ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("state=approved", ["initech_a"]),
    ("at_risk=1", ["acme_a"]),
    # "Globex Corp" and "GLOBEX Ltd" are one customer record: by its id, or by a name that normalises alike.
    ("customer={globex}", ["globex_b", "globex_a"]),
    ("customer_name=globex, inc.", ["globex_b", "globex_a"]),
    ("seller_id={sales2}", ["globex_b", "umbrella_b"]),
    ("product_id={contoso}", ["umbrella_b", "initech_a"]),
    ("region_id={north}", ["acme_a", "globex_b"]),
    ("promised_from={d20}&promised_to={d40}", ["globex_b", "globex_a", "umbrella_b"]),
    ("promised_to={d10}", ["acme_a"]),
])
def test_each_filter(login, people, across, query, expected):
    today = clock.today()
    url = "/commitments?" + query.format(
        globex=across["globex_a"].customer_id, sales2=people["sales2"].id, contoso=across["contoso"].id, north=across["north"].id,
        d10=(today + timedelta(days=10)).isoformat(), d20=(today + timedelta(days=20)).isoformat(),
        d40=(today + timedelta(days=40)).isoformat())
    assert _ids(login(people["admin"]).get(url)) == _id(*(across[k] for k in expected))


@pytest.mark.parametrize(("query", "field"), [
    ("state=lost", "state"), ("sort=price", "sort"), ("product_id=abc", "product_id"),
    ("region_id=-1", "region_id"), ("seller_id=99999999999999999999999", "seller_id"),
    ("promised_from=17/11/2026", "promised_from"), ("promised_to=2026-02-30", "promised_to"),
    ("promised_from=1900-01-01", "promised_from"), ("promised_from=2026-12-01&promised_to=2026-11-01", "promised_to"),
    ("mine=everything", "mine"), ("customer=acme", "customer"),
    ("customer_name=" + "x" * 161, "customer_name"), ("customer_name=%25", "customer_name"),
    ("customer_name=Nobody%20Inc", "customer_name"), ("limit=0", "limit"), ("cursor=nope", "cursor"),
])
def test_a_bad_filter_is_a_clear_message_never_a_500(login, people, across, query, field):
    client = login(people["sales"])
    page = client.get("/commitments?" + query)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Some filters are invalid." in html or "Invalid paging." in html
    assert 'role="alert"' in html
    assert client.get("/api/v1/commitments?" + query).get_json()["error"]["fields"].keys() == {field}
    if field not in {"limit", "cursor"}:
        assert client.get("/commitments.csv?" + query).status_code == 400


def test_parse_filters_reads_every_field():
    parsed = parse_filters({"state": "at_risk", "at_risk": "yes", "product_id": "3", "region_id": "4",
                            "customer": " 7 ", "seller_id": "5", "promised_from": "2026-01-01",
                            "promised_to": "2026-12-31", "sort": "changed", "mine": "products"})
    assert (parsed.state, parsed.at_risk, parsed.product_id, parsed.region_id, parsed.customer, parsed.seller_id,
            parsed.promised_from, parsed.promised_to, parsed.sort, parsed.mine_products) == (
        "at_risk", True, 3, 4, 7, 5, date(2026, 1, 1), date(2026, 12, 31), "changed", True)
    assert parse_filters(parsed.as_args()) == parsed
    assert parse_filters({}).as_args() == {}
    with pytest.raises(InvalidInput) as refused:
        parse_filters({"state": "nope", "promised_to": "x"})
    assert set(refused.value.fields) == {"state", "promised_to"}


# --- sorting and paging ----------------------------------------------------------------------------

def test_sorting(login, people, across, clock):
    client = login(people["admin"])
    assert _ids(client.get("/commitments?sort=customer")) == _id(
        across["acme_a"], across["globex_a"], across["globex_b"], across["initech_a"], across["umbrella_b"])
    # In the workflow's order, not the alphabet of the stored keys; by promised date within a state.
    assert _ids(client.get("/commitments?sort=state")) == _id(
        across["globex_a"], across["umbrella_b"], across["globex_b"], across["initech_a"], across["acme_a"])
    assert _ids(client.get("/commitments?sort=state&limit=2")) == _id(across["globex_a"], across["umbrella_b"])
    second = re.search(r'rel="next" href="([^"]+)"', client.get("/commitments?sort=state&limit=2")
                       .get_data(as_text=True))[1].replace("&amp;", "&")
    assert _ids(client.get(second)) == _id(across["globex_b"], across["initech_a"])
    clock.to(clock.now() + timedelta(hours=1))
    across["umbrella_b"].promise = "Changed last"
    db.session.commit()
    assert _ids(client.get("/commitments?sort=changed"))[0] == across["umbrella_b"].id


def test_paging_keeps_the_filters_and_counts_the_whole_list(login, people, across):
    client = login(people["admin"])
    first = client.get("/commitments?sort=customer&limit=2")
    html = first.get_data(as_text=True)
    assert _ids(first) == _id(across["acme_a"], across["globex_a"]) and "5 in total" in html
    next_url = re.search(r'rel="next" href="([^"]+)"', html)[1].replace("&amp;", "&")
    assert "sort=customer" in next_url
    assert _ids(client.get(next_url)) == _id(across["globex_b"], across["initech_a"])


# --- CSV -------------------------------------------------------------------------------------------

def test_the_csv_is_the_filtered_list_with_its_cells_guarded(login, people, across):
    across["globex_a"].customer.name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    response = login(people["sales"]).get(f"/commitments.csv?product_id={across['northwind'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="countersign-commitments-2026-11-17.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(listing.EXPORT_HEADER)
    assert [r[0] for r in rows[1:]] == [str(across["acme_a"].id), str(across["globex_a"].id)]
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1][3:10] == ["Northwind Pro", "Nordics", "Campaign A", "Sam Seller",
                             (clock.today() + timedelta(days=10)).isoformat(), "at_risk", "At risk"]


def test_the_csv_is_capped_and_the_page_says_so(login, people, across, monkeypatch):
    monkeypatch.setattr(listing, "EXPORT_LIMIT", 2)
    client = login(people["admin"])
    rows = list(csv.reader(io.StringIO(client.get("/commitments.csv").get_data(as_text=True))))
    assert len(rows) == 3
    assert "The CSV holds the first 2 of these 5" in client.get("/commitments").get_data(as_text=True)


# --- the top bar and the catalog -------------------------------------------------------------------

def test_the_top_bar_links_the_list_for_whose_work_has_commitments(login, people, across):
    assert 'href="/commitments"' in login(people["sales"]).get("/").get_data(as_text=True)
    assert 'href="/commitments"' in login(people["product"]).get("/").get_data(as_text=True)
    assert 'href="/commitments"' not in login(people["team"]).get("/").get_data(as_text=True)


def test_the_catalog_counts_open_commitments_per_state_in_one_query(login, people, across):
    pat, ids = people["product"], [across["northwind"].id, across["contoso"].id]
    pat.id  # noqa: B018  (loaded now: the count below is the aggregate's alone)
    with counting() as statements:
        counts = listing.open_counts(pat, ids)
    assert len(statements) == 1
    assert counts == {across["northwind"].id: {"draft": 1, "at_risk": 1, "pending_signoff": 1},
                      across["contoso"].id: {"approved": 1}}
    # Sam sees only campaign A's: B's promises are not counted for him.
    assert listing.open_counts(people["sales"], [across["northwind"].id]) == {
        across["northwind"].id: {"draft": 1, "at_risk": 1}}
    html = login(people["product"]).get("/catalog/").get_data(as_text=True)
    assert f'href="/commitments?product_id={across["northwind"].id}&amp;state=at_risk"' in html


def test_a_product_managers_dashboard_links_their_products_promises(login, people, across):
    assert 'href="/commitments?mine=products"' in login(people["product"]).get("/").get_data(as_text=True)
    assert 'href="/commitments?mine=products"' not in login(people["sales"]).get("/").get_data(as_text=True)
