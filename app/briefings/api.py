"""Briefings in the JSON API."""

from __future__ import annotations

from app.api import api_blueprint

bp = api_blueprint("briefings", __name__)
