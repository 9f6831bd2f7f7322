"""CRM imports through the JSON API: upload (base64), mapping, preview, errors, start, status; permissions."""

from __future__ import annotations

import base64
import io

import sqlalchemy as sa

from app.commitments.models import Commitment
from app.extensions import db
from tests.api.helpers import assert_json_error, items
from tests.imports import fixture


def _upload(client, project, name: str, filename: str = "export.csv"):
    return client.post(f"/api/v1/projects/{project.id}/imports", json={
        "filename": filename, "content_base64": base64.b64encode(fixture(name)).decode()})


def test_the_whole_flow_through_the_api(api, people, import_world):
    client, project = api(people["sales"]), import_world["project"]

    uploaded = _upload(client, project, "hubspot_deals_with_errors.csv")
    assert uploaded.status_code == 201, uploaded.get_json()
    run = uploaded.get_json()
    assert (run["source"], run["state"], run["rows"], run["encoding"]) == ("hubspot", "uploaded", 30, "utf-8-sig")
    assert run["mapping"]["deal_id"] == "Record ID" and run["date_format"] == "iso"
    base = f"/api/v1/projects/{project.id}/imports/{run['id']}"

    mapped = client.put(f"{base}/mapping", json={"stage": ""})  # lost deals are imported too, then
    assert mapped.status_code == 200, mapped.get_json()
    assert mapped.get_json()["state"] == "mapped" and mapped.get_json()["mapping"]["stage"] == ""

    previewed = client.post(f"{base}/preview", json={}).get_json()
    assert (previewed["state"], previewed["error_rows"], previewed["created"], previewed["skipped"]) == (
        "previewed", 2, 28, 0)
    errors = items(client.get(f"{base}/errors"))
    assert [(e["row"], e["column"]) for e in errors] == [(5, "Amount"), (11, "Quantity")]
    assert errors[1]["message"] == "not a whole number from 1 to 1,000,000"

    refused = assert_json_error(client.post(f"{base}/start", json={}), 409, "conflict")
    assert "2 rows have errors" in refused["message"]

    client.put(f"{base}/mapping", json={"amount": "", "quantity": ""})
    client.post(f"{base}/preview", json={})
    done = client.post(f"{base}/start", json={})
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()["state"], done.get_json()["created"], done.get_json()["rows_done"]) == ("done", 30, 30)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 30
    assert client.get(base).get_json()["state"] == "done"
    assert [r["id"] for r in items(client.get(f"/api/v1/projects/{project.id}/imports"))] == [run["id"]]


def test_a_file_uploads_as_multipart_too(api, people, import_world):
    client, project = api(people["pm"]), import_world["project"]

    response = client.post(f"/api/v1/projects/{project.id}/imports", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(fixture("salesforce_opportunities.csv")), "opps.csv")})

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["filename"], response.get_json()["source"]) == ("opps.csv", "salesforce")
    no_file = client.post(f"/api/v1/projects/{project.id}/imports", content_type="multipart/form-data", data={})
    assert assert_json_error(no_file, 400)["fields"] == {"file": ["The CSV file, as a multipart file field."]}
    # Any other operation still takes JSON only.
    other = client.post(f"/api/v1/projects/{project.id}/imports/{response.get_json()['id']}/preview",
                        content_type="multipart/form-data", data={})
    assert_json_error(other, 415)


def test_a_bad_upload_names_the_field(api, people, import_world):
    client, project = api(people["sales"]), import_world["project"]

    not_base64 = client.post(f"/api/v1/projects/{project.id}/imports",
                             json={"filename": "x.csv", "content_base64": "***"})
    assert assert_json_error(not_base64, 400)["fields"] == {"content_base64": ["Not base64 (RFC 4648)."]}
    empty = client.post(f"/api/v1/projects/{project.id}/imports", json={"filename": "x.csv", "content_base64": ""})
    assert assert_json_error(empty, 400)["fields"] == {"content_base64": ["The file is empty."]}


def test_the_mapping_names_a_header_the_file_lacks(api, people, import_world):
    client, project = api(people["sales"]), import_world["project"]
    run = _upload(client, project, "generic.csv").get_json()

    url = f"/api/v1/projects/{project.id}/imports/{run['id']}/mapping"

    no_column = assert_json_error(client.put(url, json={"region": "Territory"}), 400)
    bad_format = assert_json_error(client.put(url, json={"date_format": "yyyy"}), 400)

    assert no_column["fields"] == {"region": ["The file has no column “Territory”."]}
    assert set(bad_format["fields"]) == {"date_format"}


def test_another_campaigns_import_is_not_found(api, people, import_world):
    run = _upload(api(people["sales"]), import_world["project"], "generic.csv").get_json()
    other = import_world["other"]

    for who in ("sales2", "product", "team"):
        client = api(people[who])
        assert_json_error(client.get(f"/api/v1/projects/{import_world['project'].id}/imports/{run['id']}"), 404)
    # Another campaign's id with this run's id: still not found, even to who may import into both.
    assert_json_error(api(people["admin"]).get(f"/api/v1/projects/{other.id}/imports/{run['id']}"), 404)
    assert_json_error(api(people["sales2"]).post(f"/api/v1/projects/{import_world['project'].id}/imports/"
                                                 f"{run['id']}/start", json={}), 404)
