"""The outbox: every published event becomes one message per subscribed active endpoint, written in
the change's own transaction, and (inline in these tests, as a worker would) POSTed signed."""

from __future__ import annotations

import base64
import json

import sqlalchemy as sa

from app.accounts.models import Role
from app.catalog import services as catalog
from app.core import events
from app.events import CommitmentStateChanged, MilestoneCompleted, ProductChanged
from app.extensions import db
from app.milestones import services as milestones
from app.webhooks import catalogue, services
from app.webhooks.models import WebhookMessage
from tests.clock import DEFAULT_NOW
from tests.factories import UserFactory
from tests.queries import counting


def _messages() -> list[WebhookMessage]:
    return list(db.session.scalars(sa.select(WebhookMessage).order_by(WebhookMessage.id)))


def test_a_secret_is_whsec_and_base64_of_32_random_bytes(make_endpoint):
    endpoint = make_endpoint()
    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32
    assert make_endpoint().secret != endpoint.secret


def test_an_event_is_written_for_each_subscribed_active_endpoint_and_delivered_signed(make_endpoint, receiver,
                                                                                     people):
    wanted = make_endpoint(event_types=("milestone.completed",))
    make_endpoint(event_types=("milestone.moved",))  # not subscribed
    make_endpoint(event_types=("milestone.completed",), active=False)  # off
    receiver.secret = wanted.secret

    events.emit(MilestoneCompleted(milestone_id=7, project_id=3, actor_id=people["pm"].id))
    db.session.commit()

    [message] = _messages()
    assert message.endpoint_id == wanted.id and message.status == "delivered" and message.attempts == 1
    [got] = receiver.messages()
    assert got.error == "" and got.headers["webhook-id"] == message.msg_id
    assert got.payload == {"type": "milestone.completed", "timestamp": DEFAULT_NOW.isoformat() + "Z",
                           "data": {"milestone_id": 7, "project_id": 3, "actor_id": people["pm"].id}}
    assert message.last_status_code == 200 and message.last_response == "ok" and message.last_latency_ms >= 0


def test_a_change_that_rolls_back_writes_no_message_and_sends_nothing(make_endpoint, receiver, people):
    make_endpoint()
    events.emit(MilestoneCompleted(milestone_id=7, project_id=3, actor_id=people["pm"].id))
    db.session.rollback()
    assert _messages() == [] and receiver.messages() == []


def test_completing_a_milestone_publishes_milestone_completed(make_project, make_endpoint, receiver, people):
    project = make_project(state="active")
    make_endpoint(event_types=("milestone.completed",))
    milestone = project.milestones[0]
    milestones.fire_milestone_transition(people["pm"], milestone, "complete")
    db.session.commit()
    [got] = receiver.messages()
    assert got.payload["type"] == "milestone.completed"
    assert got.payload["data"] == {"milestone_id": milestone.id, "project_id": project.id, "actor_id": people["pm"].id}


def test_a_campaigns_steps_publish_campaign_state_changed(make_project, make_endpoint, receiver):
    make_endpoint(event_types=("campaign.state_changed",))
    make_project(state="active")
    steps = [(m.payload["data"]["step"], m.payload["data"]["to_state"]) for m in receiver.messages()]
    assert steps == [("submit", "proposed"), ("plan", "planned"), ("launch", "active")]


def test_a_products_facts_publish_product_updated_but_its_managers_alone_do_not(make_product, make_endpoint,
                                                                                receiver, people):
    product = make_product()
    make_endpoint(event_types=("product.updated",))
    data = catalog.ProductInput(name="Northwind Pro 2", status=product.status, summary="New summary",
                                key_traits=product.key_traits, differences=product.differences,
                                available_from=product.available_from, currency=product.currency,
                                owner_ids=[people["product"].id])
    catalog.update_product(people["product"], product, data, product.version)
    db.session.commit()
    catalog.save_band(people["product"], product, None, "Enterprise", 200, 150, "per seat / month")
    db.session.commit()
    second = UserFactory(role=Role.PRODUCT_MANAGER)
    same_facts = catalog.ProductInput(**{**data.__dict__, "owner_ids": [people["product"].id, second.id]})
    catalog.update_product(people["admin"], product, same_facts, product.version)
    db.session.commit()

    changes = [m.payload["data"]["changes"] for m in receiver.messages()]
    assert changes == [["name", "summary"], ["price_bands"]]
    assert all(m.payload["data"]["product_id"] == product.id for m in receiver.messages())


def test_commitment_steps_are_published_by_their_step_names():
    def step(name: str) -> str | None:
        return catalogue.type_of(CommitmentStateChanged(1, 2, 3, name, "a", "b", ""))

    assert [step(s) for s in ("submit", "approve", "reject", "request_changes", "flag_risk", "withdraw")] == [
        "commitment.submitted", "commitment.countersigned", "commitment.rejected", "commitment.changes_requested",
        "commitment.at_risk", "commitment.withdrawn"]
    assert step("amend") is None and step("clear_risk") is None  # no published type: nothing is written


def test_every_type_has_its_source_event_and_bodies_are_compact_json():
    assert set(catalogue.SOURCES) == set(catalogue.TYPES)
    text = catalogue.body("product.updated", DEFAULT_NOW, catalogue.event_data(ProductChanged(1, 2, ("name",))))
    assert json.loads(text) == {"type": "product.updated", "timestamp": "2026-11-17T09:30:00Z",
                                "data": {"product_id": 1, "actor_id": 2, "changes": ["name"]}}
    assert " " not in text


def test_a_test_event_is_a_ping_even_to_an_endpoint_that_is_off(make_endpoint, receiver, people):
    endpoint = make_endpoint(active=False)
    services.send_test(people["admin"], endpoint)
    db.session.commit()
    [got] = receiver.messages()
    assert got.error == "" and got.payload["type"] == "ping" and got.payload["data"]["endpoint_id"] == endpoint.id


def test_the_endpoints_are_read_once_per_transaction_however_many_events(make_endpoint, people, configure):
    configure(JOBS_INLINE=False, REDIS_URL="")
    make_endpoint(event_types=("milestone.completed",))
    with counting() as statements:
        for n in range(10):
            events.emit(MilestoneCompleted(milestone_id=n, project_id=3, actor_id=people["pm"].id))
    assert sum("FROM webhook_endpoints" in s for s in statements) == 1
    db.session.commit()
    assert len(_messages()) == 10 and len({m.msg_id for m in _messages()}) == 10
