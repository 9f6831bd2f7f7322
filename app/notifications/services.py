"""Writing notifications (the outbox), reading the inbox, and each person's preferences.

:func:`notify` joins the transaction of the event it reports: the rows exist exactly when
the event does, and their email is enqueued only after that transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import User
from app.background.queue import enqueue_after_commit
from app.core import clock
from app.core.errors import InvalidInput
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, paginate
from app.extensions import db
from app.notifications import registry
from app.notifications.models import DEFAULTS, Notification, NotificationPreference, ProjectMute
from workflows import reminders

#: Event kinds that are reminders; every other kind is an update on an event.
REMINDER_KINDS = frozenset({"reminder"})


def category_of(kind: str) -> str:
    return "reminders" if kind in REMINDER_KINDS else "updates"


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str = ""
    link: str = ""
    project_id: int | None = None
    dedupe_key: str | None = None
    slot_at: datetime | None = None  # a reminder's slot: on time, it joins that hour's digest
    about: tuple[str, int, str] | None = None  # a dated record ("task", id, "REQUEST"): its email carries that invitation


def notify(users: Iterable[User], kind: str, subject: str, body: str = "", link: str = "",
           skip: User | None = None, project_id: int | None = None,
           about: tuple[str, int, str] | None = None) -> list[Notification]:
    """One notification per active person in ``users`` (but not ``skip``, who caused the event).

    Each person's settings decide the channels: in the app, by email (at once, after their
    quiet hours, or in their daily digest), or not at all; a muted campaign says nothing.
    ``about`` names the dated record it is about and the iTIP method (``("task", id, "REQUEST")``,
    or ``"CANCEL"``): each email then carries that invitation to the record's date (:class:`app.notifications.registry.Invitations`).
    """
    people = {user.id: user for user in users if user.active and (skip is None or user.id != skip.id)}
    message = Message(kind, subject, body, link, project_id, about=about)
    prefs = preferences_for(set(people))  # one query each for everyone's settings and mutes
    muted = muted_among(set(people), project_id) if project_id is not None else set()
    notes = [note for user_id in sorted(people)
             if (note := write(user_id, message, prefs[user_id], user_id in muted)) is not None]
    if about is not None:
        for note in notes:
            if note.email_status != "none" and not note.email_digest:  # a digest gathers many: no invitation
                invite(note, people[note.user_id], about)
    db.session.flush()  # callers may link to what was written (the sweep, writing many, flushes once)
    return notes


def invite(note: Notification, user: User, about: tuple[str, int, str]) -> None:
    """Put the invitation to the record's date on the notification, for its email to carry."""
    invitation = registry.invitations().request(about, user)
    if invitation is not None:
        # Stored with plain line ends, as every stored text is (no control characters); iCalendar's CRLF
        # is put back when the email is built (emails._attach_invitation).
        note.calendar_uid, note.calendar_method = invitation.uid, invitation.method
        note.calendar = invitation.text.replace("\r\n", "\n")


def invited(uids: Iterable[str]) -> dict[str, list[int]]:
    """Who was emailed an invitation to each of these events and has not been sent its cancellation."""
    wanted = list(dict.fromkeys(uids))
    if not wanted:
        return {}
    return _holding(Notification.calendar_uid.in_(wanted))


def invited_in_project(project_id: int) -> dict[str, list[int]]:
    """:func:`invited` for every dated record of one campaign (the notifications name their campaign)."""
    return _holding(Notification.project_id == project_id, Notification.calendar_uid.is_not(None))


def _holding(*where: sa.ColumnElement[bool]) -> dict[str, list[int]]:
    rows = db.session.execute(
        sa.select(Notification.calendar_uid, Notification.user_id, Notification.calendar_method)
        .where(*where, Notification.email_status != "none")
        .order_by(Notification.id))
    latest: dict[tuple[str, int], str] = {}
    for uid, user_id, method in rows:  # in order: the last one written counts
        latest[(uid, user_id)] = method
    found: dict[str, list[int]] = {}
    for (uid, user_id), method in latest.items():
        if method == "REQUEST":
            found.setdefault(uid, []).append(user_id)
    return found


def write(user_id: int, message: Message, prefs: NotificationPreference, muted: bool,
          now: datetime | None = None) -> Notification | None:
    """Store one notification for one person as their settings say (None if they want none).

    Callers load ``prefs`` and ``muted`` for everyone they write to at once (see :func:`notify`).
    """
    category = category_of(message.kind)
    in_app, email = prefs.wants(category, "in_app"), prefs.wants(category, "email")
    if muted or not (in_app or email):
        return None
    now = now or clock.now()
    note = Notification(
        user_id=user_id, kind=message.kind, subject=message.subject[:200], body=message.body, link=message.link,
        project_id=message.project_id, dedupe_key=message.dedupe_key, in_app=in_app, created_at=now,
        email_status="pending" if email else "none",
    )
    if email:
        note.email_digest = prefs.email_digest
        note.email_due_at = reminders.email_at(now, prefs.reminder_prefs, prefs.email_digest, message.slot_at)
    db.session.add(note)
    if email and note.email_due_at <= now and not note.email_digest:
        # Sent straight after the commit; the dispatcher sends the deferred and digest ones.
        note.email_enqueued_at = now
        enqueue_after_commit(db.session(), "app.notifications.jobs.deliver", note, job_kind="deliver")
    return note


def send_email(user: User, kind: str, subject: str) -> Notification:
    """An email that is not a notification (a password reset link): through the outbox, at once,
    whatever the person's settings, quiet hours or digest, and never in their inbox. The feature
    that writes it builds its content when it is sent (``emails.notification_email``)."""
    now = clock.now()
    note = Notification(user_id=user.id, kind=kind, subject=subject[:200], in_app=False, created_at=now,
                        email_status="pending", email_due_at=now, email_enqueued_at=now)
    db.session.add(note)
    db.session.flush()
    enqueue_after_commit(db.session(), "app.notifications.jobs.deliver", note, job_kind="deliver")
    return note


# --- the inbox -------------------------------------------------------------------------------

def _in_inbox(user: User) -> tuple[sa.ColumnElement[bool], ...]:
    return Notification.user_id == user.id, Notification.in_app.is_(True)


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(*_in_inbox(user), Notification.read_at.is_(None))
    ) or 0


def inbox(user: User, asked: PageRequest = FIRST_PAGE, unread_only: bool = False) -> Page[Notification]:
    """A page of ``user``'s inbox: unread first, then newest first."""
    query = sa.select(Notification).where(*_in_inbox(user))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return paginate(query, [asc(Notification.read_at.is_not(None)), desc(Notification.created_at),
                            desc(Notification.id)], asked)


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of ``user`` read; returns how many."""
    query = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=clock.now())).rowcount or 0


def own_notification(user: User, notification_id: int) -> Notification | None:
    """The person's own notification shown in their inbox, or None (another's is not found)."""
    note = db.session.get(Notification, notification_id)
    return note if note is not None and note.user_id == user.id and note.in_app else None


# --- preferences -----------------------------------------------------------------------------

def preferences_of(user_id: int) -> NotificationPreference:
    """The person's settings, or the defaults when they never changed them."""
    return db.session.get(NotificationPreference, user_id) or NotificationPreference.defaults(user_id)


def preferences_for(user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    """Settings of many people in one query (defaults for those without a row)."""
    wanted = set(user_ids)
    found = {p.user_id: p for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id.in_(wanted))
    )} if wanted else {}
    return {uid: found.get(uid) or NotificationPreference.defaults(uid) for uid in wanted}


def quiet_now(user_ids: Iterable[int], now: datetime | None = None) -> dict[int, datetime]:
    """Those of these people inside their quiet hours at ``now``, with when those end (naive UTC)."""
    now = now or clock.now()
    ends = {uid: reminders.quiet_until(now, prefs.reminder_prefs) for uid, prefs in preferences_for(user_ids).items()}
    return {uid: end for uid, end in ends.items() if end is not None}


PREFERENCE_FIELDS = tuple(DEFAULTS)


def save_preferences(user: User, **values: object) -> NotificationPreference:
    """Change the person's settings; refuses (naming the field) settings that cannot work."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise InvalidInput("Unknown setting.", {name: ["Unknown setting."] for name in sorted(unknown)})
    prefs = db.session.get(NotificationPreference, user.id)
    if prefs is None:
        prefs = NotificationPreference.defaults(user.id)
        db.session.add(prefs)
    for name, value in values.items():
        if name == "lead_days" and not isinstance(value, str):
            value = reminders.lead_text(value)  # type: ignore[arg-type]
        setattr(prefs, name, value)
    try:
        found = reminders.problems(prefs.reminder_prefs)
    except ValueError:
        found = {"lead_days": "Lead times are whole numbers of days, separated by commas."}
    if found:
        db.session.expunge(prefs) if prefs in db.session.new else db.session.refresh(prefs)
        names = {"hour": "reminder_hour"}
        raise InvalidInput("These settings cannot be saved.",
                           {names.get(field, field): [text] for field, text in found.items()})
    db.session.flush()
    # The settings time the person's reminders, which are reminders' (a feature above this one).
    registry.reminders().preferences_saved(user.id)
    return prefs


def is_muted(user_id: int, project_id: int) -> bool:
    return db.session.get(ProjectMute, (user_id, project_id)) is not None


def muted_among(user_ids: Iterable[int], project_id: int) -> set[int]:
    """Which of these people muted this campaign."""
    return set(db.session.scalars(sa.select(ProjectMute.user_id).where(
        ProjectMute.project_id == project_id, ProjectMute.user_id.in_(set(user_ids)))))


def muted_projects(user_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(ProjectMute.project_id).where(ProjectMute.user_id == user_id)))


def set_muted(user: User, project_id: int, muted: bool) -> None:
    """Mute (or unmute) one campaign for one person; idempotent."""
    current = db.session.get(ProjectMute, (user.id, project_id))
    if muted and current is None:
        db.session.add(ProjectMute(user_id=user.id, project_id=project_id))
    elif not muted and current is not None:
        db.session.delete(current)
    db.session.flush()
