"""Whose calendar link is whose: someone else's link is simply not found."""

from __future__ import annotations

from flask import abort

from app.accounts.models import User
from app.calendars.models import CalendarFeed
from app.extensions import db


def feed_or_404(user: User, feed_id: int, *, any_owner: bool = False) -> CalendarFeed:
    """``user``'s own link; with ``any_owner`` (the admins' page), anyone's link for an admin."""
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or not (feed.user_id == user.id or (any_owner and user.is_admin)):
        abort(404)
    return feed
