"""What calendars does when events happen: the invitations emails carry, and their cancellations.

The features that notify of a dated record (a task given, a milestone moved, a promise
countersigned) name it to :func:`app.notifications.services.notify`; the invitation each email
carries is built here (:class:`app.notifications.registry.Invitations`), from the same event the
feeds hold (:mod:`app.calendars.items`). When that date goes (a milestone cancelled or removed, a
task deleted or given to someone else, a promise withdrawn or rejected) everyone who was sent an
invitation to it, and only they, gets a CANCEL: there is no other email for those changes. A task
taken off its assignee, and every date of a cancelled campaign, go the same way.
"""

from __future__ import annotations

import uuid
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.calendars import invites, items
from app.calendars.ical import Event
from app.commitments.models import Commitment
from app.core import clock, events
from app.core.text import date_label
from app.events import (
    CampaignStateChanged,
    CommitmentStateChanged,
    MilestonePlanChanged,
    TaskAssigned,
    TaskRemoved,
    TaskUnassigned,
)
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.notifications import registry
from app.notifications.registry import Invitation
from app.notifications.services import invited, invited_in_project, notify
from workflows.commitment import VOID_STATES
from workflows.project import ProjectState

_ITEMS = {"milestone": (Milestone, items.milestone_item), "task": (Task, items.task_item),
          "commitment": (Commitment, items.commitment_item)}


def invitation(about: tuple[str, int, str], user: User) -> Invitation | None:
    """The iTIP message of ``about`` (kind, id, method) for ``user``, organised by Countersign's sender."""
    kind, ident, method = about
    model, item = _ITEMS[kind]
    record = db.session.get(model, ident)
    if record is None:
        return None
    event = item(record)
    cancel = method == "CANCEL" or event.cancelled
    # A milestone cancelled or a promise withdrawn has a new version already (its SEQUENCE is past the
    # last REQUEST's); a record being deleted, or a task whose milestone was cancelled, has not.
    moved_on = event.cancelled and kind != "task"
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    text = invites.invitation(event, "CANCEL" if cancel else "REQUEST", (name or "Countersign", address),
                              (user.name, user.email), stamp=clock.now(), removed=cancel and not moved_on)
    return Invitation(uid=event.uid, method="CANCEL" if cancel else "REQUEST", text=text.decode())


_TAKEN_OFF = "It is taken off the calendar where you accepted its invitation."


def _cancel(kind: str, record: Milestone | Task | Commitment, project_id: int, but: int | None = None,
            why: str = _TAKEN_OFF, holders: list[int] | None = None) -> None:
    """A CANCEL to each person who holds an invitation to the record's date (but the person ``but``).

    ``holders``: those people, when the caller has looked them up already (a whole campaign at once).
    """
    event: Event = _ITEMS[kind][1](record)
    if holders is None:
        holders = invited([event.uid]).get(event.uid, [])
    people = [user_id for user_id in holders if user_id != but]
    if not people:
        return
    users = [user for user_id in people if (user := db.session.get(User, user_id)) is not None]
    title = event.summary.split(" · ")[0]
    notify(users, "calendar_cancelled", f"Cancelled: {title} on {date_label(event.day)}", why, _path(record),
           project_id=project_id, about=(kind, record.id, "CANCEL"))


def _path(record: Milestone | Task | Commitment) -> str:
    return record.milestone.path if isinstance(record, Task) else record.path


def milestone_plan_changed(event: MilestonePlanChanged) -> None:
    """A milestone cancelled or removed takes its date, and its tasks' dates, off the calendars."""
    if not any(kind in {"cancelled", "removed"} for kind, _old, _new in event.changes):
        return
    milestone = events.named(Milestone, event.milestone_id)
    for task in milestone.tasks:
        _cancel("task", task, event.project_id)
    _cancel("milestone", milestone, event.project_id)


def task_assigned(event: TaskAssigned) -> None:
    """A task given to someone else is off the calendar of whoever was invited to it before."""
    _cancel("task", events.named(Task, event.task_id), event.project_id, but=event.assignee_id,
            why="The task was given to someone else: it is taken off your calendar.")


def task_unassigned(event: TaskUnassigned) -> None:
    _cancel("task", events.named(Task, event.task_id), event.project_id,
            why="You were taken off the task: it is taken off your calendar.")


def campaign_state_changed(event: CampaignStateChanged) -> None:
    """A cancelled campaign's dates are off every calendar that accepted an invitation to one of them.

    One query finds the invitations still held in the campaign, one per kind loads their records:
    a cancelled campaign of a thousand tasks costs the same four queries before the emails.
    """
    if event.to_state != ProjectState.CANCELLED:
        return
    holding = invited_in_project(event.project_id)
    if not holding:
        return
    keys = [uuid.UUID(uid) for uid in holding]
    why = f"The campaign was cancelled: {event.reason}" if event.reason else "The campaign was cancelled."
    for kind, (model, _item) in _ITEMS.items():
        records = db.session.scalars(sa.select(model).where(model.uuid.in_(keys))).all()
        for record in sorted(records, key=lambda r: r.id):
            _cancel(kind, record, event.project_id, why=f"{why} {_TAKEN_OFF}", holders=holding[str(record.uuid)])


def task_removed(event: TaskRemoved) -> None:
    _cancel("task", events.named(Task, event.task_id), event.project_id)


def commitment_state_changed(event: CommitmentStateChanged) -> None:
    """A promise withdrawn or rejected is no date any more."""
    if event.to_state in VOID_STATES and event.from_state not in VOID_STATES:
        _cancel("commitment", events.named(Commitment, event.commitment_id), event.project_id)


def init_app() -> None:
    """Hand notifications the invitations, and subscribe the cancellations (subscribing again adds nothing)."""
    registry.set_invitations(registry.Invitations(request=invitation))
    events.subscribe(MilestonePlanChanged, milestone_plan_changed)
    events.subscribe(TaskAssigned, task_assigned)
    events.subscribe(TaskUnassigned, task_unassigned)
    events.subscribe(TaskRemoved, task_removed)
    events.subscribe(CampaignStateChanged, campaign_state_changed)
    events.subscribe(CommitmentStateChanged, commitment_state_changed)
