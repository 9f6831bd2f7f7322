"""Change stamps: each calendar link's counter, bumped in the transaction that changes anything its feed shows.

A feed's ETag is made of its link's row (its stamp and settings), the format version and the
window of days (:func:`app.calendars.feeds.state`), so a client that already has the current
feed gets its 304 from the token check alone: nothing is counted, aggregated or built.

**Where the stamp lives.** On the link itself (``calendar_feeds.stamp`` and ``changed_at``),
rather than a stamp per scope (per campaign, per person) that each ETag would combine:

* the query that checks the token reads the stamp with it, so a 304 needs no second lookup, and
  nothing is mirrored: the database is the only copy, so every process and machine agrees;
* "My calendar" spans all its owner's campaigns: with a stamp per campaign its ETag would read one
  per campaign (200 for a busy project manager); so a change in a campaign must reach its
  members anyway. Stamps per person would cost the same to bump as stamps per link, but would
  be written for everyone on the campaign, where links exist only for the few who subscribed
  (and need no upsert: a link's row is there from its creation);
* the link's own settings (name, alarm, "only mine"), the address links are made of, the format
  version and the window of days are in the ETag directly: nothing needs bumping for those.

**What bumps what.** Each flush notes what changed (old and new values alike: a milestone
moved to another campaign bumps both); just before the commit the links those changes reach are
bumped, in one UPDATE, whichever service, page, API call or job made the change:

=============================================  ================================================
change                                         links bumped
=============================================  ================================================
a milestone added, edited, removed             its campaign's calendar; "My calendar" of each
                                               member of the campaign
a task added, edited, removed                  "My calendar" of each member of its campaign
a campaign edited (its version is the          its campaign calendar; if its title, state,
SEQUENCE of its start and end)                 goal metric or unit changed, "My calendar" of
                                               each member; if its title or state changed,
                                               "My promised dates" and "Waiting for my
                                               countersignature" of those its promises involve
a commitment added, edited, removed            its campaign calendar; "My promised dates" of
                                               whoever wrote or submitted it; "Waiting for my
                                               countersignature" of its product's owners
someone joins or leaves a campaign; their      every link of that person but campaign
role or "sells" changes; a product's owners    calendars (which only change access: 404)
change
a person renamed                               as if every campaign where the name shows
                                               (owner, milestone owner, assignee, seller) and
                                               its promises were edited
a product or region renamed                    as if every commitment of theirs were edited
=============================================  ================================================

The UPDATE finds the links through the indexes (a union of one select per rule), so a bump costs
O(links reached), however large the feeds. It takes the rows' locks in id order (``FOR UPDATE``
on PostgreSQL), so two transactions bumping the same links queue rather than deadlock.

Writes that bypass the ORM (bulk loads, raw SQL) bypass this too: call :func:`bump_all` after them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.calendars.models import CalendarFeed
from app.catalog.models import Product, product_owners
from app.commitments.models import Commitment
from app.core import clock, transactions
from app.milestones.models import Milestone, Task
from app.projects.models import Project, ProjectMember
from app.regions.models import Region

_CHANGES = "countersign.calendar_changes"
#: Campaign fields every milestone and task event shows, and those every promise shows.
_SHOWN_ON_ITEMS = ("title", "state", "goal_metric", "goal_unit")
_SHOWN_ON_PROMISES = ("title", "state")
_WATCHED = (Milestone, Task, Commitment, ProjectMember, Project, User, Product, Region)


@dataclass
class Changes:
    """What one transaction changed, as far as calendar feeds care; ids only."""

    campaign_calendars: set[int] = field(default_factory=set)  # project ids
    members_of: set[int] = field(default_factory=set)  # project ids: their members' "My calendar"
    promised_on: set[int] = field(default_factory=set)  # project ids: the links of those its promises involve
    task_milestones: set[int] = field(default_factory=set)  # milestone ids: "My calendar" of their campaign's members
    people: set[int] = field(default_factory=set)  # user ids: every link of theirs but campaign calendars
    sellers: set[int] = field(default_factory=set)  # user ids: "My promised dates"
    products: set[int] = field(default_factory=set)  # product ids: their owners' "Waiting for my countersignature"
    renamed_people: set[int] = field(default_factory=set)
    renamed_products: set[int] = field(default_factory=set)
    renamed_regions: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def _changes(session: so.Session) -> Changes:
    transactions.before_commit(session, _CHANGES, _before_commit)
    return transactions.state(session, _CHANGES, Changes)


def _values(obj: Any, *names: str) -> set[int]:
    """The attributes' values now and before this flush (both matter: a task moved leaves one milestone for another)."""
    state = sa.inspect(obj)
    found: set[int] = set()
    for name in names:
        history = state.attrs[name].history  # never loads: an unloaded attribute has no history
        current = state.dict.get(name)  # e.g. a foreign key the flush itself filled in
        found.update(v for v in (current, *history.added, *history.unchanged, *history.deleted) if v is not None)
    return found


def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


# --- noting changes, flush by flush ------------------------------------------------------------

def _note_item(changes: Changes, obj: Any) -> None:
    """A milestone, task, commitment or membership added, changed or removed."""
    if isinstance(obj, Milestone):
        projects = _values(obj, "project_id")
        changes.campaign_calendars |= projects
        changes.members_of |= projects
    elif isinstance(obj, Task):
        changes.task_milestones |= _values(obj, "milestone_id")
    elif isinstance(obj, Commitment):
        changes.campaign_calendars |= _values(obj, "project_id")
        changes.sellers |= _values(obj, "created_by_id", "submitted_by_id")
        changes.products |= _values(obj, "product_id")
    elif isinstance(obj, ProjectMember):
        # Its primary key, from the identity: always at hand, even on an expired row being deleted.
        identity = sa.inspect(obj).identity
        changes.people.add(identity[1] if identity else obj.user_id)


def _note_edit(changes: Changes, obj: Any) -> None:
    """A campaign, person, product or region edited (new ones are in no feed yet)."""
    if isinstance(obj, Project):
        changes.campaign_calendars.add(obj.id)
        if _changed(obj, _SHOWN_ON_ITEMS):
            changes.members_of.add(obj.id)
        if _changed(obj, _SHOWN_ON_PROMISES):
            changes.promised_on.add(obj.id)
    elif isinstance(obj, User):
        if _changed(obj, ("name",)):
            changes.renamed_people.add(obj.id)
        if _changed(obj, ("role", "sales_rep")):
            changes.people.add(obj.id)
    elif isinstance(obj, Product):
        if _changed(obj, ("name",)):
            changes.renamed_products.add(obj.id)
        owners = sa.inspect(obj).attrs.owners.history
        changes.people.update(user.id for user in (*owners.added, *owners.deleted))
    elif isinstance(obj, Region) and _changed(obj, ("name",)):
        changes.renamed_regions.add(obj.id)


def _after_flush(session: so.Session, _context: Any) -> None:
    changes = _changes(session)
    for obj in session.new:
        _note_item(changes, obj)
    for obj in session.dirty:
        if not isinstance(obj, _WATCHED):
            continue
        if session.is_modified(obj, include_collections=False):
            _note_item(changes, obj)
            _note_edit(changes, obj)
        elif isinstance(obj, Product):  # only its owners changed (they live in another table)
            _note_edit(changes, obj)
    # Deletions are seen by _deleted: a task or membership taken out of its parent's list is
    # deleted as an orphan, which session.deleted never lists.


def _deleted(_mapper: Any, _connection: Any, obj: Any) -> None:
    session = so.object_session(obj)
    if session is not None:
        _note_item(_changes(session), obj)


def _before_flush(session: so.Session, _context: Any, _instances: Any) -> None:
    """A campaign about to be deleted takes its commitments with it (ON DELETE CASCADE, no ORM event):
    note now whose promises and sign-off queues they were in."""
    gone = [obj.id for obj in session.deleted if isinstance(obj, Project)]
    if not gone:
        return
    changes = _changes(session)
    rows = session.connection().execute(
        sa.select(Commitment.created_by_id, Commitment.submitted_by_id, Commitment.product_id)
        .where(Commitment.project_id.in_(gone)))
    for created_by, submitted_by, product in rows:
        changes.sellers.update(v for v in (created_by, submitted_by) if v is not None)
        changes.products.add(product)


def _before_commit(session: so.Session) -> None:
    # Run by app.core.transactions after its last flush, which noted whatever was still pending.
    changes: Changes | None = transactions.discard(session, _CHANGES)
    if changes:
        bump(session, changes)


# --- bumping -----------------------------------------------------------------------------------

def bump(session: so.Session, changes: Changes) -> None:
    """Bump the stamp of every working link that ``changes`` reach: one UPDATE (after a lookup per kind of rename)."""
    _resolve_renames(session, changes)
    reached = _reached(changes)
    if reached is not None:
        _bump_where(session, CalendarFeed.id.in_(reached))


def bump_all(session: so.Session) -> None:
    """Bump every working link: after writes that bypass the ORM, or when in doubt."""
    _bump_where(session, sa.true())


def _bump_where(session: so.Session, condition: sa.ColumnElement[bool]) -> None:
    # Locked in id order (FOR UPDATE is left out on SQLite, which locks the whole database anyway).
    locked = (sa.select(CalendarFeed.id).where(condition, CalendarFeed.revoked_at.is_(None))
              .order_by(CalendarFeed.id).with_for_update())
    session.execute(
        sa.update(CalendarFeed).where(CalendarFeed.id.in_(locked))
        .values(stamp=CalendarFeed.stamp + 1, changed_at=clock.now()),
        execution_options={"synchronize_session": False},
    )


def _resolve_renames(session: so.Session, changes: Changes) -> None:
    """A new name shows wherever the person, product or region does: find those campaigns."""
    if changes.renamed_people:
        ids = changes.renamed_people
        campaigns = set(session.scalars(sa.union(
            sa.select(Project.id).where(Project.owner_id.in_(ids)),
            sa.select(Milestone.project_id).where(Milestone.owner_id.in_(ids)),
            sa.select(Milestone.project_id).join(Task, Task.milestone_id == Milestone.id)
            .where(Task.assignee_id.in_(ids)),
            sa.select(Commitment.project_id).where(Commitment.created_by_id.in_(ids)),
        )))
        changes.campaign_calendars |= campaigns
        changes.members_of |= campaigns
        changes.promised_on |= campaigns
    if changes.renamed_products or changes.renamed_regions:
        rows = session.execute(
            sa.select(Commitment.project_id, Commitment.product_id).distinct()
            .where(sa.or_(Commitment.product_id.in_(changes.renamed_products),
                          Commitment.region_id.in_(changes.renamed_regions))))
        for project_id, product_id in rows:
            changes.campaign_calendars.add(project_id)
            changes.promised_on.add(project_id)
            changes.products.add(product_id)
        changes.products |= changes.renamed_products


def _reached(changes: Changes) -> sa.CompoundSelect | sa.Select[Any] | None:
    """The ids of the links ``changes`` reach: one indexed select per rule, united."""
    feed = CalendarFeed
    selects: list[sa.Select[Any]] = []
    if changes.campaign_calendars:
        selects.append(sa.select(feed.id).where(feed.kind == "project",
                                                feed.project_id.in_(changes.campaign_calendars)))
    campaigns = []
    if changes.members_of:
        campaigns.append(ProjectMember.project_id.in_(changes.members_of))
    if changes.task_milestones:
        campaigns.append(ProjectMember.project_id.in_(
            sa.select(Milestone.project_id).where(Milestone.id.in_(changes.task_milestones))))
    if campaigns:
        members = sa.select(ProjectMember.user_id).where(sa.or_(*campaigns))
        selects.append(sa.select(feed.id).where(feed.kind == "mine", feed.user_id.in_(members)))
    if changes.promised_on:
        on = Commitment.project_id.in_(changes.promised_on)
        sellers = sa.union(sa.select(Commitment.created_by_id).where(on),
                           sa.select(Commitment.submitted_by_id).where(on, Commitment.submitted_by_id.is_not(None)))
        selects.append(sa.select(feed.id).where(feed.kind == "promises", feed.user_id.in_(sellers)))
        owners = sa.select(product_owners.c.user_id).where(
            product_owners.c.product_id.in_(sa.select(Commitment.product_id).where(on)))
        selects.append(sa.select(feed.id).where(feed.kind == "signoff", feed.user_id.in_(owners)))
    if changes.sellers:
        selects.append(sa.select(feed.id).where(feed.kind == "promises", feed.user_id.in_(changes.sellers)))
    if changes.products:
        owners = sa.select(product_owners.c.user_id).where(product_owners.c.product_id.in_(changes.products))
        selects.append(sa.select(feed.id).where(feed.kind == "signoff", feed.user_id.in_(owners)))
    if changes.people:
        selects.append(sa.select(feed.id).where(feed.kind != "project", feed.user_id.in_(changes.people)))
    if not selects:
        return None
    return selects[0] if len(selects) == 1 else sa.union(*selects)


def init_app() -> None:
    """Watch every session's flushes, once however many apps are made (the tests make several)."""
    if sa.event.contains(so.Session, "after_flush", _after_flush):
        return
    sa.event.listen(so.Session, "before_flush", _before_flush)
    sa.event.listen(so.Session, "after_flush", _after_flush)
    for model in (Milestone, Task, Commitment, ProjectMember):
        sa.event.listen(model, "after_delete", _deleted)
