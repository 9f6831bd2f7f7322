"""``/metrics`` in the Prometheus text format (the official ``prometheus_client``).

Two kinds of figures:

- **What this process saw**, counted as it happens: requests by endpoint, method and status, their
  latency (a histogram per endpoint), and calendar feed fetches answered in full (200) or by their
  ETag (304). Under gunicorn every worker writes its counts to files in ``PROMETHEUS_MULTIPROC_DIR``
  (``gunicorn.conf.py`` sets one, the systemd unit names its own), and a scrape, whichever worker
  answers it, reads all of them: the figures are the instance's, not a worker's. ``gunicorn.conf.py``
  marks a dead worker's files so that its gauges (none here) would not linger; its counts stay.
- **The state of the whole deployment**, read from the database and Redis at each scrape (never
  stored, so every instance answers the same): the job queues (queued, running, scheduled, failed),
  the workers alive, how long ago each periodic run finished (the sweep's lag) and whether it is
  behind, the emails pending, being sent and failed, and what features register with
  :func:`add_gauge` (webhooks: messages waiting, being sent, failed). Sent emails and delivered
  webhooks only grow, and are not counted; the requests counters show the traffic.

The route answers only a request bearing ``METRICS_TOKEN`` (``Authorization: Bearer …``) or coming
from one of ``METRICS_NETWORKS``; anyone else, and everyone when neither is set, gets a 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.background import registry as background_registry
from app.background import services as background
from app.core import clock
from app.extensions import db

#: What a browser, a calendar client and an API script see: from a cached 304 to a large export.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# Created once per process, registered in no registry: a scrape collects them (see ``exposition``).
REQUESTS = Counter("countersign_http_requests", "Requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"], registry=None)
LATENCY = Histogram("countersign_http_request_duration_seconds", "Time to answer a request, by endpoint and method.",
                    ["endpoint", "method"], buckets=LATENCY_BUCKETS, registry=None)
FEEDS = Counter("countersign_feed_requests", "Calendar feed fetches answered, by status: 200 (the feed) or 304 "
                "(unchanged since the client's ETag).", ["status"], registry=None)
_PROCESS = (REQUESTS, LATENCY, FEEDS)


def feed_served(status: int) -> None:
    """A calendar feed was answered with ``status`` (the calendars feature counts its fetches)."""
    FEEDS.labels(str(status)).inc()


@dataclass(frozen=True)
class Gauge:
    """A figure of the deployment a feature reads from its tables at each scrape.

    ``read`` returns (label values, value) pairs, in ``labels``' order.
    """

    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[], Iterable[tuple[tuple[str, ...], float]]]


_gauges: dict[str, Gauge] = {}


def add_gauge(gauge: Gauge) -> None:
    """Have every scrape read ``gauge`` (once, however often it is added: tests build several apps)."""
    _gauges.setdefault(gauge.name, gauge)


# --- counting requests ----------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    check_settings(app)
    # The "_created" timestamps a single process would add beside each counter are noise to an alert,
    # and gunicorn's multiprocess mode has none: both modes expose the same series.
    disable_created_metrics()
    # Right after the request id: the time of every other hook counts.
    app.before_request_funcs.setdefault(None, []).insert(1, _start)
    app.after_request(_count)


def _start() -> None:
    g.metrics_started = time.perf_counter()


#: Methods counted by name; any other a client invents is "other", so it cannot add series without end.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _count(response: Response) -> Response:
    started = g.get("metrics_started")
    endpoint = request.endpoint or "none"  # "none": no route matched (a 404 or 405 of the router)
    method = request.method if request.method in _METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(endpoint, method).observe(time.perf_counter() - started)
    return response


# --- who may read them ------------------------------------------------------------------------------

def allowed() -> bool:
    """The request bears ``METRICS_TOKEN`` or comes from one of ``METRICS_NETWORKS``."""
    config = current_app.config
    token = config.get("METRICS_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    networks = networks_of(tuple(config.get("METRICS_NETWORKS") or ()))
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def networks_of(settings: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``METRICS_NETWORKS`` parsed; a value that is no network is refused by name (at start-up, by
    ``check_settings``)."""
    networks = []
    for setting in settings:
        try:
            networks.append(ipaddress.ip_network(setting, strict=False))
        except ValueError as error:
            raise RuntimeError(f"METRICS_NETWORKS: {setting!r} is not a network ({error})") from None
    return networks


def check_settings(app: Flask) -> None:
    networks_of(tuple(app.config.get("METRICS_NETWORKS") or ()))


# --- the exposition ---------------------------------------------------------------------------------

def multiprocess_dir() -> str | None:
    """Where gunicorn's workers write their counts; None in a process of its own (``flask run``, tests)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> bytes:
    """Every figure, in the text format: this instance's counts and the deployment's state now."""
    scrape = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(scrape)
    else:
        for collector in _PROCESS:
            scrape.register(collector)
    scrape.register(_Deployment())
    return generate_latest(scrape)


class _Deployment:
    """The state of the queues, the periodic runs and the outboxes, read at each scrape."""

    def collect(self) -> Iterator[Metric]:
        now = clock.now()
        yield from _queues()
        # Read whole before any is yielded: a database that fails halfway leaves out its figures, not the
        # scrape (the requests counters still go out, and countersign_database_up says why the rest did not).
        up = GaugeMetricFamily("countersign_database_up", "1 when the database answered this scrape, else 0.")
        try:
            families = [*_periodic(now), *_emails(now), *(_family(gauge) for gauge in _gauges.values())]
        except SQLAlchemyError:
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        finally:
            db.session.rollback()  # reads only: no transaction left open on a pooled connection
        up.add_metric([], 1)
        yield up
        yield from families


def _family(gauge: Gauge) -> Metric:
    family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels))
    for labels, value in gauge.read():
        family.add_metric(list(labels), value)
    return family


def _queues() -> Iterator[Metric]:
    if not current_app.config.get("REDIS_URL"):
        return
    state = background.queue_state(failed_limit=0)
    up = GaugeMetricFamily("countersign_redis_up", "1 when Redis answered this scrape, else 0.")
    up.add_metric([], 1 if state.reachable else 0)
    yield up
    if not state.reachable:
        return
    jobs = GaugeMetricFamily("countersign_jobs", "Background jobs by state: queued (both queues), running (held "
                             "by live workers), scheduled, failed (kept for an admin to retry).", labels=["state"])
    for name, value in (("queued", state.queued), ("running", state.started), ("scheduled", state.scheduled),
                        ("failed", state.failed)):
        jobs.add_metric([name], value)
    yield jobs
    workers = GaugeMetricFamily("countersign_workers", "Background workers with a pulse.")
    workers.add_metric([], len(state.workers))
    yield workers


def _periodic(now: datetime) -> Iterator[Metric]:
    statuses = background.periodic_statuses(now)
    lag = GaugeMetricFamily("countersign_periodic_run_age_seconds", "Seconds since each periodic run (the "
                            "reminder sweep, the email dispatch, ...) last finished; +Inf if it never ran.",
                            labels=["run"])
    behind = GaugeMetricFamily("countersign_periodic_run_behind", "1 when a periodic run is more than 5 minutes "
                               "late (what the Jobs page warns of, and /readyz fails on), else 0.", labels=["run"])
    for status in statuses:
        finished = status.run.finished_at if status.run is not None else None
        lag.add_metric([status.name], (now - finished).total_seconds() if finished else float("inf"))
        behind.add_metric([status.name], 1 if status.stale else 0)
    yield lag
    yield behind


def _emails(now: datetime) -> Iterator[Metric]:
    backlog = background_registry.outbox().backlog(now)
    emails = GaugeMetricFamily("countersign_emails", "Emails not sent yet, by state: pending (due, held for quiet "
                               "hours, in digests or retrying), sending, failed (an admin retries or discards them).",
                               labels=["state"])
    for name in ("pending", "sending", "failed"):
        emails.add_metric([name], getattr(backlog, name))
    yield emails
