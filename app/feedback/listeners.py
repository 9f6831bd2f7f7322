"""What feedback does when its events happen: the notifications of filed, answered and merged items.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.core import events
from app.customers import registry as customers
from app.events import CustomerMerged, FeedbackAnswered, FeedbackFiled, FeedbackMerged
from app.feedback import services
from app.feedback.access import sees_all
from app.feedback.models import Feedback
from app.feedback.services import outcome_line
from app.notifications.services import notify
from app.projects.access import visible_project_ids


def feedback_filed(event: FeedbackFiled) -> None:
    """The managers of the item's products, to find it in their triage queue."""
    feedback, actor = events.named(Feedback, event.feedback_id), events.named(User, event.actor_id)
    products = feedback.products
    owners = {owner.id: owner for product in products for owner in product.owners}
    where = ", ".join(part for part in (feedback.customer.name if feedback.customer else "", feedback.region.name)
                      if part)
    stake = f" · {feedback.revenue_at_stake:,.2f} {feedback.currency} at stake" if feedback.revenue_at_stake else ""
    notify(owners.values(), "feedback_filed",
           f"New {feedback.kind_label.lower()} on {', '.join(p.name for p in products)}: “{feedback.title}”",
           f"{actor.name} heard it from {where}{stake}. It waits in your triage queue.",
           link=feedback.path, skip=actor)


def feedback_answered(event: FeedbackAnswered) -> None:
    """The submitter, with the answer and what the decision named that they may open."""
    feedback, actor = events.named(Feedback, event.feedback_id), events.named(User, event.actor_id)
    submitter = feedback.submitted_by
    outcome = outcome_line(feedback, visible_project_ids(submitter, [feedback.planned_project_id]), submitter)
    notify([submitter], "feedback_answered",
           f"Your feedback “{feedback.title}”: {feedback.state_label.lower()}{outcome}", event.answer,
           link=feedback.path, skip=actor)


def feedback_merged(event: FeedbackMerged) -> None:
    """Whoever filed the original, unless they filed the duplicate too."""
    feedback, original = events.named(Feedback, event.feedback_id), events.named(Feedback, event.original_id)
    if original.submitted_by_id == feedback.submitted_by_id:
        return
    actor = events.named(User, event.actor_id)
    # Who no longer sells sees only what they filed: they are told of the merge, not of the other item.
    same = f"{feedback.submitted_by.name} filed the same (“{feedback.title}”)" \
        if sees_all(original.submitted_by) else "Someone filed the same"
    notify([original.submitted_by], "feedback_merged",
           f"More demand for your feedback “{original.title}”",
           f"{same}; it is merged into yours, whose weight is now {original.weight:,.2f} {original.currency}.",
           link=original.path, skip=actor)


def customer_merged(event: CustomerMerged) -> None:
    """The merged-away customer's feedback is the survivor's."""
    services.move_customer(event.duplicate_id, event.survivor_id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing), and
    say how much feedback a customer has, for a merge's preview."""
    events.subscribe(FeedbackFiled, feedback_filed)
    events.subscribe(FeedbackAnswered, feedback_answered)
    events.subscribe(FeedbackMerged, feedback_merged)
    events.subscribe(CustomerMerged, customer_merged)
    customers.provide_holding("feedback items", services.customer_holding)
    customers.provide_panel("feedback", services.customer_panel)
