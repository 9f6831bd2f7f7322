"""Who hears of each domain event, and what they read: the notifications the events become.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the
notifications exist exactly when the change does, and their emails leave only after the
commit (:func:`app.notifications.services.notify`). The records an event names were just
changed by the service that emitted it, so ``session.get`` finds them in the session
without a query.
"""

from __future__ import annotations

from typing import TypeVar

from app.accounts.models import User
from app.briefings.models import Briefing
from app.commitments.models import Commitment
from app.core import events
from app.core.text import date_label
from app.events import (
    BriefingLogged,
    BriefingUpdated,
    CampaignStateChanged,
    CommitmentStateChanged,
    FeedbackAnswered,
    FeedbackFiled,
    FeedbackMerged,
    MilestoneMoved,
    ProductUpdatePublished,
    TaskAssigned,
)
from app.extensions import db
from app.feedback.access import sees_all
from app.feedback.models import Feedback
from app.feedback.services import outcome_line
from app.milestones.models import Milestone, Task
from app.notifications.services import notify
from app.projects.access import visible_project_ids
from app.projects.models import Project
from app.roadmap.models import Replan
from app.updates.models import KINDS, ProductUpdate
from app.updates.services import sellers
from workflows.commitment import COUNTERSIGNING
from workflows.project import PROJECT_WORKFLOW

M = TypeVar("M")

_SAID = {"approve": "countersigned", "reject": "rejected", "request_changes": "sent back for changes"}


def _get(model: type[M], ident: int) -> M:
    record = db.session.get(model, ident)
    if record is None:  # an event names what its own transaction holds: this would be a bug
        raise LookupError(f"{model.__name__} {ident} named by an event is not in the database")
    return record


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """Everyone on the campaign but whoever took the step."""
    project, actor = _get(Project, event.project_id), _get(User, event.actor_id)
    transition = PROJECT_WORKFLOW.transition(event.step, event.from_state)
    label = transition.label if transition is not None else event.step
    note = f"{actor.name}: {label}" + (f" — {event.reason}" if event.reason else "")
    notify(project.members, f"project_{event.step}", f"“{project.title}” is now {project.state_label.lower()}",
           note, project.path, skip=actor, project_id=project.id)


def milestone_moved(event: MilestoneMoved) -> None:
    """The campaign's people and the owners of the milestones the re-plan changed: old date, new date, why."""
    project, actor = _get(Project, event.project_id), _get(User, event.actor_id)
    milestone = _get(Milestone, event.milestone_id)
    replanned = (db.session.get(Milestone, mid) for mid in dict.fromkeys(c.milestone_id for c in
                                                                          _get(Replan, event.replan_id).changes) if mid)
    people = [*project.members, *(m.owner for m in replanned if m is not None and m.owner is not None)]
    old, new = event.old_due_date, event.new_due_date
    notify(people, "milestone_moved", f"“{milestone.title}” moved to {date_label(new)} — {project.title}",
           f"{actor.name} moved it from {date_label(old)} to {date_label(new)}: {event.reason}",
           milestone.path, skip=actor, project_id=project.id)


def task_assigned(event: TaskAssigned) -> None:
    """The new assignee (not when they assigned it to themselves)."""
    assignee = db.session.get(User, event.assignee_id)
    if assignee is None:
        return
    task, actor = _get(Task, event.task_id), _get(User, event.actor_id)
    milestone = task.milestone
    due = task.due_date or milestone.due_date
    notify([assignee], "task_assigned", f"{actor.name} gave you “{task.title}” — {milestone.project.title}",
           f"For the milestone “{milestone.title}”, due {date_label(due)}.", milestone.path, skip=actor,
           project_id=milestone.project_id)


def commitment_state_changed(event: CommitmentStateChanged) -> None:
    """The submitter hears the decision; the product's managers hear of each request for them;
    seller and managers hear of an at-risk flag and of its clearing."""
    commitment, actor = _get(Commitment, event.commitment_id), _get(User, event.actor_id)
    link, title, step, note = commitment.path, commitment.title, event.step, event.note
    if commitment.state in COUNTERSIGNING.waiting:
        verb = "changed and needs your countersignature again" if step == "amend" else "waits for your countersignature"
        notify(commitment.product.owners, "signoff_requested", f"{title} {verb}",
               f"Promised for {date_label(commitment.promised_date)} on “{commitment.project.title}”.", link, skip=actor,
               project_id=commitment.project_id)
    elif step in {"flag_risk", "clear_risk"}:
        people = [commitment.created_by, *([commitment.submitted_by] if commitment.submitted_by else []),
                  *commitment.product.owners]
        subject = (f"At risk: {title}" if step == "flag_risk" else f"No longer at risk: {title}")
        notify(people, f"commitment_{step}", subject, note, link, skip=actor, project_id=commitment.project_id)
    elif step in _SAID and commitment.submitted_by is not None:
        notify([commitment.submitted_by], f"commitment_{step}", f"{actor.name} {_SAID[step]} {title}", note, link,
               skip=actor, project_id=commitment.project_id)


def feedback_filed(event: FeedbackFiled) -> None:
    """The managers of the item's products, to find it in their triage queue."""
    feedback, actor = _get(Feedback, event.feedback_id), _get(User, event.actor_id)
    products = feedback.products
    owners = {owner.id: owner for product in products for owner in product.owners}
    where = ", ".join(part for part in (feedback.customer, feedback.region.name) if part)
    stake = f" · {feedback.revenue_at_stake:,.2f} {feedback.currency} at stake" if feedback.revenue_at_stake else ""
    notify(owners.values(), "feedback_filed",
           f"New {feedback.kind_label.lower()} on {', '.join(p.name for p in products)}: “{feedback.title}”",
           f"{actor.name} heard it from {where}{stake}. It waits in your triage queue.",
           link=feedback.path, skip=actor)


def feedback_answered(event: FeedbackAnswered) -> None:
    """The submitter, with the answer and what the decision named that they may open."""
    feedback, actor = _get(Feedback, event.feedback_id), _get(User, event.actor_id)
    submitter = feedback.submitted_by
    outcome = outcome_line(feedback, visible_project_ids(submitter, [feedback.planned_project_id]), submitter)
    notify([submitter], "feedback_answered",
           f"Your feedback “{feedback.title}”: {feedback.state_label.lower()}{outcome}", event.answer,
           link=feedback.path, skip=actor)


def feedback_merged(event: FeedbackMerged) -> None:
    """Whoever filed the original, unless they filed the duplicate too."""
    feedback, original = _get(Feedback, event.feedback_id), _get(Feedback, event.original_id)
    if original.submitted_by_id == feedback.submitted_by_id:
        return
    actor = _get(User, event.actor_id)
    # Who no longer sells sees only what they filed: they are told of the merge, not of the other item.
    same = f"{feedback.submitted_by.name} filed the same (“{feedback.title}”)" \
        if sees_all(original.submitted_by) else "Someone filed the same"
    notify([original.submitted_by], "feedback_merged",
           f"More demand for your feedback “{original.title}”",
           f"{same}; it is merged into yours, whose weight is now {original.weight:,.2f} {original.currency}.",
           link=original.path, skip=actor)


def product_update_published(event: ProductUpdatePublished) -> None:
    """Every seller."""
    update, actor = _get(ProductUpdate, event.update_id), _get(User, event.actor_id)
    subject = f"{update.product.name}: {update.title}" + (" (please acknowledge)" if update.requires_ack else "")
    where = f" In {update.region.name}." if update.region is not None else ""
    notify(sellers(), "product_update", subject,
           f"{KINDS[update.kind]} update from {actor.name}.{where}\n\n{update.body}", update.path, skip=actor)


def briefing_logged(event: BriefingLogged) -> None:
    """Its attendees who use Countersign."""
    briefing = _get(Briefing, event.briefing_id)
    _tell_attendees(briefing, _get(User, event.actor_id), briefing.attendees)


def briefing_updated(event: BriefingUpdated) -> None:
    """Only the people newly listed as attendees."""
    briefing = _get(Briefing, event.briefing_id)
    added = set(event.added_attendee_ids)
    _tell_attendees(briefing, _get(User, event.actor_id), [u for u in briefing.attendees if u.id in added])


def _tell_attendees(briefing: Briefing, actor: User, people: list[User]) -> None:
    if not people:
        return
    products = ", ".join(p.name for p in briefing.products)
    notify(people, "briefing_logged", f"Briefing: {briefing.title} — {date_label(briefing.held_on)}",
           f"{briefing.presenter.name} briefed {briefing.sales_team} ({briefing.region.name}) on {products}. "
           "You are listed as an attendee.", briefing.path, skip=actor)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(CampaignStateChanged, campaign_state_changed)
    events.subscribe(MilestoneMoved, milestone_moved)
    events.subscribe(TaskAssigned, task_assigned)
    events.subscribe(CommitmentStateChanged, commitment_state_changed)
    events.subscribe(FeedbackFiled, feedback_filed)
    events.subscribe(FeedbackAnswered, feedback_answered)
    events.subscribe(FeedbackMerged, feedback_merged)
    events.subscribe(ProductUpdatePublished, product_update_published)
    events.subscribe(BriefingLogged, briefing_logged)
    events.subscribe(BriefingUpdated, briefing_updated)
