"""The sales–product loop's links in the top bar, worked out in Python so the layout only displays them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_login import current_user

from app.commitments.access import lists_commitments
from app.customers.access import sees_customers
from app.feedback.access import sees_all
from app.reports.services import can_see_reports
from app.updates.services import awaiting_count


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    #: Endpoints starting with this mark the link as the current page.
    prefix: str
    #: A count worth a badge (updates waiting for my acknowledgement), 0 for none.
    count: int = 0


def loop_links() -> list[NavLink]:
    """Commitments across campaigns, customers, feedback, briefings, product updates and reports, as far as the
    signed-in person uses them."""
    if not current_user.is_authenticated:
        return []
    user = current_user
    links = []
    if lists_commitments(user):
        # "commitments.index" (and its CSV); a single commitment's page stays under Campaigns.
        links.append(NavLink("Commitments", url_for("commitments.index"), "commitments.index"))
    if sees_customers(user):
        links.append(NavLink("Customers", url_for("customers.index"), "customers."))
    if sees_all(user):
        links.append(NavLink("Feedback", url_for("feedback.index"), "feedback."))
    links.append(NavLink("Briefings", url_for("briefings.index"), "briefings."))
    links.append(NavLink("Updates", url_for("updates.index"), "updates.", awaiting_count(user)))
    if can_see_reports(user):
        links.append(NavLink("Reports", url_for("reports.index"), "reports."))
    return links
