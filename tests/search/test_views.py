"""The results page and ``GET /api/v1/search``: grouped, highlighted, escaped, paged, and as filtered as the service."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.commitments.models import Commitment
from app.core import clock
from app.extensions import db
from tests.factories import CustomerFactory, RegionFactory


@pytest.fixture
def world(people, make_product, make_project):
    product = make_product()
    region = RegionFactory()
    project = make_project(title="Globex rollout")
    other = make_project(title="Initech renewal", member_ids=[], owner=people["sales2"])
    db.session.add_all([
        Commitment(project=project, customer=CustomerFactory(name="Globex <b>Corp</b>"), product=product,
                   region_id=region.id, promise="Globex plant sign-on", promised_date=clock.today() + timedelta(days=9),
                   created_by=people["sales"]),
        Commitment(project=other, customer=CustomerFactory(name="Initech"), product=product, region_id=region.id,
                   promise="Secret Globex discount", promised_date=clock.today() + timedelta(days=9),
                   created_by=people["sales2"]),
    ])
    for n in range(7):
        CustomerFactory(name=f"Globex Branch {n}")
    db.session.commit()
    return {"project": project}


def test_the_page_groups_highlights_and_escapes(world, people, login):
    page = login(people["team"]).get("/search?q=glob")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<mark>Globex</mark> rollout' in html
    assert "<mark>Globex</mark> &lt;b&gt;Corp&lt;/b&gt;: Northwind Pro" in html  # text, never markup
    assert "Secret" not in html and "Initech" not in html
    assert 'id="group-campaigns"' in html and 'id="group-commitments"' in html
    assert 'id="group-customers"' not in html  # a team member who does not sell sees no customer


def test_one_kind_is_paged_and_the_overview_links_to_it(world, people, login):
    client = login(people["sales"])
    overview = client.get("/search?q=globex").get_data(as_text=True)
    assert "All 8 customers →" in overview
    first = client.get("/search?q=globex&kind=customers").get_data(as_text=True)
    assert first.count('class="search-hit"') == 8 and "Next results" not in first


@pytest.mark.parametrize(("query", "says"), [
    ("", "Type what you are looking for"), ("g", "Type at least 2 letters or digits"),
    ('"*"', "Type at least 2"), ("zzzz", "Nothing you may see matches “zzzz”"),
])
def test_empty_short_and_unmatched_queries_say_so(world, people, login, query, says):
    page = login(people["sales"]).get("/search", query_string={"q": query})
    assert page.status_code == 200 and says in page.get_data(as_text=True)


def test_the_top_bar_carries_the_box_and_its_script(world, people, login):
    html = login(people["team"]).get("/search?q=globex").get_data(as_text=True)
    assert 'id="topbar-search"' in html and 'value="globex"' in html and "js/search.js" in html


def test_the_api_pages_one_kind_or_all_together(world, people, login):
    client = login(people["sales"])
    body = client.get("/api/v1/search?q=globex&kind=customers&limit=5").get_json()
    assert len(body["items"]) == 5 and body["next"]
    assert body["items"][0]["kind"] == "customers" and body["items"][0]["path"].startswith("/customers/")
    rest = client.get(body["next"]).get_json()
    assert len(rest["items"]) == 3 and rest["next"] is None
    everything = client.get("/api/v1/search?q=globex").get_json()
    assert {item["kind"] for item in everything["items"]} == {"campaigns", "customers", "commitments"}
    assert "Secret Globex discount" not in [item["snippet"] for item in everything["items"]]  # not their campaign
    team = login(people["team"]).get("/api/v1/search?q=globex").get_json()
    assert [item["title"] for item in team["items"] if item["kind"] == "commitments"] == [
        "Globex <b>Corp</b>: Northwind Pro"]


@pytest.mark.parametrize(("query", "field"), [("q=g", "q"), ("q=globex&kind=nope", "kind"), ("", "q")])
def test_the_api_names_a_bad_field(world, people, login, query, field):
    response = login(people["sales"]).get(f"/api/v1/search?{query}")
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_the_api_is_described(app, people, login):
    document = login(people["sales"]).get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "kind", "limit", "cursor"}
