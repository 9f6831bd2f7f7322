"""Imports every model, so mappers and Alembic see the whole schema."""

from app.accounts.models import ApiToken, PasswordReset, Throttle, User
from app.accounts.sessions import UserSession
from app.api.models import IdempotencyKey
from app.audit.models import AuditEvent
from app.background.models import JobRun
from app.briefings.models import Briefing, BriefingMaterial
from app.calendars.models import CalendarFeed, CalendarSettings
from app.catalog.models import MarketCoverage, PriceBand, Product, ProductLink
from app.comments.models import Comment
from app.commitments.models import Commitment
from app.customers.models import Customer, CustomerAlias
from app.feedback.models import Feedback, FeedbackDecision
from app.imports.models import ImportRowError, ImportRun
from app.milestones.models import Milestone, Task
from app.notifications.models import Notification, NotificationPreference, ProjectMute
from app.projects.models import Expense, GoalActual, Project, ProjectMember
from app.publishing.models import PublishingToken
from app.regions.models import Region
from app.reminders.models import ReminderSchedule
from app.roadmap.models import Baseline, BaselineItem, Replan, RoadmapChange
from app.teams.models import Placement, Team
from app.updates.models import ProductUpdate, UpdateAcknowledgement
from app.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Baseline",
    "BaselineItem",
    "Briefing",
    "BriefingMaterial",
    "CalendarFeed",
    "CalendarSettings",
    "Comment",
    "Commitment",
    "Customer",
    "CustomerAlias",
    "Expense",
    "Feedback",
    "FeedbackDecision",
    "GoalActual",
    "IdempotencyKey",
    "ImportRowError",
    "ImportRun",
    "JobRun",
    "MarketCoverage",
    "Milestone",
    "Notification",
    "PasswordReset",
    "NotificationPreference",
    "PriceBand",
    "Product",
    "ProductLink",
    "ProductUpdate",
    "Project",
    "ProjectMember",
    "Placement",
    "ProjectMute",
    "PublishingToken",
    "Region",
    "ReminderSchedule",
    "Replan",
    "RoadmapChange",
    "Task",
    "Team",
    "Throttle",
    "UpdateAcknowledgement",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
