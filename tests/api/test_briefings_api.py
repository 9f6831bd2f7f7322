"""Briefings through the JSON API: the list and its filters, logging, editing with the version, deleting."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage

from app.accounts.models import Role
from app.briefings import services
from app.briefings.models import Briefing
from app.core import clock
from app.extensions import db
from tests.api.helpers import assert_json_error, count, items
from tests.briefings import PDF, log
from tests.clock import DEFAULT_NOW  # parameters are built before any test sets its clock
from tests.factories import RegionFactory, UserFactory


def _payload(region, product, **overrides):
    payload = {
        "title": "Northwind Pro pricing for Q3", "region_id": region.id, "sales_team": "Milan field sales",
        "held_on": (clock.today() - timedelta(days=1)).isoformat(), "duration_minutes": 90,
        "product_ids": [product.id], "guest_names": "Marco Rossi (partner)", "key_points": "New band\nSSO in DACH",
    }
    payload.update(overrides)
    return payload


def test_a_product_manager_logs_a_briefing_and_everyone_reads_it(api, people, make_product):
    region, product = RegionFactory(name="Southern Europe"), make_product()

    response = api(people["product"]).post("/api/v1/briefings", json=_payload(
        region, product, attendee_ids=[people["sales"].id]))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["presenter"] == {"id": people["product"].id, "name": "Pat Product"}  # the caller, by default
    assert body["version"] == 1 and body["region"] == "Southern Europe" and body["product_ids"] == [product.id]
    assert body["attendees"] == [{"id": people["sales"].id, "name": "Sam Seller"}]
    assert body["guests"] == ["Marco Rossi (partner)"] and body["attendee_count"] == 2
    assert body["key_point_lines"] == ["New band", "SSO in DACH"] and body["materials"] == []
    read = api(people["team"]).get(f"/api/v1/briefings/{body['id']}")
    assert read.status_code == 200 and read.get_json() == {**body, "can_edit": False}


def test_materials_are_listed_with_their_download_url(api, people, make_product, tmp_path, configure):
    configure(UPLOAD_DIR=str(tmp_path))
    briefing = log(people["product"], RegionFactory(), [make_product()])
    material = services.add_material(people["product"], briefing,
                                     FileStorage(stream=io.BytesIO(PDF), filename="deck.pdf"))
    db.session.commit()

    [listed] = api(people["sales"]).get(f"/api/v1/briefings/{briefing.id}").get_json()["materials"]

    assert listed["filename"] == "deck.pdf" and listed["content_type"] == "application/pdf"
    assert listed["size_bytes"] == len(PDF) and listed["uploaded_by"]["name"] == "Pat Product"
    assert listed["download_url"] == f"/briefings/{briefing.id}/materials/{material.id}"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": "long"}, "duration_minutes"),
    ({"held_on": "2027-02-30"}, "held_on"),
    ({"held_on": (DEFAULT_NOW.date() + timedelta(days=400)).isoformat()}, "held_on"),
    ({"region_id": 999}, "region_id"),
    ({"product_ids": []}, "product_ids"),
    ({"product_ids": [999]}, "product_ids"),
    ({"attendee_ids": [{"id": 1}]}, "attendee_ids"),
    ({"title": ""}, "title"),
    ({"material_url": "ftp://example.com/deck"}, "material_url"),
    # Ids no database key can hold are refused like any other wrong id, not a database error.
    ({"product_ids": [10**30]}, "product_ids"),
    ({"attendee_ids": [10**30]}, "attendee_ids"),
])
def test_bad_input_names_the_field_and_saves_nothing(api, people, make_product, overrides, field):
    response = api(people["product"]).post("/api/v1/briefings", json=_payload(RegionFactory(), make_product(),
                                                                              **overrides))
    error = assert_json_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert count(Briefing) == 0


def test_sellers_may_not_log_briefings(api, people, make_product):
    response = api(people["sales"]).post("/api/v1/briefings", json=_payload(RegionFactory(), make_product()))
    assert_json_error(response, 403, "forbidden")


def test_the_list_filters_and_refuses_bad_filters(api, people, make_product):
    south, north = RegionFactory(), RegionFactory()
    product = make_product()
    log(people["product"], south, [product], title="South")
    log(people["product"], north, [product], title="North", held_on=clock.today() - timedelta(days=30))
    client = api(people["team"])

    assert [b["title"] for b in items(client.get("/api/v1/briefings"))] == ["South", "North"]
    assert [b["title"] for b in items(client.get(f"/api/v1/briefings?region_id={north.id}"))] == ["North"]
    since = (clock.today() - timedelta(days=7)).isoformat()
    assert [b["title"] for b in items(client.get(f"/api/v1/briefings?date_from={since}&product_id={product.id}"))] == ["South"]
    error = assert_json_error(client.get("/api/v1/briefings?date_from=soon&region_id=x"), 400, "invalid")
    assert set(error["fields"]) == {"date_from", "region_id"}
    error = assert_json_error(client.get(f"/api/v1/briefings?region_id={10**30}&product_id={2**31}"), 400, "invalid")
    assert set(error["fields"]) == {"region_id", "product_id"}
    error = assert_json_error(client.get("/api/v1/briefings?date_from=2027-02-01&date_to=2027-01-01"), 400)
    assert "date_to" in error["fields"]


def test_an_edit_needs_the_version_and_a_stale_one_conflicts(api, people, make_product):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    client = api(people["product"])
    url = f"/api/v1/briefings/{briefing.id}"

    assert_json_error(client.patch(url, json={"title": "No version"}), 400, "invalid")
    response = client.patch(url, json={"title": "Renamed", "duration_minutes": 45, "version": 1})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == "Renamed" and response.get_json()["version"] == 2
    assert response.get_json()["guest_names"] == briefing.guest_names  # the rest kept
    assert_json_error(client.patch(url, json={"title": "Stale", "version": 1}), 409, "conflict")


def test_only_its_keepers_change_or_delete_a_briefing(api, people, make_product):
    briefing = log(people["product"], RegionFactory(), [make_product()])
    url = f"/api/v1/briefings/{briefing.id}"
    for person in (people["sales"], UserFactory(role=Role.PRODUCT_MANAGER)):
        client = api(person)
        assert_json_error(client.patch(url, json={"title": "Mine now", "version": 1}), 403, "forbidden")
        assert_json_error(client.delete(url), 403, "forbidden")
    assert api(people["admin"]).delete(url).status_code == 204
    assert count(Briefing) == 0
    assert_json_error(api(people["admin"]).get(url), 404)


def test_writes_must_be_json(api, people):
    response = api(people["product"]).post("/api/v1/briefings", data="title=x",
                                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_json_error(response, 415)
