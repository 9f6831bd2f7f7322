"""``flask jobs …``: what an operator types, and the exit codes scripts rely on."""

from __future__ import annotations

import sqlalchemy as sa

from app.background.models import JobRun
from app.extensions import db


def test_run_once_runs_every_periodic_job_and_records_each(app, people, make_project):
    make_project(state="active")
    result = app.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert result.exit_code == 0, result.output
    assert "due schedules" in result.output and "digests enqueued" in result.output
    assert set(db.session.scalars(sa.select(JobRun.name))) == {"sweep", "dispatch", "accounts", "webhooks",
                                                               "idempotency", "imports"}


def test_status_without_redis_exits_2_but_still_counts_the_emails(app, no_redis):
    result = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 2
    assert "Redis unreachable" in result.output
    assert "Emails: 0 pending, 0 being sent, 0 failed" in result.output


def test_worker_and_scheduler_refuse_to_start_without_redis(app, no_redis):
    for command in ("worker", "scheduler"):
        result = app.test_cli_runner().invoke(args=["jobs", command])
        assert result.exit_code == 2, (command, result.output)
        assert "Cannot reach Redis at REDIS_URL=(unset)" in result.output


def test_status_with_redis_names_the_queue_and_the_last_sweep(app, redis_db):
    app.test_cli_runner().invoke(args=["jobs", "run-once"])
    result = app.test_cli_runner().invoke(args=["jobs", "status"])
    assert result.exit_code == 0, result.output
    assert f"Queue {redis_db.queue_name}: 0 queued" in result.output and "Workers: none" in result.output
    assert "Last sweep:" in result.output and "Last dispatch:" in result.output
