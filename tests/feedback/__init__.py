"""Feedback: the rules, the pages and the API. Shared builders live here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.accounts.models import User
from app.extensions import db
from app.feedback import decisions, services
from app.feedback.models import Feedback
from app.milestones import services as milestones
from app.projects.models import Project

#: What campaign 7 and its milestone are called: none of it may reach a reader who is not on it.
SECRET_CAMPAIGN = "Campaign 7: Globex takeover"
SECRET_MILESTONE = "Secret SSO beta for Globex"


def planned_in_a_campaign_of_others(feedback_world: dict[str, Any], people: dict[str, User],
                                    make_project: Callable[..., Project]) -> Feedback:
    """The seller's feedback on Contoso Hub, heard on their own campaign, triaged "now" by its product
    manager (Olga) against a milestone of a campaign neither the seller nor people["product"] nor
    people["team"] is on (issue 15)."""
    olga = feedback_world["other_pm"]
    secret = make_project(SECRET_CAMPAIGN, owner=people["sales2"], product_manager_ids=[olga.id], member_ids=[])
    milestone = milestones.create_milestone(people["pm"], secret, milestones.MilestoneInput(
        SECRET_MILESTONE, secret.start_date + (secret.end_date - secret.start_date) / 3))
    item = services.file_feedback(people["sales"], services.FeedbackInput(
        kind="feature_request", title="Needs SSO with Okta", region_id=feedback_world["region"].id,
        product_ids=(feedback_world["other"].id,), project_id=feedback_world["project"].id))
    db.session.flush()
    decisions.triage(olga, item, "now", "In a beta with another customer first.", milestone_id=milestone.id)
    db.session.commit()
    return item
