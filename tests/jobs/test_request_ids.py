"""A real ``flask jobs worker`` logs a job under the id of the request that enqueued it, in JSON
(``LOG_FORMAT=json``), as a log shipper reads it."""

from __future__ import annotations

import json

from app.background.queue import enqueue_now


def test_a_real_worker_logs_the_requests_job_under_its_id(app, jobs, monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")  # the worker's environment is this process's, plus the job suite's
    with app.test_request_context("/", headers={"X-Request-ID": "req-real-1"}):
        app.preprocess_request()
        assert enqueue_now("tests.ops.helpers.report_request_id", "said by the job")
    worker = jobs.start_worker()
    jobs.settle()
    objects = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    under_the_request = {entry["message"] for entry in objects if entry.get("request_id") == "req-real-1"}
    assert "said by the job" in under_the_request, worker.log_tail()
    assert any(message.startswith("Job ") and message.endswith("for request req-real-1")
               for message in under_the_request), worker.log_tail()
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in objects)
