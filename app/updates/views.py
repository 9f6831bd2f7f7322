"""Product update pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("updates", __name__, url_prefix="/updates")
