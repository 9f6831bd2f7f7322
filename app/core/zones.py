"""Whose clock an instant is shown on: a zone by name with a safe fall-back, the app's default, and
the zone an email is written in (its recipient's) while it is built.

The signed-in reader's own zone is looked up by ``app/templating.py`` (it reads their settings);
this module knows no feature, so the email builder can name its recipient's zone here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo

from flask import current_app, g, has_app_context

from workflows.reminders import is_time_zone, zone_or_utc


def default_zone() -> tzinfo:
    """The app's ``DEFAULT_TIME_ZONE``: for signed-out pages and readers without a valid zone (an
    unknown setting is UTC, so a typo cannot break every page)."""
    name = current_app.config.get("DEFAULT_TIME_ZONE", "UTC") if has_app_context() else "UTC"
    return zone_or_utc(name)


def zone_of(name: str | None) -> tzinfo:
    """The zone of that name; the default for none or one we do not know (a zone stored before
    the zone database dropped it, or written straight into the database)."""
    return zone_or_utc(name) if name and is_time_zone(name) else default_zone()


def overriding_zone() -> tzinfo | None:
    """The zone set by :func:`reading_in` around this rendering, if any."""
    return g.get("_zone_override") if has_app_context() else None


@contextmanager
def reading_in(name: str | None) -> Iterator[tzinfo]:
    """Render as if read in zone ``name`` (an email: its recipient's), then as before."""
    before = g.get("_zone_override")
    g._zone_override = zone_of(name)
    try:
        yield g._zone_override
    finally:
        g._zone_override = before
