"""Webhooks through real RQ workers (``flask jobs worker`` processes) to a real HTTP receiver on
127.0.0.1 that verifies every signature with the Standard Webhooks library: a delivery, a worker
SIGKILLed mid-delivery (the message is sent again, under the same webhook-id, once its lease lapses),
and a receiver that answers 500 before 200 (retried after the backoff)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.webhooks import delivery, services
from app.webhooks.catalogue import TYPES
from app.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from tests.jobs.helpers import wait_for
from tests.jobs.machinery import Jobs
from tests.webhooks.receiver import Receiver

#: Short enough to happen within a test: a lease of 2 s, a retry after 1 s.
SETTINGS = {"WEBHOOKS_LEASE_SECONDS": 2, "WEBHOOKS_RETRY_DELAYS": (1, 1, 1), "WEBHOOKS_READ_TIMEOUT": 30}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def hooks(jobs: Jobs, receiver: Receiver, people) -> WebhookEndpoint:
    """The job machinery with the webhook settings, and an endpoint at the receiver."""
    jobs.configure(**SETTINGS)
    endpoint, secret = services.create_endpoint(people["admin"], services.EndpointInput(
        url=receiver.url, event_types=tuple(TYPES)))
    db.session.commit()
    receiver.secret = secret
    return endpoint


def _message(message_id: int) -> WebhookMessage:
    db.session.rollback()  # see what the workers committed
    message = db.session.get(WebhookMessage, message_id)
    assert message is not None
    return message


def _ping(people, endpoint: WebhookEndpoint) -> int:
    message = services.send_test(people["admin"], endpoint)
    db.session.commit()  # enqueued on Redis after the commit
    return message.id


def test_a_worker_delivers_a_signed_message(jobs, hooks, receiver, people):
    jobs.start_worker()
    message_id = _ping(people, hooks)
    message = wait_for(lambda: (m := _message(message_id)).status == "delivered" and m, "the delivery",
                       details=jobs.logs)
    [got] = receiver.messages()
    assert got.error == "" and got.payload["type"] == "ping"
    assert got.headers["webhook-id"] == message.msg_id and got.headers["webhook-signature"].startswith("v1,")


def test_a_worker_killed_mid_delivery_leaves_it_to_the_sweep_and_another_worker(jobs, hooks, receiver, people):
    first = jobs.start_worker()
    receiver.hold.clear()  # the receiver keeps the request open, unanswered
    message_id = _ping(people, hooks)
    wait_for(receiver.arrived.is_set, "the message to reach the receiver", details=jobs.logs)
    first.kill()  # SIGKILL while it waits for the answer
    receiver.hold.set()
    assert _message(message_id).status == "sending"

    jobs.start_worker()
    # The sweep (the scheduler's, here run by the test) puts it back once the 2 s lease lapses.
    wait_for(lambda: delivery.sweep().recovered, "the sweep to take the message back", timeout=20,
             every=0.25, details=jobs.logs)
    message = wait_for(lambda: (m := _message(message_id)).status == "delivered" and m, "the redelivery",
                       details=jobs.logs)
    ids = receiver.ids()
    assert len(ids) >= 2 and set(ids) == {message.msg_id}  # at least once, always the same webhook-id
    assert all(m.error == "" for m in receiver.messages())
    assert message.attempts == 2


def test_a_receiver_answering_500_then_200_gets_it_on_the_retry(jobs, hooks, receiver, people):
    jobs.start_worker()
    receiver.answers = [500]
    message_id = _ping(people, hooks)
    wait_for(lambda: _message(message_id).last_status_code == 500, "the first, refused attempt", details=jobs.logs)

    def swept_and_delivered() -> WebhookMessage | None:
        delivery.sweep()  # as the scheduler's sweep does every interval: enqueues the retry once due
        message = _message(message_id)
        return message if message.status == "delivered" else None

    message = wait_for(swept_and_delivered, "the retry after the backoff", every=0.25, details=jobs.logs)
    assert message.attempts == 2 and message.last_status_code == 200
    statuses = db.session.scalars(sa.select(WebhookAttempt.status_code).where(WebhookAttempt.message_id == message_id)
                                  .order_by(WebhookAttempt.id)).all()
    assert statuses == [500, 200]
    assert len(set(receiver.ids())) == 1 and all(m.error == "" for m in receiver.messages())
