"""Imports every model, so mappers and Alembic see the whole schema."""

from app.accounts.models import ApiToken, User
from app.audit.models import AuditEvent
from app.milestones.models import Milestone, Task
from app.projects.models import Expense, GoalActual, Project, ProjectMember
from app.regions.models import Region

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Expense",
    "GoalActual",
    "Milestone",
    "Project",
    "ProjectMember",
    "Region",
    "Task",
    "User",
]
