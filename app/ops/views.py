"""``/healthz``, ``/readyz`` and ``/metrics``: for load balancers, orchestrators and Prometheus.

Outside ``/api/v1`` (they are no part of the API's contract, and its OpenAPI document leaves them
out) and open without signing in: the app factory tells the sign-in machinery to leave them alone
(no session or token lookup, no throttling, no two-factor confinement), and being GETs they need
no CSRF token. ``/metrics`` guards itself (:func:`app.ops.metrics.allowed`).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify

from app.ops import health, metrics

bp = Blueprint("ops", __name__)

#: The endpoints the sign-in machinery leaves alone.
ENDPOINTS = ("ops.healthz", "ops.readyz", "ops.metrics")
_NO_STORE = {"Cache-Control": "no-store"}


def _answer(checks: list[health.Check]) -> tuple[Response, int, dict[str, str]]:
    status = health.status(checks)
    body = {"status": status, "checks": {check.name: check.public() for check in checks}}
    return jsonify(body), 200 if status == "ok" else 503, _NO_STORE


@bp.get("/healthz")
def healthz() -> tuple[Response, int, dict[str, str]]:
    """The process is alive: nothing is read, so it answers while the database is down."""
    return _answer([health.process()])


@bp.get("/readyz")
def readyz() -> tuple[Response, int, dict[str, str]]:
    """Ready to serve: database reachable, schema at head, Redis reachable (when set), the sweep on time."""
    return _answer(health.readiness())


@bp.get("/metrics", endpoint="metrics")
def metrics_text() -> tuple[bytes, int, dict[str, str]]:
    if not metrics.allowed():
        abort(404)
    # The 0.0.4 text format: what every Prometheus reads.
    return metrics.exposition(), 200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8", **_NO_STORE}

