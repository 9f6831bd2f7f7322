"""What commitments does when its events happen: the notifications a sign-off step becomes.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.commitments.models import Commitment
from app.core import events
from app.core.text import date_label
from app.events import CommitmentStateChanged
from app.notifications.services import notify
from workflows.commitment import COUNTERSIGNING

_SAID = {"approve": "countersigned", "reject": "rejected", "request_changes": "sent back for changes"}


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
        notify([commitment.submitted_by], f"commitment_{step}", f"{actor.name} {_SAID[step]} {title}", note, link,
               skip=actor, project_id=commitment.project_id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(CommitmentStateChanged, commitment_state_changed)
