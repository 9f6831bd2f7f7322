"""Sign-in sessions kept in the database, so that any of them can be ended.

Each sign-in is a row of ``user_sessions``. The browser holds two secrets: the session *key*
(in Flask's signed session cookie, where Flask-Login keeps ``_user_id``) and, with "Keep me
signed in", a *remember token* ``<selector>.<secret>`` in a cookie of its own. The table keeps
only their SHA-256 (both carry 256 random bits, so a fast hash is enough), so a copy of it signs
nobody in. Every request looks its key up (one indexed query that also brings the user), so
ending a row ends the session in every process on every machine at once.

A session is alive while it is not ended, younger than ``SESSION_MAX_DAYS`` and seen within its
idle limit: ``SESSION_IDLE_MINUTES``, or ``REMEMBER_DAYS`` for a remembered one. The limits are
read when the session is used, so shortening one in config.py applies to existing sessions too.

A remember token signs the browser in again when the session cookie is gone (the browser was
closed). It is used once: the selector stays, the secret and the session key are replaced. A
replaced secret that comes back later means two browsers hold the token (a stolen or copied
cookie), so the session is ended. One that comes back within ``ROTATION_GRACE`` of its
replacement is only refused: a browser restoring several tabs at once sends it in parallel.
"""

from __future__ import annotations

import enum
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, has_request_context
from flask_login import current_user

from app.accounts.models import User
from app.audit import services as audit
from app.core import clock
from app.core.models import str_enum
from app.core.pagination import FIRST_PAGE, Page, PageRequest, desc, paginate, total
from app.core.tokens import digest
from app.extensions import db

#: "Last seen" is written at most this often: a row update per request would cost more than it tells.
TOUCH_EVERY = timedelta(minutes=1)
#: How long a just-replaced remember token is refused without being taken for a stolen one.
ROTATION_GRACE = timedelta(seconds=30)


class EndReason(enum.StrEnum):
    SIGNED_OUT = "signed_out"
    ENDED = "ended"  # from Settings → Security, in this browser or another
    PASSWORD_CHANGED = "password_changed"  # by the person
    PASSWORD_RESET = "password_reset"  # by an admin, or with the command line
    DEACTIVATED = "deactivated"
    ROLE_CHANGED = "role_changed"
    REMEMBER_REUSED = "remember_reused"  # an old remember token came back
    TWO_FACTOR_RESET = "two_factor_reset"  # an admin turned off someone's two-factor sign-in
    TWO_FACTOR_ON = "two_factor_on"  # the person turned two-factor on in another browser


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """One sign-in in one browser."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        # Lists a person's sessions and ends them all: both read only the rows not ended.
        sa.Index("ix_user_sessions_user_id_ended_at", "user_id", "ended_at"),
        # The hourly clean-up finds the rows past every lifetime by their age (purge).
        sa.Index("ix_user_sessions_created_at", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    ip: so.Mapped[str] = so.mapped_column(sa.String(45), default="")  # an IPv6 address is at most 45 characters
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    remembered: so.Mapped[bool] = so.mapped_column(default=False)
    remember_selector: so.Mapped[str | None] = so.mapped_column(sa.String(16), unique=True)
    remember_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    remember_previous_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    remember_issued_at: so.Mapped[datetime | None]
    ended_at: so.Mapped[datetime | None]
    ended_reason: so.Mapped[EndReason | None] = so.mapped_column(str_enum(EndReason))
    # Signed in with a password only, while the person's role requires two-factor sign-in: the
    # session reaches nothing but the page that sets it up (app/accounts/auth.py).
    needs_two_factor: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # "Trust this browser": the hash of the browser's trust cookie, which skips the code at the
    # next sign-in until ``trusted_until``. It outlives signing out (that is its point) and moves
    # to the session it lets in; forgetting the browser, or anything that ends sessions for the
    # account's safety, clears it (:func:`forget_trusted`).
    trust_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    trusted_until: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship()

    @property
    def device(self) -> str:
        return describe_agent(self.user_agent)


@dataclass(frozen=True)
class Issued:
    """A session just started or renewed, with the secrets for its cookies (never stored)."""

    session: UserSession
    key: str
    remember_token: str | None


def _setting(name: str) -> timedelta:
    value = current_app.config[name]
    return timedelta(minutes=value) if name.endswith("MINUTES") else timedelta(days=value)


def remember_lifetime() -> timedelta:
    return _setting("REMEMBER_DAYS")


def _alive(now: datetime) -> sa.ColumnElement[bool]:
    """The one rule of which sessions still sign in, as SQL (see the module's docstring)."""
    idle_since = sa.case((UserSession.remembered, now - _setting("REMEMBER_DAYS")),
                         else_=now - _setting("SESSION_IDLE_MINUTES"))
    return sa.and_(UserSession.ended_at.is_(None), UserSession.created_at > now - _setting("SESSION_MAX_DAYS"),
                   UserSession.last_seen_at > idle_since)


def _clean(text: str, length: int) -> str:
    """A header as it may be stored and shown: printable characters only, cut to the column."""
    return "".join(ch for ch in text if ch.isprintable())[:length]


def start_session(user: User, *, remember: bool, ip: str, user_agent: str, needs_two_factor: bool = False) -> Issued:
    """A new session for ``user`` (whose password was just checked); its secrets are returned once."""
    key = secrets.token_urlsafe(32)
    record = UserSession(user=user, key_hash=digest(key), ip=_clean(ip, 45), user_agent=_clean(user_agent, 255),
                         remembered=remember, needs_two_factor=needs_two_factor)
    token = None
    if remember:
        secret = secrets.token_urlsafe(32)
        record.remember_selector = secrets.token_urlsafe(12)
        record.remember_hash, record.remember_issued_at = digest(secret), clock.now()
        token = f"{record.remember_selector}.{secret}"
    db.session.add(record)
    db.session.flush()
    return Issued(record, key, token)


def session_for_key(key: str) -> UserSession | None:
    """The live session of an active user with this key, its user loaded with it (one query)."""
    now = clock.now()
    query = (sa.select(UserSession).join(UserSession.user).options(so.contains_eager(UserSession.user))
             .where(UserSession.key_hash == digest(key), User.active, _alive(now)))
    record = db.session.scalar(query)
    if record is not None and now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
    return record


def restore_remembered(token: str, *, ip: str, user_agent: str) -> Issued | None:
    """The session a remember token keeps, with a new key and token; None if the token is refused.

    A token replaced more than ``ROTATION_GRACE`` ago, or a wrong secret, ends the session (see the
    module's docstring).
    """
    selector, _, secret = token.partition(".")
    if not selector or not secret:
        return None
    now = clock.now()
    query = (sa.select(UserSession).join(UserSession.user).options(so.contains_eager(UserSession.user))
             .where(UserSession.remember_selector == selector, User.active, _alive(now)))
    record = db.session.scalar(query)
    if record is None or record.remember_hash is None:
        return None
    if record.remember_issued_at is None or now - record.remember_issued_at > remember_lifetime():
        return None
    presented = digest(secret)
    if not hmac.compare_digest(presented, record.remember_hash):
        raced = (record.remember_previous_hash is not None and hmac.compare_digest(presented, record.remember_previous_hash)
                 and now - record.remember_issued_at <= ROTATION_GRACE)
        if not raced:
            _end(record, EndReason.REMEMBER_REUSED)
            audit.record(None, "session.remember_reused",
                         f"Ended a sign-in of {record.user.email}: its “keep me signed in” cookie came back after it "
                         "was replaced (a copied cookie)", entity="user_session", entity_id=record.id)
        return None
    key, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    # Replaced only if nobody replaced it since it was read: of two requests racing with the same
    # token, one rotates it and the other is refused as a race, instead of both rotating and the
    # loser's token later passing for a stolen one.
    rotated = db.session.execute(
        sa.update(UserSession).where(UserSession.id == record.id, UserSession.remember_hash == record.remember_hash)
        .values(key_hash=digest(key), remember_hash=digest(secret), remember_previous_hash=record.remember_hash,
                remember_issued_at=now, last_seen_at=now, ip=_clean(ip, 45), user_agent=_clean(user_agent, 255))
        .execution_options(synchronize_session="fetch")
    ).rowcount  # type: ignore[attr-defined]
    if rotated != 1:
        return None
    return Issued(record, key, f"{selector}.{secret}")


def current_session() -> UserSession | None:
    """The session this request is signed in with; None outside a request, signed out or with an API token."""
    if not has_request_context():
        return None
    current_user._get_current_object()  # loading the user is what finds (and remembers) its session
    found: UserSession | None = g.get("user_session")
    return found


def _end(record: UserSession, reason: EndReason) -> None:
    """Signing out keeps the browser's trust (it is for the next sign-in); any other end forgets it."""
    if record.ended_at is None:
        record.ended_at, record.ended_reason = clock.now(), reason
    if reason is not EndReason.SIGNED_OUT:
        record.trust_hash = record.trusted_until = None


def end_session(record: UserSession, reason: EndReason = EndReason.ENDED) -> None:
    """End one session: its cookie and its remember token stop working at once, everywhere."""
    _end(record, reason)
    db.session.flush()


def end_sessions(user: User, *, except_current: bool = True, reason: EndReason, keep: UserSession | None = None) -> int:
    """End every session of ``user`` but ``keep``; with ``except_current`` (and no ``keep``), not the
    one this request is signed in with (when it is theirs): who changes their own password stays
    signed in here. Returns how many."""
    keep = keep or (current_session() if except_current else None)
    query = (sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
             .values(ended_at=clock.now(), ended_reason=reason))
    if keep is not None and keep.user_id == user.id:
        query = query.where(UserSession.id != keep.id)
    ended: int = db.session.execute(query.execution_options(synchronize_session="fetch")).rowcount  # type: ignore[attr-defined]
    # "Sign out everywhere else" keeps this browser's trust; a password change forgets every one.
    forget_trusted(user, keep=keep if reason is EndReason.ENDED else None)
    return ended


def forget_trusted(user: User, *, keep: UserSession | None = None) -> int:
    """Every browser of ``user`` trusted to skip the code must type one again (but ``keep``'s).
    Returns how many were trusted."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.trust_hash.is_not(None))
    if keep is not None and keep.user_id == user.id:
        query = query.where(UserSession.id != keep.id)
    query = query.values(trust_hash=None, trusted_until=None).execution_options(synchronize_session="fetch")
    forgotten: int = db.session.execute(query).rowcount  # type: ignore[attr-defined]
    return forgotten


def end_other_sessions(user: User) -> int:
    """Settings → Security: "sign out everywhere else"."""
    ended = end_sessions(user, except_current=True, reason=EndReason.ENDED)
    if ended:
        audit.record(user, "session.ended", f"Ended {ended} other sign-in{'s' if ended != 1 else ''}",
                     entity="user", entity_id=user.id)
    return ended


def end_own_session(user: User, record: UserSession) -> None:
    """Settings → Security: end one of one's own sessions."""
    end_session(record, EndReason.ENDED)
    audit.record(user, "session.ended", f"Ended the sign-in from {record.device}",
                 entity="user_session", entity_id=record.id)


_LIST_ORDER = [desc(UserSession.last_seen_at), desc(UserSession.id)]


def _live_of(user: User) -> sa.Select[tuple[UserSession]]:
    return sa.select(UserSession).where(UserSession.user_id == user.id, _alive(clock.now()))


def live_sessions(user: User, asked: PageRequest = FIRST_PAGE) -> Page[UserSession]:
    """A page of ``user``'s live sessions, the most recently used first."""
    return paginate(_live_of(user), _LIST_ORDER, asked)


def count_live_sessions(user: User) -> int:
    return total(_live_of(user))


def live_session_of(user: User, session_id: int) -> UserSession | None:
    """``user``'s own live session with this id; anyone else's (or an ended one) is None."""
    return db.session.scalar(_live_of(user).where(UserSession.id == session_id))


def limits_in_words() -> dict[str, str]:
    """The three limits, as the security page states them ("12 hours", "30 days")."""
    return {"idle": _words(_setting("SESSION_IDLE_MINUTES")), "remember": _words(_setting("REMEMBER_DAYS")),
            "max_age": _words(_setting("SESSION_MAX_DAYS"))}


def _words(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"


# --- what the list shows ------------------------------------------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), (re.compile(r"iPhone|iPad|iPod"), "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_agent(agent: str) -> str:
    """'Firefox on Linux' from a User-Agent header, as a person recognises their own devices."""
    def first(table: tuple[tuple[str | re.Pattern[str], str], ...]) -> str:
        for needle, name in table:
            if (needle.search(agent) if isinstance(needle, re.Pattern) else needle in agent):
                return name
        return ""

    browser, system = first(_BROWSERS), first(_SYSTEMS)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or (agent[:60] if agent else "Unknown browser")


#: How long a session's row outlives its longest possible life (``SESSION_MAX_DAYS``): the sign-ins of
#: the past weeks stay readable for an investigation, with the audit trail beside them.
KEPT_AFTER_END = timedelta(days=7)
#: Rows deleted at most per clean-up: each run stays short, and the next one takes the rest.
PURGE_BATCH = 10_000


def purge(now: datetime) -> int:
    """Delete the sessions past every lifetime whose browser is no longer trusted; how many went.

    Any session is dead ``SESSION_MAX_DAYS`` after it began, ended or not, so age alone finds them
    (``ix_user_sessions_created_at``). A trusted browser's mark lives on its last session until
    ``trusted_until``, beyond that session's end, so such a row stays until then.
    """
    doomed = (sa.select(UserSession.id)
              .where(UserSession.created_at < now - _setting("SESSION_MAX_DAYS") - KEPT_AFTER_END,
                     sa.or_(UserSession.trusted_until.is_(None), UserSession.trusted_until < now))
              .limit(PURGE_BATCH))
    return db.session.execute(sa.delete(UserSession).where(UserSession.id.in_(doomed.scalar_subquery()))).rowcount
