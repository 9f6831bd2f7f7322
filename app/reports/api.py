"""Report data in the JSON API."""

from __future__ import annotations

from app.api import api_blueprint

bp = api_blueprint("reports", __name__)
