"""The admin page on background work: queue depth, workers, failed jobs and emails, last sweep."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("background", __name__, url_prefix="/admin/jobs")
