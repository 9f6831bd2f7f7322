"""Absolute links for what is read outside a request's page: emails and calendar feeds."""

from __future__ import annotations

from flask import current_app


def base_url() -> str:
    """Where people reach Countersign (``COUNTERSIGN_BASE_URL``), without a trailing slash."""
    return (current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def absolute(path: str) -> str:
    """``path`` inside Countersign as a full URL; anything that is not a path becomes the home page."""
    return base_url() + (path if path.startswith("/") else "/")
