"""Imports every model, so mappers and Alembic see the whole schema."""

from app.accounts.models import ApiToken, User
from app.audit.models import AuditEvent
from app.catalog.models import MarketCoverage, PriceBand, Product, ProductLink
from app.commitments.models import Commitment
from app.milestones.models import Milestone, Task
from app.notifications.models import Notification
from app.projects.models import Expense, GoalActual, Project, ProjectMember
from app.regions.models import Region
from app.roadmap.models import Baseline, BaselineItem, Replan, RoadmapChange

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Baseline",
    "BaselineItem",
    "Commitment",
    "Expense",
    "GoalActual",
    "MarketCoverage",
    "Milestone",
    "Notification",
    "PriceBand",
    "Product",
    "ProductLink",
    "Project",
    "ProjectMember",
    "Region",
    "Replan",
    "RoadmapChange",
    "Task",
    "User",
]
