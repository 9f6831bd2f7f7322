"""Roadmap pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("roadmap", __name__, url_prefix="/campaigns/<int:project_id>")
