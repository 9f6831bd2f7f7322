"""One id per request, in its log lines, its response and the jobs it enqueued.

A request keeps the ``X-Request-ID`` a proxy or client sent when it looks like an id (letters, digits
and ``._:-``, at most 128 characters: nothing a log line could be forged with), else it gets a fresh
one. The response echoes it. A job enqueued during the request carries it in its RQ meta
(``app.background.queue``), the worker that runs the job takes it back (``app.background.workers``),
and so do the jobs that job enqueues: one grep finds a click and every email it caused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

HEADER = "X-Request-ID"
#: The job meta key a request id travels under.
META_KEY = "request_id"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_in_job: ContextVar[str | None] = ContextVar("countersign_request_id", default=None)


def sane(value: str | None) -> str | None:
    """``value`` if it may serve as a request id, else None."""
    return value if value is not None and _SANE.fullmatch(value) else None


def current() -> str | None:
    """The id of the request being answered, or of the request whose job runs now; None outside both."""
    if has_request_context():
        return g.get("request_id") or _in_job.get()
    return _in_job.get()


@contextmanager
def carried(request_id: str | None) -> Iterator[None]:
    """Run a job under the id of the request that enqueued it (its log lines and its own jobs carry it)."""
    token = _in_job.set(sane(request_id))
    try:
        yield
    finally:
        _in_job.reset(token)


def init_app(app: Flask) -> None:
    # First of all the hooks: a request another hook answers early (a refusal) still has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, _take)
    app.after_request(_echo)


def _take() -> None:
    g.request_id = sane(request.headers.get(HEADER)) or uuid.uuid4().hex


def _echo(response: Response) -> Response:
    if "request_id" not in g:  # a request no hook saw (a routing error answered before them)
        _take()
    response.headers[HEADER] = g.request_id
    return response
