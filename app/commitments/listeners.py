"""What commitments does when events happen: the notifications its own sign-off steps become, and
what it does about changes made elsewhere. A milestone moved, cancelled or restored may break the
countersigned promises that depend on it, or mend them; one that a promise depends on is not
removed. A campaign's lifecycle asks which commitments are still unsigned, and cancelling it
withdraws them.

Each handler runs in the transaction of its event (:mod:`app.core.events`): the notifications exist
exactly when the change does (their emails leave only after the commit,
:func:`app.notifications.services.notify`), and a promise is flagged at risk (or cleared) exactly
when the change that breaks it is saved.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.catalog import services as catalog
from app.commitments import across, services
from app.commitments.models import Commitment
from app.core import events
from app.core.text import date_label
from app.customers import registry as customers
from app.events import CampaignStateChanged, CommitmentStateChanged, CustomerMerged, MilestonePlanChanged
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.notifications.services import notify
from app.projects import services as projects
from app.projects.models import Project
from workflows.commitment import CLOSED_STATES, COUNTERSIGNING
from workflows.project import PROJECT_WORKFLOW

_SAID = {"approve": "countersigned", "reject": "rejected", "request_changes": "sent back for changes"}
#: The changes to a milestone that can break or mend a promise: its date, its target, whether it is on the plan.
_REASSESSED = frozenset({"moved", "target", "cancelled", "restored"})


def commitment_state_changed(event: CommitmentStateChanged) -> None:
    """The submitter hears the decision; the product's managers hear of each request for them;
    seller and managers hear of an at-risk flag and of its clearing."""
    commitment, actor = events.named(Commitment, event.commitment_id), events.named(User, event.actor_id)
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
        # A countersigned promise is a date the seller keeps: its email invites them to it.
        about = ("commitment", commitment.id, "REQUEST") if step == "approve" else None
        notify([commitment.submitted_by], f"commitment_{step}", f"{actor.name} {_SAID[step]} {title}", note, link,
               skip=actor, project_id=commitment.project_id, about=about)


def milestone_plan_changed(event: MilestonePlanChanged) -> None:
    """Flag the promises the change now breaks, clear those it no longer does."""
    if not any(kind in _REASSESSED for kind, _old, _new in event.changes):
        return
    services.reassess(events.named(User, event.actor_id), [events.named(Milestone, event.milestone_id)])


def milestone_removal(milestone: Milestone) -> str | None:
    """A milestone that open commitments depend on stays, cancelled instead, so their promises are flagged."""
    linked = db.session.scalar(
        sa.select(sa.func.count()).select_from(Commitment)
        .where(Commitment.milestone_id == milestone.id, Commitment.state.not_in(CLOSED_STATES))
    )
    if not linked:
        return None
    return (f"{linked} commitment{'s depend' if linked != 1 else ' depends'} on “{milestone.title}”: "
            "cancel the milestone instead, so the promise is flagged at risk.")


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """The step's ``withdraw_unsigned_commitments`` effect (cancelling): what never became binding is withdrawn."""
    transition = PROJECT_WORKFLOW.transition(event.step, event.from_state)
    if transition is None or "withdraw_unsigned_commitments" not in transition.effects:
        return
    services.withdraw_unsigned(events.named(User, event.actor_id), events.named(Project, event.project_id),
                               f"Campaign cancelled: {event.reason}")


def unsigned_commitments(project: Project) -> tuple[str, ...]:
    """The lifecycle's fact ``unsigned_commitments``: those that hold the campaign's launch and completion."""
    return services.unsigned_titles(project.id)


def customer_merged(event: CustomerMerged) -> None:
    """The merged-away customer's commitments are the survivor's."""
    services.move_customer(event.duplicate_id, event.survivor_id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing),
    register the check a milestone's removal asks and the fact a campaign's lifecycle asks, and count the
    catalog page's open commitments."""
    events.subscribe(CommitmentStateChanged, commitment_state_changed)
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
    events.subscribe(CampaignStateChanged, campaign_state_changed)
    milestones.refuse_removal_when(milestone_removal)
    catalog.count_promises_with(across.open_counts)
    projects.provide_fact("unsigned_commitments", unsigned_commitments)
    events.subscribe(CustomerMerged, customer_merged)
    customers.count_commitments_with(across.customer_counts)
    customers.provide_holding("commitment", services.customer_holding)
    customers.provide_panel("commitments", across.customer_panel)
