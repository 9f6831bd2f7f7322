"""A moment said the way people read it next to "now": "08:00 UTC", "08:00 UTC tomorrow"."""

from __future__ import annotations

from datetime import datetime, timedelta


def moment_text(at: datetime, now: datetime) -> str:
    """``at`` (naive UTC) as a time today or tomorrow, or with its day when further off."""
    time = f"{at:%H:%M} UTC"
    days = (at.date() - now.date()).days
    if days == 0:
        return time
    if days == 1:
        return f"{time} tomorrow"
    return f"{at:%a %d %b}, {time}" if timedelta(0) < at - now < timedelta(days=300) else f"{at:%d %b %Y}, {time}"
