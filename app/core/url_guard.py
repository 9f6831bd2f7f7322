"""What a request's URL may hold, settled before any view runs.

Three rules, so that no view has to repeat them:

- An id in a path (``<int:project_id>``) is read by :func:`record_id`: plain ASCII digits within
  a database key's range. Werkzeug's own converter takes any Unicode decimal ("/campaigns/٣" is
  campaign 3) and any size; here anything else is not found.
- No NUL (PostgreSQL's text type refuses it, so a search or a token lookup with one failed
  there as a 500) and no lone surrogate (no encoding writes it) in the path or the query string.
  Werkzeug decodes invalid UTF-8 to U+FFFD, so surrogates are checked only in case a server
  hands one through. Such a URL is a 400 naming the parameter; views whose URL is a credential
  (a calendar feed) answer 404 instead, exactly as for an unknown token, so nothing is confirmed.
- A trailing slash is not a different page. Werkzeug sends ``/campaigns`` on to the ``/campaigns/``
  its rule names, but ``/commitments/`` matched no rule at all: :func:`drop_trailing_slash` sends it
  on to ``/commitments`` (308, the query kept), for GET and HEAD. Only to a page whose path holds
  nothing but record ids: a URL holding a secret (a calendar feed, a reset link) is never repeated
  in a ``Location``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from app.core import values
from app.core.errors import InvalidInput
from app.core.forms import record_id
from app.errors import wants_json

F = TypeVar("F", bound=Callable[..., object])

_CREDENTIAL = "_url_is_credential"
REFUSED = "This address holds a character that cannot be used (such as a NUL byte)."


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` for ids: only ASCII digits, and only what a database key holds (see record_id)."""

    regex = r"[0-9]+"  # anything else matches no rule: not found

    def to_python(self, value: str) -> int:
        try:
            return record_id(value)
        except ValueError:
            # Digits beyond any key name nothing: not found. (A ValidationError would only skip this
            # rule, and the same path's rule for another method would make it a 405.)
            raise NotFound() from None


def url_is_credential(view: F) -> F:
    """Mark a view whose URL is its credential: a refused URL is a 404 there, never a 400."""
    setattr(view, _CREDENTIAL, True)
    return view


def init_app(app: Flask) -> None:
    """Install the id converter (before any rule is added) and the check of every URL."""
    app.url_map.converters["int"] = RecordIdConverter
    app.before_request(refuse_unstorable_url)
    app.before_request(drop_trailing_slash)


def refuse_unstorable_url() -> None:
    """A 400 naming the part of the URL that holds NUL or a lone surrogate (a 404 on credential URLs)."""
    field = first_unstorable(request.path, request.args.items(multi=True))
    if field is None:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, _CREDENTIAL, False):
        abort(404)
    if wants_json():
        raise InvalidInput(REFUSED, {field: [REFUSED]})  # the API's error shape, the parameter named
    abort(400, description=REFUSED)


def drop_trailing_slash() -> Response | None:
    """``/commitments/`` → 308 to ``/commitments``, when only the trailing slash kept the path from a page."""
    path = request.path
    if (request.method not in {"GET", "HEAD"} or not isinstance(request.routing_exception, NotFound)
            or len(path) < 2 or not path.endswith("/")):
        return None
    adapter = current_app.create_url_adapter(request)
    try:
        endpoint, arguments = adapter.match(path[:-1], method=request.method)  # type: ignore[union-attr]
    except HTTPException:  # nothing there either, or a RequestRedirect: only with yet another slash
        return None
    view = current_app.view_functions.get(endpoint)
    if getattr(view, _CREDENTIAL, False) or not all(isinstance(value, int) for value in arguments.values()):
        return None
    query = request.query_string.decode("latin-1")
    return redirect(request.script_root + path[:-1] + (f"?{query}" if query else ""), 308)


def first_unstorable(path: str, args: Iterable[tuple[str, str]]) -> str | None:
    """Where the URL holds what cannot be stored: "path", a parameter's name, "query" (a name itself), or None."""
    if values.UNSTORABLE.search(path):
        return "path"
    for name, value in args:
        if values.UNSTORABLE.search(name):
            return "query"  # a parameter's own name is what is wrong: there is no better name to give
        if values.UNSTORABLE.search(value):
            return name
    return None
