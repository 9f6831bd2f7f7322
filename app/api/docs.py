"""The API's own description: the OpenAPI document and a reference page that reads it.

Both are open to anyone, signed in or not. The document describes shapes, never data: a CRM
integrator, a client generator or a fuzzer needs it before it has a token, and nothing in it is
not already in the README. The page is Swagger UI from the pinned ``flask-swagger-ui`` package's
files (no CDN: it works offline), served by us under a Content-Security-Policy that lets it load
nothing but its own files and the document.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory

from app.api import PREFIX
from app.api.openapi import document, operation
from app.core.headers import response_policy

bp = Blueprint("api_docs", __name__)

#: The viewer's files we serve, and nothing else of the package (its own page inlines a script).
_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"})
# Swagger UI styles a few elements through style attributes; no script runs but ours and its bundle,
# and it reaches nothing but this server (no validator badge, no fonts from elsewhere).
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@bp.get(f"{PREFIX}/openapi.json")
@operation(dict[str, Any], public=True)
def openapi_json() -> Response:
    """This document: the OpenAPI 3.1 description of every ``/api/v1`` operation."""
    # In the document's own order (openapi, info, paths...), not jsonify's sorted keys: people read it too.
    return current_app.response_class(json.dumps(document(current_app), ensure_ascii=False),
                                      mimetype="application/json")


@bp.get("/api/docs")
@response_policy(csp=_CSP)
def reference() -> str:
    return render_template("api/docs.html", spec_url=f"{PREFIX}/openapi.json")


@bp.get("/api/docs/assets/<name>")
def asset(name: str) -> Response:
    if name not in _ASSETS:
        abort(404)
    # Found when asked for, not at import: the app starts (and its API answers) without the package.
    return send_from_directory(str(files("flask_swagger_ui") / "dist"), name, max_age=3600)
