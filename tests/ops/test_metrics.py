"""/metrics: who may read it, and what it says (parsed back with prometheus_client's own parser)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.background.models import JobRun
from app.calendars import services as calendars
from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import Notification
from app.webhooks import services as webhooks
from app.webhooks.models import WebhookMessage
from tests import redisdb
from tests.ops.helpers import runs_finished

TOKEN = "m" * 40


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition by (name, labels); parsing fails on anything malformed."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return samples(response.get_data(as_text=True))


def value(found, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


@pytest.fixture
def readable(configure):
    configure(METRICS_TOKEN=TOKEN)


def test_nobody_reads_them_unless_a_setting_allows_it(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_the_token_opens_them_and_a_wrong_one_does_not(client, readable):
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN[:-1]}x"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 404
    assert client.get("/metrics").status_code == 404


def test_an_internal_network_opens_them_without_a_token(client, configure):
    configure(METRICS_NETWORKS=["10.0.0.0/8"])
    assert client.get("/metrics").status_code == 404  # the test client is 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    configure(METRICS_NETWORKS=["127.0.0.1/32", "::1/128"])
    assert client.get("/metrics").status_code == 200


def test_a_setting_that_is_no_network_stops_the_start():
    with pytest.raises(RuntimeError, match="METRICS_NETWORKS: 'intranet' is not a network"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "METRICS_NETWORKS": ["intranet"]})


def test_requests_are_counted_by_endpoint_and_status_with_their_latency(client, readable):
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no/such/page")
    client.open("/healthz", method="BREW")  # an invented method: counted, as "other"
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - before.get((name, frozenset(labels.items())), 0.0)

    assert grew("countersign_http_requests_total", endpoint="ops.healthz", method="GET", status="200") == 3
    assert grew("countersign_http_requests_total", endpoint="none", method="GET", status="404") == 1
    assert not any(dict(labels).get("method") == "BREW" for _name, labels in after)
    assert any(dict(labels).get("method") == "other" for _name, labels in after)
    assert grew("countersign_http_request_duration_seconds_count", endpoint="ops.healthz", method="GET") == 3
    assert value(after, "countersign_http_request_duration_seconds_bucket", endpoint="ops.healthz", method="GET",
                 le="+Inf") == value(after, "countersign_http_request_duration_seconds_count",
                                     endpoint="ops.healthz", method="GET")


def test_feed_fetches_are_counted_by_200_and_304(client, readable, people):
    _feed, token = calendars.create_feed(people["team"], calendars.FeedInput(name="Mine", kind="mine"))
    db.session.commit()
    before = scrape(client)
    first = client.get(f"/calendars/v1/{token}.ics")
    client.get(f"/calendars/v1/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    client.get(f"/calendars/v1/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    after = scrape(client)
    for status, count in (("200", 1), ("304", 2)):
        key = ("countersign_feed_requests_total", frozenset({("status", status)}))
        assert after[key] - before.get(key, 0.0) == count


def test_the_deployment_state_the_sweep_lag_and_the_outboxes(client, readable, clock, configure, people, no_redis):
    runs_finished(clock.now() - timedelta(seconds=90))
    db.session.execute(sa.delete(JobRun).where(JobRun.name == "webhooks"))  # the webhooks' sweep never ran
    configure(JOBS_INLINE=False)  # the emails stay in the outbox: no Redis to enqueue them on
    for _ in range(3):
        notifications.send_email(people["team"], "password_reset", "Reset")
    db.session.commit()
    db.session.execute(sa.update(Notification).where(Notification.id == sa.select(sa.func.min(Notification.id))
                                                     .scalar_subquery()).values(email_status="failed"))
    endpoint, _secret = webhooks.create_endpoint(people["admin"], webhooks.EndpointInput(
        url="http://127.0.0.1:9/hook", description="CRM", event_types=("milestone.moved",), active=True))
    db.session.flush()
    for number, status in enumerate(("pending", "pending", "failed", "delivered")):
        db.session.add(WebhookMessage(endpoint_id=endpoint.id, msg_id=f"msg_{number}", event_type="milestone.moved",
                                      payload="{}", status=status))
    db.session.commit()

    found = scrape(client)
    assert value(found, "countersign_database_up") == 1
    assert value(found, "countersign_periodic_run_age_seconds", run="sweep") == 90
    assert value(found, "countersign_periodic_run_age_seconds", run="webhooks") == float("inf")
    assert value(found, "countersign_periodic_run_behind", run="sweep") == 0
    assert value(found, "countersign_periodic_run_behind", run="webhooks") == 1
    assert value(found, "countersign_emails", state="pending") == 2
    assert value(found, "countersign_emails", state="failed") == 1
    assert value(found, "countersign_emails", state="sending") == 0
    assert value(found, "countersign_webhook_messages", state="pending") == 2
    assert value(found, "countersign_webhook_messages", state="failed") == 1
    assert ("countersign_webhook_messages", frozenset({("state", "delivered")})) not in found
    assert ("countersign_redis_up", frozenset()) not in found  # no Redis configured: nothing to say of it


def test_the_queues_and_workers_from_redis(client, readable, redis_db):
    worker = redis_db.worker("metrics-w1")
    try:
        found = scrape(client)
    finally:
        worker.register_death()
    assert value(found, "countersign_redis_up") == 1
    assert value(found, "countersign_workers") == 1
    for state in ("queued", "running", "scheduled", "failed"):
        assert value(found, "countersign_jobs", state=state) == 0


def test_redis_down_is_a_figure_not_a_failed_scrape(client, readable, configure, no_redis):
    configure(REDIS_URL="redis://127.0.0.1:1/0")
    try:
        found = scrape(client)
    finally:
        redisdb.drop_app_connection(client.application)
    assert value(found, "countersign_redis_up") == 0
    assert not any(name == "countersign_jobs" for name, _labels in found)
