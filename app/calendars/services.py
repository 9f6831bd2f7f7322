"""Calendar links: creating, listing and revoking them, finding one by its token, and the admins' switch.

A link is checked live on every fetch (:func:`feed_for_token`): a revoked link, a deactivated
owner, a campaign they no longer see, a role they no longer hold, feeds switched off, or a
token nobody issued all end the same way, as "not found".
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit import services as audit
from app.calendars.models import KINDS, CalendarFeed, CalendarSettings
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, paginate, total
from app.core.tokens import digest
from app.extensions import db
from app.projects.access import my_campaigns, visible_projects
from app.projects.models import Project

#: The selector finds the row; it is not secret (16 URL-safe characters from 12 random bytes).
SELECTOR_LENGTH = 16
#: The secret: 256 bits from the operating system's CSPRNG (43 URL-safe characters).
SECRET_BYTES = 32
TOKEN_LENGTH = SELECTOR_LENGTH + 43

#: Alerts a link may carry, in minutes from the start of each event's day (all-day events start at midnight).
ALARMS: dict[int | None, str] = {
    None: "No alert",
    9 * 60: "On the day, at 9:00",
    -15 * 60: "The day before, at 9:00",
    -(24 + 15) * 60: "Two days before, at 9:00",
    -(6 * 24 + 15) * 60: "A week before, at 9:00",
}

#: How often "last fetched" is written: calendar clients poll every hour or so, and each write costs a commit.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class FeedInput:
    name: str
    kind: str
    project_id: int | None = None
    only_mine: bool = False
    alarm_minutes: int | None = None


# --- the admins' switch --------------------------------------------------------------------------

def calendar_settings() -> CalendarSettings | None:
    return db.session.get(CalendarSettings, 1)


def feeds_enabled() -> bool:
    settings = calendar_settings()
    return settings is None or settings.feeds_enabled


def set_feeds_enabled(actor: User, enabled: bool) -> CalendarSettings:
    """Turn every calendar feed off (each fetch gets "not found") or back on; the links themselves stay."""
    if not actor.is_admin:
        raise NotAllowed("Only an admin can turn calendar feeds on or off.")
    settings = calendar_settings() or CalendarSettings(id=1)
    if settings.feeds_enabled is not enabled:  # a new row's default is unset until it is saved
        settings.feeds_enabled = enabled
        settings.changed_at = clock.now()
        settings.changed_by = actor
        db.session.add(settings)
        audit.record(actor, "calendars.enabled" if enabled else "calendars.disabled",
                     "Turned calendar feeds " + ("on" if enabled else "off for everyone"),
                     entity="calendar_settings", entity_id=1)
    return settings


# --- who may subscribe to what -----------------------------------------------------------------

def available_kinds(user: User) -> dict[str, str]:
    """The feeds ``user`` may subscribe to now: the role calendars follow the role."""
    return {kind: label for kind, label in KINDS.items() if may_subscribe(user, kind)}


def may_subscribe(user: User, kind: str) -> bool:
    if kind == "signoff":
        return user.role is Role.PRODUCT_MANAGER
    if kind == "promises":
        return user.sells
    return kind in KINDS


def subscribable_projects(user: User, also: int | None = None) -> Sequence[Project]:
    """The campaigns a picker offers ``user`` to subscribe to: their own, open ones first (and
    ``also``, the one the page came from); any campaign they see may still be subscribed to."""
    return my_campaigns(user, also=also)


def _project_in_reach(user: User, project_id: int | None) -> bool:
    return project_id is not None and db.session.scalar(
        visible_projects(user).with_only_columns(Project.id).where(Project.id == project_id)
    ) is not None


# --- links -------------------------------------------------------------------------------------

def create_feed(user: User, data: FeedInput) -> tuple[CalendarFeed, str]:
    """Create a link; the token is returned once, here, and never stored."""
    if not feeds_enabled():
        raise InvalidInput("Calendar feeds are turned off by an administrator.")
    errors: dict[str, list[str]] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = ["Name the link, e.g. “Work calendar on my phone”."]
    elif len(name) > 80:
        errors["name"] = ["Keep the name within 80 characters."]
    if data.kind not in KINDS:
        errors["kind"] = ["Choose one of the calendars offered."]
    elif not may_subscribe(user, data.kind):
        errors["kind"] = [f"“{KINDS[data.kind]}” is not a calendar for your role."]
    elif data.kind == "project" and not _project_in_reach(user, data.project_id):
        errors["project_id"] = ["Choose one of your campaigns."]
    if data.alarm_minutes not in ALARMS:
        errors["alarm_minutes"] = ["Choose one of the alerts offered."]
    if errors:
        raise InvalidInput("The link was not created.", errors)

    selector = secrets.token_urlsafe(12)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    feed = CalendarFeed(
        user=user, name=name, kind=data.kind,
        project_id=data.project_id if data.kind == "project" else None,
        only_mine=data.only_mine if data.kind == "mine" else False,
        alarm_minutes=data.alarm_minutes, selector=selector, secret_hash=digest(secret),
    )
    db.session.add(feed)
    db.session.flush()
    audit.record(user, "calendar.created", f"Created calendar link “{feed.name}” ({feed.kind_label})",
                 entity="calendar_feed", entity_id=feed.id, project_id=feed.project_id)
    return feed, selector + secret


def user_feeds(user: User, asked: PageRequest = FIRST_PAGE) -> Page[CalendarFeed]:
    """A page of someone's links, working ones first, newest first."""
    query = sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id).options(so.joinedload(CalendarFeed.project))
    return paginate(query, [asc(CalendarFeed.revoked_at.is_not(None)), desc(CalendarFeed.created_at),
                            desc(CalendarFeed.id)], asked)


def all_feeds(asked: PageRequest = FIRST_PAGE) -> Page[CalendarFeed]:
    """A page of every working link, newest first, for the admins' page."""
    query = (sa.select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
             .options(so.joinedload(CalendarFeed.user), so.joinedload(CalendarFeed.project)))
    return paginate(query, [desc(CalendarFeed.created_at), desc(CalendarFeed.id)], asked)


def working_feed_count() -> int:
    return total(sa.select(CalendarFeed.id).where(CalendarFeed.revoked_at.is_(None)))


def revoke_feed(actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Revoke a link (the caller found it with ``access.feed_or_404``). From now on it is "not found"."""
    if feed.user_id != actor.id and not actor.is_admin:
        raise NotAllowed("Only the link's owner or an admin can revoke it.")
    if feed.revoked_at is None:
        feed.revoked_at = clock.now()
        whose = "" if feed.user_id == actor.id else f" of {feed.user.name}"
        audit.record(actor, "calendar.revoked", f"Revoked calendar link “{feed.name}”{whose}",
                     entity="calendar_feed", entity_id=feed.id, project_id=feed.project_id)
    return feed


# --- a fetch -------------------------------------------------------------------------------------

#: Compared against when no row matches, so an unknown selector costs the same as a wrong secret.
_NO_HASH = digest(secrets.token_urlsafe(SECRET_BYTES))

@cache
def _by_selector() -> sa.Select[tuple[CalendarFeed, bool | None]]:
    """The link, its owner and the admins' switch in one query: every fetch, a 304 included, runs it
    (built once: a calendar client polls every few minutes, and there are thousands of them).
    The switch is NULL when its row was never written, which means feeds are on.

    Built at the first fetch, not on import: its loader option configures every mapper, and that
    wants every model imported (app.models, by the app factory), which importing this module does not."""
    return (
        sa.select(CalendarFeed, CalendarSettings.feeds_enabled)
        .outerjoin(CalendarSettings, CalendarSettings.id == 1)
        .where(CalendarFeed.selector == sa.bindparam("selector"))
        .options(so.joinedload(CalendarFeed.user))
    )


def feed_for_token(token: str) -> CalendarFeed | None:
    """The link ``token`` opens, if it opens one now; None for anything else."""
    if len(token) != TOKEN_LENGTH or not token.isascii():
        return None
    selector, secret = token[:SELECTOR_LENGTH], token[SELECTOR_LENGTH:]
    found = db.session.execute(_by_selector(), {"selector": selector}).first()
    feed, enabled = found if found else (None, True)
    matches = hmac.compare_digest(feed.secret_hash if feed else _NO_HASH, digest(secret))
    if feed is None or not matches or feed.revoked_at is not None:
        return None
    if not feed.user.active or enabled is False or not may_subscribe(feed.user, feed.kind):
        return None
    if feed.kind == "project" and not _project_in_reach(feed.user, feed.project_id):
        return None
    return feed


def touch(feed: CalendarFeed) -> bool:
    """Note that a client fetched the link (at most every few minutes); True when something changed."""
    now = clock.now()
    if feed.last_fetched_at is not None and now - feed.last_fetched_at < TOUCH_EVERY:
        return False
    feed.last_fetched_at = now
    return True
