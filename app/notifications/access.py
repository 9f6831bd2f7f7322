"""Which campaigns a person may mute: only those they belong to (others are not found)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from app.accounts.models import User
from app.extensions import db
from app.projects.models import Project, ProjectMember


def member_campaign_or_404(user: User, project_id: int) -> Project:
    """A campaign ``user`` belongs to; any other (even one an admin can see) is not found."""
    project = db.session.scalar(
        sa.select(Project).join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(Project.id == project_id, ProjectMember.user_id == user.id)
    )
    if project is None:
        abort(404)
    return project
