"""What each calendar feed holds, and its ETag.

A feed is read with a few plain-row queries (columns, not ORM objects: a 5,000-event feed
would otherwise spend most of its time building objects) and written by the lean writer in
:mod:`app.calendars.ical`. Its ETag is computed from the link's own row, no query at all: the
link's change stamp, bumped in the very transaction that changes anything the feed shows
(:mod:`app.calendars.stamps`), its settings, the format version and the window of days. So a
client that already has the current feed gets 304 from the token check alone.

**Bounds.** A feed leaves out events dated more than :data:`PAST_DAYS` days ago, counted from
the Monday of the current week (so the window moves once a week, and with it the ETag: each
client downloads its feed again once a week for that reason alone), and holds at most
:data:`MAX_EVENTS` events: the earliest ones from the window's start, the furthest in the future
left out beyond that.

Every event's UID is its record's own UUID, and its SEQUENCE the record's version, so a
re-planned milestone moves in the subscriber's calendar instead of appearing twice.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.calendars.ical import Calendar, Event, render
from app.calendars.items import commitment_event, milestone_event, quantity, task_event
from app.calendars.models import CalendarFeed
from app.catalog.models import Product
from app.commitments.models import Commitment
from app.commitments.services import awaiting_countersignature
from app.core import clock
from app.core.text import counted
from app.core.urls import base_url
from app.customers.models import Customer
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.projects.models import Project, ProjectMember
from app.regions.models import Region
from workflows import project as project_workflow
from workflows.project import ProjectState

#: Part of every ETag: bump it when the text of the feeds changes, so every client downloads again.
#: (Clients revalidating by If-Modified-Since alone also need ``calendar_feeds.changed_at`` moved:
#: a migration that sets it to its own time, as 20261206_c41f7d2e9a05 did for format 2.)
FORMAT = "2"

#: Events dated more than this many days before the Monday of the current week are left out.
PAST_DAYS = 365
#: At most this many events per feed (5-9 MB of text, about 0.5 MB gzipped); the latest are left out beyond.
MAX_EVENTS = 10_000

#: Commitments that no longer stand: their events stay, marked cancelled, so clients remove them.


@dataclass(frozen=True)
class FeedState:
    """What a fetch is validated against: the feed's fingerprint and when it last changed."""

    digest: str
    last_modified: datetime

    def etag(self, gzipped: bool = False) -> str:
        """The strong ETag of one representation: the gzip-coded body is another representation
        (other bytes), so it has a tag of its own (RFC 9110 §8.8.3)."""
        return f'"{self.digest}-gzip"' if gzipped else f'"{self.digest}"'


def window_start(today: date) -> date:
    """The earliest day a feed shows: :data:`PAST_DAYS` before this week's Monday."""
    return today - timedelta(days=today.weekday() + PAST_DAYS)


# --- which rows a feed covers ---------------------------------------------------------------------

def _member_projects(user_id: int) -> sa.Select[Any]:
    return sa.select(ProjectMember.project_id).where(ProjectMember.user_id == user_id)


def _milestone_filter(feed: CalendarFeed) -> list[sa.ColumnElement[bool]]:
    if feed.kind == "project":
        return [Milestone.project_id == feed.project_id]
    where = [Milestone.project_id.in_(_member_projects(feed.user_id))]
    if feed.only_mine:
        where.append(Milestone.owner_id == feed.user_id)
    return where


def _task_filter(feed: CalendarFeed) -> list[sa.ColumnElement[bool]]:
    where = [Milestone.project_id.in_(_member_projects(feed.user_id))]
    if feed.only_mine:
        where.append(Task.assignee_id == feed.user_id)
    return where


def _project_filter(feed: CalendarFeed) -> list[sa.ColumnElement[bool]]:
    if feed.kind == "project":
        return [Project.id == feed.project_id]
    return [Project.id.in_(_member_projects(feed.user_id))]


def _commitment_filter(feed: CalendarFeed) -> list[sa.ColumnElement[bool]]:
    user = feed.user
    if feed.kind == "project":
        # Everyone who sees the campaign sees its commitments (app.commitments.access).
        return [Commitment.project_id == feed.project_id]
    if feed.kind == "signoff":
        return awaiting_countersignature(user)
    # "promises": what they promised, on the campaigns they still belong to.
    where = [sa.or_(Commitment.created_by_id == user.id, Commitment.submitted_by_id == user.id)]
    if not user.is_admin:
        where.append(Commitment.project_id.in_(_member_projects(user.id)))
    return where


# --- the ETag ---------------------------------------------------------------------------------

def state(feed: CalendarFeed) -> FeedState:
    """The feed's fingerprint and Last-Modified, from the link's row alone (no query).

    Read it before the feed's rows: the stamp is bumped in the transaction of each change, so a
    body read afterwards is at least as new as the stamp says (never older than its ETag).
    """
    today = clock.today()
    start = window_start(today)
    moved = datetime.combine(start + timedelta(days=PAST_DAYS), time.min)  # when the window last moved
    parts: list[Any] = [FORMAT, feed.id, feed.created_at, feed.kind, feed.project_id, feed.name, feed.only_mine,
                        feed.alarm_minutes, feed.stamp, base_url(), start]
    if feed.kind == "signoff":
        parts.append(today)  # each request's age in days is part of the text
        moved = datetime.combine(today, time.min)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    last_modified = max(feed.created_at, feed.changed_at, moved)
    return FeedState(digest=digest, last_modified=last_modified.replace(microsecond=0))


# --- reading rows fast ------------------------------------------------------------------------
# On SQLite, SQLAlchemy turns stored text into dates, datetimes and UUIDs with pure-Python parsers:
# for a 5,000-event feed that costs more than the rest of the build together (bench/feeds.py).
# So the feed reads those columns as stored and parses them with the C-implemented fromisoformat.
# PostgreSQL's driver already hands back the real types, which pass through unchanged.

def _raw(column: Any) -> Any:
    # A label of its own: the same column may also appear, typed, in the ORDER BY.
    return sa.type_coerce(column, sa.String).label(f"raw_{column.table.name}_{column.key}")


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _moment(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _uid(value: uuid.UUID | str) -> str:
    """The canonical text of a UUID, whichever way the database stored it (SQLite: 32 hex digits)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    digits = value.replace("-", "").lower()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


# --- the feed ---------------------------------------------------------------------------------

def build(feed: CalendarFeed) -> str:
    """The feed's iCalendar text."""
    alarm = None if feed.alarm_minutes is None else timedelta(minutes=feed.alarm_minutes)
    calendar = Calendar(name=f"{feed.name} · Countersign", description=_calendar_description(feed), alarm=alarm)
    return render(calendar, events(feed))


def events(feed: CalendarFeed) -> list[Event]:
    """The feed's events from the window's start, by day, at most :data:`MAX_EVENTS` of them."""
    builders: dict[str, Callable[[CalendarFeed, date], list[Iterable[Event]]]] = {
        "mine": _mine, "project": _project_calendar, "signoff": _signoff, "promises": _promises,
    }
    # Each source comes in day order, at most MAX_EVENTS long: sorting their runs together merges them (in
    # linear time), and the first MAX_EVENTS are the earliest.
    sources = builders[feed.kind](feed, window_start(clock.today()))
    return sorted(itertools.chain.from_iterable(sources), key=attrgetter("day"))[:MAX_EVENTS]


def _calendar_description(feed: CalendarFeed) -> str:
    if feed.kind == "project" and feed.project is not None:
        return f"Milestones, start and end and promised dates of {feed.project.title}, from Countersign."
    if feed.kind == "mine":
        scope = "the milestones you own and the tasks given to you" if feed.only_mine else \
            "the milestones and tasks of your campaigns"
        return f"Due dates of {scope}, from Countersign."
    if feed.kind == "signoff":
        return "Commitments waiting for your countersignature, on their promised dates, from Countersign."
    return "The dates you promised customers, from Countersign."


def _mine(feed: CalendarFeed, since: date) -> list[Iterable[Event]]:
    return [_milestone_events(feed, since), _task_events(feed, since)]


def _project_calendar(feed: CalendarFeed, since: date) -> list[Iterable[Event]]:
    return [_project_events(feed, since), _milestone_events(feed, since), _commitment_events(feed, since)]


def _signoff(feed: CalendarFeed, since: date) -> list[Iterable[Event]]:
    return [_commitment_events(feed, since, signoff=True)]


def _promises(feed: CalendarFeed, since: date) -> list[Iterable[Event]]:
    return [_commitment_events(feed, since)]


# --- events, record kind by record kind ---------------------------------------------------------

def _milestone_events(feed: CalendarFeed, since: date) -> Iterable[Event]:
    owner = so.aliased(User)
    rows = db.session.execute(
        sa.select(Milestone.id, _raw(Milestone.uuid), Milestone.title, _raw(Milestone.due_date), Milestone.state,
                  Milestone.target_value, Milestone.version, _raw(Milestone.updated_at), Milestone.project_id,
                  Project.title, Project.state, Project.goal_metric, Project.goal_unit, owner.name)
        .join(Project, Project.id == Milestone.project_id)
        .outerjoin(owner, owner.id == Milestone.owner_id)
        .where(*_milestone_filter(feed), Milestone.due_date >= since)
        .order_by(Milestone.due_date, Milestone.id).limit(MAX_EVENTS)
    )
    root = base_url()
    for (mid, uid, title, due, m_state, target, version, updated, pid, p_title, p_state, metric, unit,
         owner_name) in rows:
        yield milestone_event(_uid(uid), title, _day(due), m_state, target, version, _moment(updated), mid, pid,
                              p_title, p_state, metric, unit, owner_name, root)


def _task_events(feed: CalendarFeed, since: date) -> Iterable[Event]:
    assignee = so.aliased(User)
    rows = db.session.execute(
        sa.select(_raw(Task.uuid), Task.title, _raw(Task.due_date), Task.done, Task.version, _raw(Task.updated_at),
                  Milestone.id, Milestone.title, _raw(Milestone.due_date), Milestone.state, Milestone.project_id,
                  Project.title, Project.state, assignee.name)
        .join(Milestone, Milestone.id == Task.milestone_id)
        .join(Project, Project.id == Milestone.project_id)
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .where(*_task_filter(feed), sa.func.coalesce(Task.due_date, Milestone.due_date) >= since)
        .order_by(sa.func.coalesce(Task.due_date, Milestone.due_date), Task.id).limit(MAX_EVENTS)
    )
    root = base_url()
    for (uid, title, due, done, version, updated, mid, m_title, m_due, m_state, pid, p_title, p_state,
         assignee_name) in rows:
        yield task_event(_uid(uid), title, due and _day(due), done, version, _moment(updated), mid, m_title,
                         _day(m_due), m_state, pid, p_title, p_state, assignee_name, root)


def _project_events(feed: CalendarFeed, since: date) -> Iterable[Event]:
    """Each campaign's start and end (a campaign calendar has one campaign: two events at most)."""
    return sorted(_project_dates(feed, since), key=attrgetter("day"))


def _project_dates(feed: CalendarFeed, since: date) -> Iterable[Event]:
    owner = so.aliased(User)
    rows = db.session.execute(
        sa.select(Project.id, _raw(Project.uuid), Project.title, Project.state, Project.start_date, Project.end_date,
                  Project.goal_metric, Project.goal_target, Project.goal_unit, Project.version,
                  _raw(Project.updated_at), owner.name)
        .join(owner, owner.id == Project.owner_id)
        .where(*_project_filter(feed))
    )
    root = base_url()
    for pid, uid, title, p_state, start, end, metric, target, unit, version, updated, owner_name in rows:
        url = f"{root}/campaigns/{pid}"
        lines = [f"State: {project_workflow.STATES[p_state]}", f"Owner: {owner_name}"]
        if target is not None:
            lines.append(f"Goal target: {quantity(target, unit)}" + (f" {metric}" if metric else ""))
        lines.append(url)
        description = "\n".join(lines)
        for suffix, day, summary in (("start", start, f"Start: {title}"), ("end", end, f"End: {title}")):
            if day is not None and day >= since:
                yield Event(uid=f"{_uid(uid)}-{suffix}", day=day, summary=summary, modified=_moment(updated),
                            description=description, url=url, sequence=version - 1, cancelled=p_state == ProjectState.CANCELLED)


def _commitment_events(feed: CalendarFeed, since: date, signoff: bool = False) -> Iterable[Event]:
    seller = so.aliased(User)
    rows = db.session.execute(
        sa.select(Commitment.id, _raw(Commitment.uuid), Customer.name, Commitment.promise,
                  _raw(Commitment.promised_date), Commitment.state, Commitment.submitted_at, Commitment.version,
                  _raw(Commitment.updated_at),
                  Product.name, Region.name, Project.title, Project.state, seller.name)
        .join(Project, Project.id == Commitment.project_id)
        .join(Customer, Customer.id == Commitment.customer_id)
        .join(Product, Product.id == Commitment.product_id)
        .join(Region, Region.id == Commitment.region_id)
        .join(seller, seller.id == Commitment.created_by_id)
        .where(*_commitment_filter(feed), Commitment.promised_date >= since)
        .order_by(Commitment.promised_date, Commitment.id).limit(MAX_EVENTS)
    )
    root = base_url()
    today = clock.today()
    for (cid, uid, customer, promise, promised, c_state, submitted_at, version, updated, product, region,
         p_title, p_state, seller_name) in rows:
        yield commitment_event(_uid(uid), cid, customer, product, region, promise, _day(promised), c_state, version,
                               _moment(updated), p_title, p_state, seller_name, root,
                               waiting=(_waiting(submitted_at, today), submitted_at) if signoff else None)


def _waiting(since: datetime | None, today: date) -> str:
    days = 0 if since is None else max((today - since.date()).days, 0)
    return "waiting since today" if days == 0 else f"waiting {counted(days, 'day')}"
