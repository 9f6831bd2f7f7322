"""What a request's URL may hold, settled before any view runs.

An id in a path (``<int:project_id>``) is read by :func:`record_id`: plain ASCII digits within a
database key's range. Werkzeug's own converter takes any Unicode decimal ("/campaigns/٣" is
campaign 3) and any size; here anything else is not found.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app.core.forms import record_id


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


def init_app(app: Flask) -> None:
    """Install the id converter (before any rule is added)."""
    app.url_map.converters["int"] = RecordIdConverter
