"""The admins' webhook pages: only admins (anyone else: not found), the secret shown once, the log,
redelivery, test events, rotation, deletion."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.webhooks import services
from app.webhooks.models import WebhookEndpoint, WebhookMessage
from tests.queries import counting


@pytest.mark.parametrize("who", ["sales", "pm", "product", "team"])
def test_every_webhook_page_and_action_is_not_found_for_non_admins(login, people, make_endpoint, who):
    endpoint = make_endpoint()
    message = db.session.scalars(sa.select(WebhookMessage)).first()
    client = login(people[who])
    for url in ("/admin/webhooks/", "/admin/webhooks/new", f"/admin/webhooks/{endpoint.id}",
                f"/admin/webhooks/{endpoint.id}/edit"):
        assert client.get(url).status_code == 404, url
    for url in ("/admin/webhooks/new", f"/admin/webhooks/{endpoint.id}/rotate", f"/admin/webhooks/{endpoint.id}/test",
                f"/admin/webhooks/{endpoint.id}/delete", f"/admin/webhooks/{endpoint.id}/messages/1/redeliver"):
        assert client.post(url).status_code == 404, url
    assert message is None and db.session.get(WebhookEndpoint, endpoint.id) is not None
    assert "Webhooks" not in client.get("/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/webhooks/").status_code == 302


def test_an_admin_registers_an_endpoint_and_sees_the_secret_once(login, people, receiver):
    client = login(people["admin"])
    assert "Webhooks" in client.get("/").get_data(as_text=True)  # in the Admin menu
    response = client.post("/admin/webhooks/new", data={
        "url": receiver.url, "description": "CRM sync", "event_types": ["milestone.moved", "feedback.answered"],
        "active": "y"})
    page = response.get_data(as_text=True)
    endpoint = db.session.scalars(sa.select(WebhookEndpoint)).one()
    assert response.status_code == 200 and endpoint.secret in page and "shown only this once" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert endpoint.event_types == ["milestone.moved", "feedback.answered"]
    again = client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret not in again and "CRM sync" in again
    assert endpoint.url in client.get("/admin/webhooks/").get_data(as_text=True)


def test_a_bad_endpoint_is_refused_with_messages_and_nothing_saved(login, people, configure):
    configure(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
    client = login(people["admin"])
    response = client.post("/admin/webhooks/new", data={"url": "https://127.0.0.1/x", "event_types": []})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose at least one event type." in page
    response = client.post("/admin/webhooks/new", data={"url": "https://127.0.0.1/x",
                                                         "event_types": ["milestone.moved"]})
    assert "a loopback address" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_test_event_log_and_redeliver(login, people, make_endpoint, receiver):
    endpoint = make_endpoint()
    client = login(people["admin"])
    response = client.post(f"/admin/webhooks/{endpoint.id}/test", follow_redirects=True)
    page = response.get_data(as_text=True)
    message = db.session.scalars(sa.select(WebhookMessage)).one()
    assert "Test event (ping) sent" in page and message.msg_id in page and "Delivered" in page and "Redeliver" in page
    response = client.post(f"/admin/webhooks/{endpoint.id}/messages/{message.id}/redeliver", follow_redirects=True)
    assert "sent again, under the same webhook-id" in response.get_data(as_text=True)
    assert receiver.ids() == [message.msg_id, message.msg_id]


def test_another_endpoints_message_is_not_found_by_this_ones_url(login, people, make_endpoint):
    first, second = make_endpoint(), make_endpoint()
    client = login(people["admin"])
    client.post(f"/admin/webhooks/{first.id}/test")
    message = db.session.scalars(sa.select(WebhookMessage)).one()
    assert client.post(f"/admin/webhooks/{second.id}/messages/{message.id}/redeliver").status_code == 404


def test_rotating_shows_a_new_secret_once(login, people, make_endpoint):
    endpoint = make_endpoint()
    old = endpoint.secret
    client = login(people["admin"])
    page = client.post(f"/admin/webhooks/{endpoint.id}/rotate").get_data(as_text=True)
    db.session.refresh(endpoint)
    assert endpoint.secret != old and endpoint.secret in page and old not in page


def test_editing_and_deleting(login, people, make_endpoint):
    endpoint = make_endpoint()
    client = login(people["admin"])
    response = client.post(f"/admin/webhooks/{endpoint.id}/edit", data={
        "url": endpoint.url, "description": "Renamed", "event_types": ["product.updated"],
        "version": endpoint.version})
    assert response.status_code == 302
    db.session.refresh(endpoint)
    assert endpoint.description == "Renamed" and endpoint.event_types == ["product.updated"] and not endpoint.active
    stale = client.post(f"/admin/webhooks/{endpoint.id}/edit", data={
        "url": endpoint.url, "event_types": ["product.updated"], "version": endpoint.version - 1})
    assert stale.status_code == 200 and "saved" in stale.get_data(as_text=True)
    client.post(f"/admin/webhooks/{endpoint.id}/test")
    response = client.post(f"/admin/webhooks/{endpoint.id}/delete", follow_redirects=True)
    assert "deleted" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookMessage)) == 0


def test_the_log_pages_and_makes_no_more_queries_for_more_messages(login, people, make_endpoint, configure):
    configure(JOBS_INLINE=False, REDIS_URL="")  # the messages wait in the outbox: only their number matters
    endpoint = make_endpoint()
    client = login(people["admin"])

    def queries_for(count: int) -> int:
        for _ in range(count):
            services.send_test(people["admin"], endpoint)
        db.session.commit()
        with counting() as statements:
            response = client.get(f"/admin/webhooks/{endpoint.id}?limit=5")
        assert response.status_code == 200
        return len(statements)

    assert queries_for(2) == queries_for(20)
    page = client.get(f"/admin/webhooks/{endpoint.id}?limit=5").get_data(as_text=True)
    assert "22 in total" in page and "Next 5 messages" in page
