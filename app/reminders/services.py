"""Keeping reminder schedules in step with milestones and tasks, and the sweep that sends them.

Who is reminded: of a milestone, its owner and every member of its campaign; of a task, its
assignee (on the task's own due date, else its milestone's). Nobody is reminded of a done or
cancelled item, or of a campaign that is not under way (``REMINDING_STATES``).

Schedules follow their items through :mod:`app.reminders.listeners`, which calls
:func:`sync_milestones` and :func:`sync_tasks` before each commit that changed an item, its
campaign's state or membership. The sweep checks each due
schedule against the live item once more before it writes anything, so even a change that
bypassed the services can never produce a reminder for an old date or a finished item.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError, OperationalError

from app.accounts.models import User
from app.core import clock
from app.core.text import weekday_date_label
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.notifications.models import Notification, NotificationPreference, ProjectMute
from app.notifications.services import Message, muted_projects, preferences_for, write
from app.projects.models import Project, ProjectMember
from app.reminders.models import ReminderSchedule, milestone_key, task_key
from workflows import reminders
from workflows.milestone import MilestoneState
from workflows.project import REMINDING_STATES

#: Schedules one sweep transaction handles; a big backlog is worked through in several.
SWEEP_BATCH = 500


# --- who is owed reminders of what -----------------------------------------------------------

def _live(milestone: Milestone) -> bool:
    return milestone.state == MilestoneState.OPEN and milestone.project.state in REMINDING_STATES


def _milestone_recipients(milestone: Milestone) -> dict[int, date]:
    if not _live(milestone):
        return {}
    people = {m.user for m in milestone.project.memberships}
    if milestone.owner is not None:
        people.add(milestone.owner)
    return {user.id: milestone.due_date for user in people if user.active}


def _task_recipients(task: Task) -> dict[int, date]:
    if task.done or task.assignee is None or not task.assignee.active or not _live(task.milestone):
        return {}
    return {task.assignee.id: task.due_date or task.milestone.due_date}


# --- keeping schedules in step ---------------------------------------------------------------

_LOAD_MILESTONE = (
    so.joinedload(Milestone.project).selectinload(Project.memberships).joinedload(ProjectMember.user),
    so.joinedload(Milestone.owner),
    so.selectinload(Milestone.tasks).joinedload(Task.assignee),
)


def milestones_of(project_ids: Collection[int]) -> set[int]:
    if not project_ids:
        return set()
    return set(db.session.scalars(sa.select(Milestone.id).where(Milestone.project_id.in_(project_ids))))


def sync_projects(project_ids: Collection[int], since: datetime | None = None) -> None:
    """Bring the schedules of every milestone and task of these campaigns up to date."""
    sync_milestones(milestones_of(project_ids), since)


def sync_milestones(milestone_ids: Collection[int], since: datetime | None = None) -> None:
    """Bring the schedules of these milestones, and of their tasks, up to date."""
    if not milestone_ids:
        return
    milestones = db.session.scalars(
        sa.select(Milestone).where(Milestone.id.in_(milestone_ids)).options(*_LOAD_MILESTONE)
    ).unique().all()
    wanted: dict[tuple[int, str], _Item] = {}
    keys: list[str] = []
    for milestone in milestones:
        key = milestone_key(milestone.id)
        keys.append(key)
        for user_id, due in _milestone_recipients(milestone).items():
            wanted[(user_id, key)] = _Item(milestone.id, None, due)
        for task in milestone.tasks:
            keys.append(task_key(task.id))
            for user_id, due in _task_recipients(task).items():
                wanted[(user_id, task_key(task.id))] = _Item(milestone.id, task.id, due)
    _apply(keys, wanted, since)


def sync_tasks(task_ids: Collection[int], since: datetime | None = None) -> None:
    """Bring the schedules of these tasks up to date."""
    if not task_ids:
        return
    tasks = db.session.scalars(
        sa.select(Task).where(Task.id.in_(task_ids)).options(
            so.joinedload(Task.assignee), so.joinedload(Task.milestone).joinedload(Milestone.project))
    ).all()
    wanted = {(user_id, task_key(t.id)): _Item(t.milestone_id, t.id, due)
              for t in tasks for user_id, due in _task_recipients(t).items()}
    _apply([task_key(t.id) for t in tasks], wanted, since)


@dataclass(frozen=True)
class _Item:
    milestone_id: int
    task_id: int | None
    due: date


def _apply(keys: Iterable[str], wanted: dict[tuple[int, str], _Item], since: datetime | None) -> None:
    """Make the stored schedules of items ``keys`` exactly ``wanted``.

    A new schedule starts at ``since`` (default now: slots before it were never owed); a
    schedule whose date moved starts again from now, so nobody hears of the old date and a
    slot of the new date that is already past is not sent late (the move itself is news).
    """
    keys = list(keys)
    if not keys:
        return
    now = clock.now()
    existing = {(row.user_id, row.item_key): row for row in db.session.scalars(
        sa.select(ReminderSchedule).where(ReminderSchedule.item_key.in_(keys)))}
    for pair, row in existing.items():
        if pair not in wanted:
            db.session.delete(row)
    prefs = preferences_for({user_id for user_id, _ in wanted})
    for (user_id, key), item in wanted.items():
        row = existing.get((user_id, key))
        if row is not None and row.due_date == item.due:
            continue
        cursor = now if row is not None else min(since or now, now)
        if row is None:
            row = ReminderSchedule(user_id=user_id, item_key=key, milestone_id=item.milestone_id, task_id=item.task_id)
            db.session.add(row)
        row.due_date, row.cursor = item.due, cursor
        slot = reminders.next_slot(item.due, prefs[user_id].reminder_prefs, cursor)
        row.next_at = slot.at if slot else None


def reschedule_person(user_id: int) -> None:
    """The person's notification settings changed (their zone, hour, lead times, quiet hours): the
    sweep works each of their schedules out again with the new settings within a minute."""
    db.session.execute(sa.update(ReminderSchedule).where(ReminderSchedule.user_id == user_id)
                       .values(next_at=clock.now()))


# --- the sweep -------------------------------------------------------------------------------

@dataclass
class SweepResult:
    schedules: int = 0
    sent: int = 0
    rescheduled: int = 0
    dropped: int = 0
    #: Reminders whose email waits for the person's quiet hours to end, and the first such end.
    held: int = 0
    held_until: datetime | None = None
    notification_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.schedules} due schedules: {self.sent} reminders written, "
                f"{self.rescheduled} rescheduled, {self.dropped} dropped")

    def add(self, other: SweepResult) -> None:
        for name in ("schedules", "sent", "rescheduled", "dropped", "held"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.held_until is not None and (self.held_until is None or other.held_until < self.held_until):
            self.held_until = other.held_until
        self.notification_ids += other.notification_ids


def due_schedules(now: datetime, limit: int = SWEEP_BATCH) -> list[ReminderSchedule]:
    """Schedules whose next slot has come, oldest first, locked so that a second sweep skips them.

    The query reads the ``next_at`` index only: its cost follows the number of due
    schedules, not the number of milestones.
    """
    return list(db.session.scalars(
        sa.select(ReminderSchedule).where(ReminderSchedule.next_at <= now)
        .order_by(ReminderSchedule.next_at, ReminderSchedule.id).limit(limit).with_for_update(skip_locked=True)
    ))


def sweep(now: datetime | None = None, batch: int = SWEEP_BATCH) -> SweepResult:
    """Write every reminder that has fallen due, a batch per transaction, and commit each batch."""
    now = now or clock.now()
    result = SweepResult()
    conflicts = 0
    while True:
        try:
            rows = due_schedules(now, batch)
            if not rows:
                db.session.rollback()
                return result
            batch_result = _sweep_batch(rows, now)
            db.session.commit()
        except (IntegrityError, OperationalError):
            # Another sweep wrote the same slot or held the rows (SQLite has no SKIP LOCKED):
            # start the batch again from what it committed; its reminders are not written twice.
            db.session.rollback()
            conflicts += 1
            if conflicts > 5:
                raise
            continue
        result.add(batch_result)


def _sweep_batch(rows: list[ReminderSchedule], now: datetime) -> SweepResult:
    result = SweepResult(schedules=len(rows))
    milestones = {m.id: m for m in db.session.scalars(
        sa.select(Milestone).where(Milestone.id.in_({r.milestone_id for r in rows})).options(
            so.joinedload(Milestone.project).selectinload(Project.memberships).joinedload(ProjectMember.user),
            so.joinedload(Milestone.owner), so.selectinload(Milestone.tasks))).unique()}
    tasks = {t.id: t for t in db.session.scalars(
        sa.select(Task).where(Task.id.in_({r.task_id for r in rows if r.task_id})).options(so.joinedload(Task.assignee)))}
    prefs = preferences_for({r.user_id for r in rows})
    mutes = set(db.session.execute(
        sa.select(ProjectMute.user_id, ProjectMute.project_id).where(ProjectMute.user_id.in_({r.user_id for r in rows}))
    ).tuples())
    owed: list[tuple[ReminderSchedule, Milestone, Task | None, reminders.Slot]] = []
    for row in rows:
        milestone = milestones.get(row.milestone_id)
        task = tasks.get(row.task_id) if row.task_id else None
        if milestone is None or (row.task_id and task is None):
            db.session.delete(row)
            result.dropped += 1
            continue
        recipients = _task_recipients(task) if task is not None else _milestone_recipients(milestone)
        due = recipients.get(row.user_id)
        if due is None:  # done, cancelled, campaign closed, person left or was deactivated
            db.session.delete(row)
            result.dropped += 1
            continue
        person = prefs[row.user_id]
        if due != row.due_date:  # moved without a sync: never remind of the old date
            slot = reminders.next_slot(due, person.reminder_prefs, now)
            row.due_date, row.cursor, row.next_at = due, now, slot.at if slot else None
            result.rescheduled += 1
            continue
        step = reminders.advance(due, person.reminder_prefs, row.cursor, now)
        if step.send is not None:
            owed.append((row, milestone, task, step.send))
        row.cursor, row.next_at = step.cursor, step.next_at
    # A slot already written is not written again: new settings (a later hour, another time
    # zone) can bring back a slot the person was already reminded of.
    written = _written(owed)
    written_now: list[Notification] = []
    for row, milestone, task, slot in owed:
        if (row.user_id, _dedupe_key(row, slot)) in written:
            continue
        person = prefs[row.user_id]
        note = write(row.user_id, _message(row, milestone, task, slot, person, now), prefs=person,
                     muted=(row.user_id, milestone.project_id) in mutes, now=now)
        if note is None:  # muted, or the person takes reminders through no channel
            continue
        written_now.append(note)
        row.last_sent_at = now
        result.sent += 1
        held_until = note.email_due_at if note.email_status == "pending" and not note.email_digest else None
        if held_until is not None and held_until > now:  # written in the person's quiet hours
            result.held += 1
            result.held_until = held_until if result.held_until is None else min(result.held_until, held_until)
    db.session.flush()
    result.notification_ids = [note.id for note in written_now]
    return result


def _dedupe_key(row: ReminderSchedule, slot: reminders.Slot) -> str:
    return f"reminder:{row.item_key}:{slot.key}"


def _written(owed: list[tuple[ReminderSchedule, Milestone, Task | None, reminders.Slot]]) -> set[tuple[int, str]]:
    """Which of these (person, slot) reminders exist already, in one query."""
    if not owed:
        return set()
    keys = {_dedupe_key(row, slot) for row, _, _, slot in owed}
    return set(db.session.execute(
        sa.select(Notification.user_id, Notification.dedupe_key)
        .where(Notification.user_id.in_({row.user_id for row, _, _, _ in owed}), Notification.dedupe_key.in_(keys))
    ).tuples())


def _message(row: ReminderSchedule, milestone: Milestone, task: Task | None, slot: reminders.Slot,
             prefs: NotificationPreference, now: datetime) -> Message:
    today = reminders.local(now, prefs.reminder_prefs).date()
    when = reminders.phrase(slot.due, today)
    project = milestone.project
    if task is not None:
        subject = f"Task “{task.title}” is {when}"
        body = (f"Your task “{task.title}” for the milestone “{milestone.title}” of “{project.title}” "
                f"is {when} ({weekday_date_label(slot.due)}).")
    else:
        subject = f"“{milestone.title}” is {when}"
        unit = project.goal_unit if project.goal_unit == "%" else f" {project.goal_unit}".rstrip()
        target = f" Target: {milestone.target_value:g}{unit}." \
            if milestone.target_value is not None else ""
        open_tasks = len(milestone.open_tasks)
        tasks = f" {open_tasks} open task{'s' if open_tasks != 1 else ''}." if open_tasks else ""
        body = f"The milestone “{milestone.title}” of “{project.title}” is {when} ({weekday_date_label(slot.due)}).{target}{tasks}"
    return Message(
        kind="reminder", subject=f"{subject} — {project.title}"[:200], body=body,
        link=milestone.path, project_id=project.id,
        dedupe_key=_dedupe_key(row, slot), slot_at=slot.at,
    )


# --- what a person will hear of next (their settings page) ---------------------------------

@dataclass(frozen=True)
class Upcoming:
    """One pending reminder as the settings page lists it."""

    title: str
    kind: str  # "Milestone" or "Task"
    project: Project
    link: str
    due: date
    at: datetime | None  # the person's wall-clock time (aware); None when no slot is left
    muted: bool


def upcoming(user: User, person: reminders.ReminderPrefs, now: datetime) -> list[Upcoming]:
    """The person's next reminders, soonest first, at their local time.

    A schedule whose next time has passed is about to be worked out again by the sweep (as
    after a change of settings): its next slot is worked out here the same way.
    """
    rows = list(db.session.scalars(
        sa.select(ReminderSchedule).where(ReminderSchedule.user_id == user.id, ReminderSchedule.next_at.is_not(None))
        .order_by(ReminderSchedule.next_at, ReminderSchedule.id).limit(50)))
    if not rows:
        return []
    milestones = {m.id: m for m in db.session.scalars(
        sa.select(Milestone).where(Milestone.id.in_({r.milestone_id for r in rows}))
        .options(so.joinedload(Milestone.project)))}
    task_ids = {r.task_id for r in rows if r.task_id}
    tasks = {t.id: t for t in db.session.scalars(sa.select(Task).where(Task.id.in_(task_ids)))}
    muted = muted_projects(user.id)
    found: list[Upcoming] = []
    for row in rows:
        milestone = milestones.get(row.milestone_id)
        task = tasks.get(row.task_id) if row.task_id else None
        if milestone is None or (row.task_id and task is None):
            continue
        at: datetime | None = row.next_at
        if at is None or at <= now:
            slot = reminders.next_slot(row.due_date, person, now)
            at = slot.at if slot else None
        project = milestone.project
        found.append(Upcoming(
            title=task.title if task is not None else milestone.title, kind="Task" if task is not None else "Milestone",
            project=project, link=milestone.path,
            due=row.due_date, at=reminders.local(at, person) if at is not None else None, muted=project.id in muted,
        ))
    return sorted(found, key=lambda u: (u.at is None, u.at.timestamp() if u.at else 0, u.title))
