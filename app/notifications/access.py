"""Which campaigns a person may mute: only those they belong to (others are not found).

Campaigns are projects': notifications asks the function projects registered
(:mod:`app.notifications.registry`), as it sits below projects and imports none of it.
"""

from __future__ import annotations

from flask import abort

from app.accounts.models import User
from app.notifications import registry


def member_campaign_or_404(user: User, project_id: int) -> registry.Campaign:
    """A campaign ``user`` belongs to; any other (even one an admin can see) is not found."""
    project = registry.campaigns().member_campaign(user, project_id)
    if project is None:
        abort(404)
    return project
