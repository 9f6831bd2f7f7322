"""Finding a milestone or task of a campaign the user may see: anything else is not found.

The campaign is looked up first (``projects.access.get_project_or_404``); an id from another
campaign in its URL is a 404 as well, so ids cannot be used to peek across campaigns.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from app.extensions import db
from app.milestones.models import Milestone, Task
from app.projects.models import Project


def get_milestone_or_404(project: Project, milestone_id: int) -> Milestone:
    milestone = db.session.scalar(
        sa.select(Milestone).where(Milestone.id == milestone_id, Milestone.project_id == project.id)
    )
    if milestone is None:
        abort(404)
    return milestone


def get_task_or_404(project: Project, task_id: int) -> Task:
    task = db.session.scalar(
        sa.select(Task).join(Milestone).where(Task.id == task_id, Milestone.project_id == project.id)
    )
    if task is None:
        abort(404)
    return task
