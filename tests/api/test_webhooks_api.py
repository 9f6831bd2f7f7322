"""/api/v1/webhooks: admins only (anyone else: 404), the secret in the creating answer only, edits by
version, the delivery log, test events and redelivery; every answer matches the OpenAPI document."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from tests.api.helpers import assert_json_error, items
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def _create(client, receiver, **overrides):
    body = {"url": receiver.url, "description": "CRM", "event_types": ["milestone.moved", "product.updated"],
            "active": True, **overrides}
    return client.post("/api/v1/webhooks", json=body)


@pytest.mark.parametrize("who", ["sales", "pm", "product", "team"])
def test_non_admins_find_no_webhooks(api, people, receiver, who):
    admin = api(people["admin"])
    created = _create(admin, receiver).get_json()
    client = api(people[who])
    assert_json_error(client.get("/api/v1/webhooks"), 404)
    assert_json_error(client.get(f"/api/v1/webhooks/{created['id']}"), 404)
    assert_json_error(_create(client, receiver), 404)
    assert_json_error(client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", json={}), 404)


def test_an_admin_creates_lists_edits_and_deletes(api, people, receiver):
    client = api(people["admin"])
    response = _create(client, receiver)
    assert response.status_code == 201
    created = response.get_json()
    assert created["secret"].startswith("whsec_") and Webhook(created["secret"])
    [listed] = items(client.get("/api/v1/webhooks"))
    assert "secret" not in listed and listed["event_types"] == ["milestone.moved", "product.updated"]

    patched = client.patch(f"/api/v1/webhooks/{created['id']}", json={"active": False, "version": listed["version"]})
    assert patched.status_code == 200 and patched.get_json()["active"] is False
    assert patched.get_json()["url"] == receiver.url  # fields left out keep their values
    stale = client.patch(f"/api/v1/webhooks/{created['id']}", json={"description": "x", "version": listed["version"]})
    assert_json_error(stale, 409)

    rotated = client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", json={}).get_json()
    assert rotated["secret"] != created["secret"]
    assert client.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert items(client.get("/api/v1/webhooks")) == []


def test_bad_input_names_the_field(api, people, receiver, configure):
    client = api(people["admin"])
    body = assert_json_error(_create(client, receiver, event_types=["no.such"]), 400)
    assert "event_types" in body["fields"]
    configure(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
    body = assert_json_error(_create(client, receiver, url="http://127.0.0.1/x"), 400)
    assert "url" in body["fields"]


def test_test_event_log_and_redelivery(api, people, receiver):
    client = api(people["admin"])
    created = _create(client, receiver).get_json()
    receiver.secret = created["secret"]
    sent = client.post(f"/api/v1/webhooks/{created['id']}/test", json={})
    assert sent.status_code == 202
    [logged] = items(client.get(f"/api/v1/webhooks/{created['id']}/messages"))
    assert logged["status"] == "delivered" and logged["event_type"] == "ping" and logged["last_status_code"] == 200
    again = client.post(f"/api/v1/webhooks/{created['id']}/messages/{logged['id']}/redeliver", json={})
    assert again.status_code == 202
    assert receiver.ids() == [logged["webhook_id"]] * 2 and all(m.error == "" for m in receiver.messages())


def test_the_document_describes_each_webhook_and_its_signature_headers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    hooks = document["webhooks"]
    assert {"commitment.countersigned", "milestone.completed", "product.updated", "ping"} <= set(hooks)
    post = hooks["milestone.moved"]["post"]
    assert {p["name"] for p in post["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["type"] == {"const": "milestone.moved"}
    assert schema["properties"]["data"]["properties"]["new_due_date"] == {"type": "string", "format": "date"}
