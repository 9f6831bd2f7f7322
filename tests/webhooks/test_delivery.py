"""Delivery: retries with backoff for about a day, the sweep that loses nothing, turning off an
endpoint failing for a day (and telling the admins), and redelivery under the same webhook-id."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import clock as app_clock
from app.core.errors import InvalidInput
from app.extensions import db
from app.notifications.models import Notification
from app.webhooks import delivery, services
from app.webhooks.models import WebhookAttempt, WebhookMessage

DELAYS = (5, 300, 1800, 7200, 18000, 36000, 36000)


def _ping(people, endpoint) -> WebhookMessage:
    message = services.send_test(people["admin"], endpoint)
    db.session.commit()
    db.session.refresh(message)
    return message


def test_the_default_backoff_is_about_a_day(app):
    assert app.config["WEBHOOKS_RETRY_DELAYS"] == DELAYS
    assert timedelta(hours=27) < timedelta(seconds=sum(DELAYS)) < timedelta(hours=28)


def test_a_failed_delivery_is_retried_with_backoff_then_failed(people, receiver, make_endpoint, clock, configure):
    configure(WEBHOOKS_DISABLE_AFTER_SECONDS=10 * 24 * 3600)  # this test is about the message alone
    endpoint = make_endpoint()
    receiver.answers = [500] * 20
    message = _ping(people, endpoint)
    waits = []
    for _ in DELAYS:
        assert message.status == "pending"
        waits.append(round((message.next_attempt_at - app_clock.now()).total_seconds()))
        assert delivery.sweep().enqueued == 0  # not due yet
        clock.advance(seconds=waits[-1])
        assert delivery.sweep().enqueued == 1  # due: the sweep sends it (inline here)
        db.session.refresh(message)
    assert waits == list(DELAYS)
    assert message.status == "failed" and message.attempts == len(DELAYS) + 1 and message.next_attempt_at is None
    assert len(receiver.messages()) == len(DELAYS) + 1 and len(set(receiver.ids())) == 1  # one webhook-id throughout
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == len(DELAYS) + 1


def test_a_success_after_failures_clears_the_endpoints_failing_since(people, receiver, make_endpoint, clock):
    endpoint = make_endpoint()
    receiver.answers = [500]
    message = _ping(people, endpoint)
    assert endpoint.failing_since == app_clock.now()
    clock.advance(seconds=5)
    delivery.sweep()
    db.session.refresh(message)
    db.session.refresh(endpoint)
    assert message.status == "delivered" and message.attempts == 2 and message.last_status_code == 200
    assert endpoint.failing_since is None and endpoint.last_success_at == app_clock.now()


def test_an_endpoint_failing_for_a_day_is_turned_off_and_the_admins_told(people, receiver, make_endpoint, clock):
    endpoint = make_endpoint()
    receiver.answers = [503] * 50
    first = _ping(people, endpoint)
    clock.advance(hours=12)
    waiting = _ping(people, endpoint)  # its retry waits when the endpoint is turned off
    clock.advance(hours=12)
    _ping(people, endpoint)
    db.session.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_at == app_clock.now()
    assert "HTTP 503" in endpoint.disabled_reason
    for message in (first, waiting):
        db.session.refresh(message)
        assert message.status == "failed"
    [note] = db.session.scalars(sa.select(Notification).where(Notification.kind == "webhook_disabled")).all()
    assert note.user_id == people["admin"].id and endpoint.url in note.subject
    assert note.link == f"/admin/webhooks/{endpoint.id}"


def test_the_sweep_resends_a_message_a_dead_worker_held_past_its_lease(people, receiver, make_endpoint, clock,
                                                                       configure):
    configure(JOBS_INLINE=False, REDIS_URL="")  # nothing runs: the message waits in the outbox
    endpoint = make_endpoint()
    message = services.send_test(people["admin"], endpoint)
    db.session.commit()
    assert delivery.claim(message.id, app_clock.now()) is not None  # a worker took it, then died
    configure(JOBS_INLINE=True)
    clock.advance(seconds=60)
    assert delivery.sweep().recovered == 0  # within the lease: it may still be sending
    clock.advance(seconds=61)
    result = delivery.sweep()
    assert (result.recovered, result.enqueued) == (1, 1)
    db.session.refresh(message)
    assert message.status == "delivered" and message.attempts == 2
    assert receiver.ids() == [message.msg_id]


def test_a_message_whose_enqueue_was_lost_is_enqueued_by_the_sweep(people, receiver, make_endpoint, clock,
                                                                   configure):
    configure(JOBS_INLINE=False, REDIS_URL="")
    message = services.send_test(people["admin"], make_endpoint())
    db.session.commit()
    configure(JOBS_INLINE=True)
    assert delivery.sweep().enqueued == 0  # just enqueued: it may still wait in the queue
    clock.advance(seconds=301)
    assert delivery.sweep().enqueued == 1
    db.session.refresh(message)
    assert message.status == "delivered"


def test_redelivery_sends_the_same_webhook_id_again(people, receiver, make_endpoint):
    message = _ping(people, make_endpoint())
    assert message.status == "delivered"
    services.redeliver(people["admin"], message)
    db.session.commit()
    db.session.refresh(message)
    assert message.status == "delivered" and message.attempts == 2
    assert receiver.ids() == [message.msg_id, message.msg_id]
    assert all(m.error == "" for m in receiver.messages())


def test_a_message_being_delivered_is_not_redelivered(people, make_endpoint, configure):
    configure(JOBS_INLINE=False, REDIS_URL="")
    message = services.send_test(people["admin"], make_endpoint())
    db.session.commit()
    with pytest.raises(InvalidInput):
        services.redeliver(people["admin"], message)


def test_an_unreachable_target_is_a_failed_attempt_with_the_reason(people, make_endpoint):
    message = _ping(people, make_endpoint(url="http://127.0.0.1:9/closed"))  # the discard port: refused
    assert message.status == "pending" and message.last_status_code is None
    assert message.last_response.startswith("ConnectionRefusedError")


def test_an_unexpected_error_is_a_failed_attempt_not_a_stuck_message(people, make_endpoint, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a header the HTTP library refuses")

    monkeypatch.setattr("app.webhooks.targets.post", broken)
    message = _ping(people, make_endpoint())
    assert message.status == "pending" and message.attempts == 1
    assert message.last_response == "ValueError: a header the HTTP library refuses"
