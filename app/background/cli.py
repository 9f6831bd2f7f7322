"""``flask jobs worker|scheduler|run-once|status``: background work inside the app context."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.logging import default_handler
from redis.exceptions import RedisError

from app.background import registry, services, workers
from app.background.queue import get_periodic_queue, get_queue, redis_connection
from app.background.scheduler import SingleScheduler
from app.background.workers import PulsingWorker
from app.logs import console_handler


@click.group(help="Run and inspect background jobs (reminders and email delivery) on RQ.")
def jobs() -> None:
    pass


def _redis_or_exit() -> None:
    try:
        redis_connection().ping()
    except RedisError as error:
        click.echo(f"Cannot reach Redis at REDIS_URL={current_app.config.get('REDIS_URL') or '(unset)'}: {error}",
                   err=True)
        sys.exit(2)


def _log_to_console() -> None:
    """One line per record on the console for a long-running process.

    The root handler writes everything; Flask's own handler on the app's logger would write the
    app's records a second time, so it goes.
    """
    logging.basicConfig(level=logging.INFO, handlers=[console_handler(current_app)])  # LOG_FORMAT: text or json
    current_app.logger.removeHandler(default_handler)


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queue is empty, then exit.")
@click.option("--name", default=None, help="Worker name (default: host and process id).")
def worker(burst: bool, name: str | None) -> None:
    """Run one worker on the queue. Start as many as you like, on any machine with REDIS_URL.

    The periodic queue is served first. Redis errors (a restart, a flush) are ridden out: it
    exits only on SIGTERM or Ctrl-C (or, with --burst, when the queue is empty).
    """
    _redis_or_exit()
    _log_to_console()
    # SimpleWorker runs each job in this process: jobs are short database and SMTP calls, and a
    # forked child would inherit the parent's database connections. The periodic queue comes
    # first: RQ takes from the first queue that has a job, so a sweep never waits behind email.
    config = current_app.config
    workers.serve(lambda: PulsingWorker(
        [get_periodic_queue(), get_queue()], connection=redis_connection(), name=name,
        queue_name=config["QUEUE_NAME"], pulse_seconds=config["WORKER_PULSE_SECONDS"]), burst=burst)


@jobs.command("scheduler")
@click.option("--interval", type=click.IntRange(5, 3600), default=None,
              help="Seconds between sweeps (default: SWEEP_INTERVAL, 60).")
def scheduler(interval: int | None) -> None:
    """Run the scheduler: enqueues the reminder sweep, email dispatch and recovery every minute.

    Only one scheduler runs per queue; a second one waits and takes over if the first dies.
    Redis errors (a restart, a flush) are ridden out: it exits only on SIGTERM or Ctrl-C.
    """
    _redis_or_exit()
    _log_to_console()
    config = current_app.config
    SingleScheduler(redis_connection(), config["QUEUE_NAME"], interval or config["SWEEP_INTERVAL"],
                    standby_poll=config["SCHEDULER_POLL_SECONDS"], lock_seconds=config["SCHEDULER_LOCK_SECONDS"]).start()


@jobs.command("run-once")
def run_once() -> None:
    """Sweep and dispatch once, here and now, as the scheduler's job does (deliveries still go to the queue)."""
    for job in registry.periodic_jobs():
        click.echo(job.func())


@jobs.command("status")
def status() -> None:
    """Queue depth, workers, failed jobs and emails, and when the sweep last ran."""
    state = services.queue_state(failed_limit=10)
    if not state.reachable:
        click.echo(f"Redis unreachable: {state.error}", err=True)
    else:
        click.echo(f"Queue {state.name}: {state.queued} queued, {state.started} running, "
                   f"{state.scheduled} scheduled, {state.failed} failed jobs")
        click.echo(f"Workers: {', '.join(f'{w.name} ({w.state})' for w in state.workers) or 'none'}")
    click.echo(f"Emails: {registry.outbox().summary()}")
    for name, run in sorted(services.last_runs().items()):
        click.echo(f"Last {name}: {run.finished_at:%Y-%m-%d %H:%M:%S} UTC, {run.duration_ms} ms: {run.summary}")
    if not state.reachable:
        sys.exit(2)
