"""The security headers of every response, set here and nowhere else.

Every response (a page, the API's JSON, an error page, a static file, a calendar feed, a CSV or
SVG download) leaves through :func:`set_security_headers`, which sets:

- ``Content-Security-Policy``: ``CONTENT_SECURITY_POLICY`` (config.py). Scripts and styles are
  files of ours only; no inline script, handler or style attribute runs or applies.
- ``X-Frame-Options: DENY``, for browsers that predate the policy's ``frame-ancestors 'none'``.
- ``X-Content-Type-Options: nosniff``: a download is never read as something else.
- ``Referrer-Policy``: ``REFERRER_POLICY`` (``same-origin``).
- ``Strict-Transport-Security``: ``STRICT_TRANSPORT_SECURITY``, set only by the production config.

A view that needs another policy declares it with :func:`response_policy`, under its route: the
API reference (Swagger UI styles through style attributes), a download that must never run as a
page (``sandbox``), a page that shows a secret (``Referrer-Policy: no-referrer``). A declared
Content-Security-Policy applies to what the view answers; its error pages are ordinary pages and
get the usual one. A declared Referrer-Policy applies to every answer of the view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

F = TypeVar("F", bound=Callable[..., object])

_POLICY = "_response_policy"

#: The headers this module owns: no view sets them itself (tests/test_headers.py checks).
OWNED = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
         "Strict-Transport-Security")


@dataclass(frozen=True)
class ResponsePolicy:
    """What a view declares instead of the configured headers (None: the configured one)."""

    csp: str | None = None
    referrer: str | None = None


def response_policy(*, csp: str | None = None, referrer: str | None = None) -> Callable[[F], F]:
    """Declare a view's own Content-Security-Policy or Referrer-Policy (put it under the route decorator)."""

    def declare(view: F) -> F:
        setattr(view, _POLICY, ResponsePolicy(csp, referrer))
        return view

    return declare


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)


def set_security_headers(response: Response) -> Response:
    """Set the security headers on ``response``: the configured ones, or what its view declared."""
    config = current_app.config
    declared = declared_policy()
    headers = response.headers
    own_csp = declared.csp if response.status_code < 400 else None
    headers["Content-Security-Policy"] = own_csp or config["CONTENT_SECURITY_POLICY"]
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = declared.referrer or config["REFERRER_POLICY"]
    if config.get("STRICT_TRANSPORT_SECURITY"):
        headers["Strict-Transport-Security"] = config["STRICT_TRANSPORT_SECURITY"]
    return response


def declared_policy() -> ResponsePolicy:
    """What the view of this request declared; nothing for a request no view matched (a 404)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, _POLICY, None) or ResponsePolicy()
