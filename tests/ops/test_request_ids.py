"""The request id: taken from a sane X-Request-ID or made, echoed, carried into the jobs the request
enqueued and logged by the worker that runs them; and the JSON log lines that name it."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import Flask
from rq import Queue

from app.background.queue import enqueue_now
from app.background.workers import PulsingWorker
from app.logs import JsonFormatter, console_handler, redact
from app.ops import requestid
from tests.calendars.helpers import feed_path


def test_a_sane_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:9"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.42:9"


@pytest.mark.parametrize("sent", ["", "x" * 129, "two words", "semi;colon", "-starts-with-a-dash", "ünïcode"])
def test_anything_else_gets_a_fresh_id(client, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    made = response.headers["X-Request-ID"]
    assert made != sent and requestid.sane(made) == made and len(made) == 32


def test_every_answer_carries_one_even_a_refusal(client):
    for path in ("/", "/no/such/page", "/api/v1/campaigns"):
        assert requestid.sane(client.get(path).headers.get("X-Request-ID")), path


def test_a_job_the_request_enqueued_runs_under_its_id_in_the_worker(app: Flask, redis_db, configure):
    with app.test_request_context("/", headers={"X-Request-ID": "req-123"}):
        app.preprocess_request()
        assert enqueue_now("tests.ops.helpers.report_request_id", "hello from the job")
    queue = Queue(redis_db.queue_name, connection=redis_db.connection)
    job = queue.jobs[0]
    assert job.meta == {requestid.META_KEY: "req-123"}
    # The worker `flask jobs worker` runs, in this process, logging as it does (here in JSON).
    configure(LOG_FORMAT="json")
    worker = PulsingWorker([queue], connection=redis_db.connection, name="ids-w1", queue_name=redis_db.queue_name)
    lines = _json_lines(app, lambda _logger: worker.work(burst=True), "app")
    assert job.fetch(job.id, connection=redis_db.connection).return_value() == "req-123"
    said = {line["message"]: line.get("request_id") for line in lines}
    assert said[f"Job {job.id} (tests.ops.helpers.report_request_id) for request req-123"] == "req-123"
    assert said["hello from the job"] == "req-123"  # the job's own lines name the request
    assert requestid.current() is None  # and the id does not outlive the job


def test_a_job_enqueued_outside_any_request_carries_none(app: Flask, redis_db):
    with app.app_context():
        enqueue_now("tests.ops.helpers.report_request_id", "from the scheduler")
    assert Queue(redis_db.queue_name, connection=redis_db.connection).jobs[0].meta == {}


def _json_lines(app: Flask, emit, name: str = "app.tests.json") -> list[dict]:
    """What the worker's console handler writes of logger ``name``'s records while ``emit(logger)`` runs."""
    stream = io.StringIO()
    handler = console_handler(app)
    handler.setStream(stream)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_fields_the_request_id_and_no_token(app: Flask, configure):
    configure(LOG_FORMAT="json")
    token = "t" * 43

    def emit(logger: logging.Logger) -> None:
        with app.test_request_context("/", headers={"X-Request-ID": "req-json"}):
            app.preprocess_request()
            logger.info("fetched %s", feed_path(token), extra={"user_id": 7})
            try:
                raise ValueError(f"bad feed {feed_path(token)}")
            except ValueError:
                logger.exception("failed")
        logger.warning("outside any request")

    first, second, third = _json_lines(app, emit)
    assert set(first) == {"time", "level", "logger", "message", "request_id", "user_id"}
    assert first["level"] == "INFO" and first["logger"] == "app.tests.json" and first["user_id"] == 7
    assert first["request_id"] == "req-json" and first["time"].endswith("Z")
    assert first["message"] == "fetched /calendars/v1/[redacted].ics"
    assert "ValueError: bad feed /calendars/v1/[redacted]" in second["exception"]
    assert "request_id" not in third
    assert token not in json.dumps([first, second, third])


def test_text_stays_the_default(app: Flask):
    assert app.config["LOG_FORMAT"] == "text"
    assert not isinstance(console_handler(app).formatter, JsonFormatter)


def test_an_unknown_format_is_refused(app: Flask, configure):
    configure(LOG_FORMAT="xml")
    with pytest.raises(RuntimeError, match="LOG_FORMAT must be text or json, not 'xml'"):
        console_handler(app)


def test_a_password_reset_link_is_kept_out_of_the_logs_too():
    assert redact('"GET /password/reset/AbC-123_x HTTP/1.1" 200') == '"GET /password/reset/[redacted] HTTP/1.1" 200'
    assert redact("GET /password/forgot") == "GET /password/forgot"
