"""Briefing pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("briefings", __name__, url_prefix="/briefings")
