"""The GET routes of the app with a record for each URL argument: what tests/test_query_counts.py
walks and bench/http.py times, on a data set made by app/demo/large.py."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.accounts.models import User
from app.briefings.models import Briefing
from app.catalog.models import Product
from app.commitments.models import Commitment
from app.demo.large import BUSY_PM_EMAIL
from app.demo.services import DEMO_PASSWORD
from app.extensions import db
from app.feedback.models import Feedback
from app.milestones.models import Milestone, Task
from app.projects.models import Project, ProjectMember
from app.regions.models import Region
from app.roadmap.models import Baseline
from app.updates.models import ProductUpdate

ADMIN_EMAIL = "admin@example.com"
PASSWORD = DEMO_PASSWORD

#: Routes not walked, and why.
NOT_WALKED = {
    "static": "files, no queries",
    "accounts.login": "the sign-in form, for signed-out people",
    "calendars.feed": "a calendar link's token: tests/calendars count the feed's queries",
    "notification_settings.email_preferences": "an email's signed link: tests/notifications",
    "background.mailbox_message": "a file of the development mailbox, no queries",
    "briefings.download": "a deck's bytes, one lookup",
}


def _first(query: sa.Select[Any]) -> Any:
    return db.session.scalar(query.limit(1))


def sample_values(project: Project) -> dict[str, Any]:
    """A record for each kind of URL argument: the campaign's own where it has one."""
    return {
        "project_id": project.id,
        "milestone_id": _first(sa.select(Milestone.id).where(Milestone.project_id == project.id)
                               .order_by(Milestone.id)),
        "task_id": _first(sa.select(Task.id).join(Milestone).where(Milestone.project_id == project.id)
                          .order_by(Task.id)),
        "commitment_id": _first(sa.select(Commitment.id).order_by(Commitment.id)),
        "customer_id": _first(sa.select(Commitment.customer_id).order_by(Commitment.id)),
        "feedback_id": _first(sa.select(Feedback.id).order_by(Feedback.id)),
        "briefing_id": _first(sa.select(Briefing.id).order_by(Briefing.id)),
        "update_id": _first(sa.select(ProductUpdate.id).order_by(ProductUpdate.id)),
        "product_id": _first(sa.select(Product.id).order_by(Product.id)),
        "region_id": _first(sa.select(Region.id).order_by(Region.id)),
        "user_id": _first(sa.select(User.id).order_by(User.id)),
        "number": _first(sa.select(Baseline.number).where(Baseline.project_id == project.id)
                         .order_by(Baseline.number)),
        "template_key": "upgrade_campaign",
        "key": "overdue",  # (the first list, "tasks", is /my-work/ itself)
        "section": "briefings",
    }


def busy_pm() -> User:
    return db.session.scalars(sa.select(User).where(User.email == BUSY_PM_EMAIL)).one()


def admin() -> User:
    return db.session.scalars(sa.select(User).where(User.email == ADMIN_EMAIL)).one()


def sample_project(user: User) -> Project:
    """``user``'s campaign with the most milestones: the same shape whatever the data set's size."""
    project_id = db.session.scalar(
        sa.select(Milestone.project_id).join(ProjectMember, ProjectMember.project_id == Milestone.project_id)
        .where(ProjectMember.user_id == user.id).group_by(Milestone.project_id)
        .order_by(sa.func.count().desc(), Milestone.project_id).limit(1))
    project = db.session.get(Project, project_id)
    assert project is not None, f"{user.email} is on no campaign with milestones"
    return project


def get_routes(app: Flask, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, URL) of every GET route walked, its arguments filled from ``values``; routes
    needing a record the data set lacks are left out."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_WALKED:
            continue
        if any(values.get(arg) is None for arg in rule.arguments):
            continue
        found.append((rule.rule, rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]))
    return found
