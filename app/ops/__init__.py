"""Running Countersign for real: health checks for load balancers, Prometheus metrics, a request id
carried from a request into the jobs it enqueued, and JSON logs.

Infrastructure, like ``core`` and ``background``: it imports no feature. A feature that has something
to measure registers it (:func:`app.ops.metrics.add_gauge`) or counts it through :mod:`app.ops.metrics`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The request id and the request metrics first of every request's hooks; the health and metrics routes."""
    from app.ops import metrics, requestid, views

    requestid.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(views.bp)
