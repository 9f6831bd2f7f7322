"""Forgotten passwords: a single-use, short-lived link by email, through the outbox.

Asking for a link answers the same whether or not an account has the email, and it is throttled
first (``signin.reset_request_refusal``). For an active account it writes a ``password_resets``
row and an outbox row (:mod:`app.accounts.outbox`, served by notifications) in the request's
transaction; the email is built when the outbox sends it. The link carries a token derived from
the row's random ``secret`` with ``SECRET_KEY``; the table keeps the token's SHA-256 to find the
row, so neither a copy of the table nor of the secret key alone opens a link.

A link works once, for ``PASSWORD_RESET_MINUTES``, while the account is active. Using it sets the
new password (the same rules as everywhere), ends every other link of the person and every session
of theirs (the reset happens signed out: each browser signs in again with the new password), and
signs nobody in: the email proves only that someone reads the mailbox, so the sign-in page, with
its throttling, stays the one way in. Any other password change ends the open links too.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.accounts import outbox, services, signin
from app.accounts.models import PasswordReset, User
from app.accounts.sessions import EndReason, end_sessions
from app.audit import services as audit
from app.core import clock
from app.core.errors import InvalidInput
from app.core.tokens import digest, keyed, secret_keys
from app.extensions import db

#: The outbox row's kind; app/notifications/emails.py builds its email from the reset row.
EMAIL_KIND = "password_reset"
EMAIL_SUBJECT = "Reset your Countersign password"
#: The one answer to every request that is not refused.
SENT = "If an account has this address, an email is on its way with a link to set a new password."


def lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def _token(secret: str, key: str | None = None) -> str:
    return base64.urlsafe_b64encode(keyed("password-reset", secret, key)).rstrip(b"=").decode()


def request_reset(email: str, address: str) -> signin.Refusal | None:
    """Someone asks for a reset link for ``email``: a refusal while throttled, else None whether or
    not the email has an account (the caller commits; the email leaves after the commit)."""
    if (refusal := signin.reset_request_refusal(email, address)) is not None:
        return refusal
    user = services.find_by_email(email)
    if user is None or not user.active:
        return None
    secret = secrets.token_urlsafe(32)
    notification_id = outbox.send(user, EMAIL_KIND, EMAIL_SUBJECT)
    reset = PasswordReset(user=user, secret=secret, token_hash=digest(_token(secret)), address=address[:45],
                          notification_id=notification_id, expires_at=clock.now() + lifetime())
    db.session.add(reset)
    db.session.flush()
    audit.record(None, "password.reset_requested", f"Sent a password reset link to {user.email} (asked from {address})",
                 entity="user", entity_id=user.id, details={"address": address})
    return None


def link_for_email(notification_id: int) -> str | None:
    """The path of the link the outbox row ``notification_id`` carries; None once the link has ended
    (used, or the password changed), so an email retried late sends no dead link."""
    reset = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.notification_id == notification_id))
    if reset is None or reset.secret is None or reset.ended_at is not None:
        return None
    # The token whose hash was stored: made with the SECRET_KEY of the request, which a rotation since
    # may have moved to SECRET_KEY_FALLBACKS (a link made with no key still accepted opens nothing).
    tokens = (_token(reset.secret, key) for key in secret_keys())
    token = next((t for t in tokens if digest(t) == reset.token_hash), None)
    return f"/password/reset/{token}" if token is not None else None


def find(token: str) -> PasswordReset | None:
    """The open, unexpired link with this token, of an active account."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(PasswordReset).join(PasswordReset.user).options(so.contains_eager(PasswordReset.user))
        .where(PasswordReset.token_hash == digest(token), PasswordReset.ended_at.is_(None),
               PasswordReset.expires_at > clock.now(), User.active)
    )


def complete(reset: PasswordReset, password: str, address: str) -> User:
    """Set the new password through the link ``reset`` (once): every session of the person ends."""
    user = reset.user
    if problems := services.check_password_rules(password, email=user.email, name=user.name):
        raise InvalidInput("The password was not changed.", {"password": problems})
    # Taken only if still open: of two requests with the same link, one sets the password.
    taken = db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.ended_at.is_(None))
        .values(ended_at=clock.now(), ended_reason="used", secret=None).execution_options(synchronize_session="fetch")
    ).rowcount  # type: ignore[attr-defined]
    if taken != 1:
        raise InvalidInput("This link was used already.", {"password": ["This link was used already."]})
    user.set_password(password)
    services.end_reset_links(user, "password_changed")
    end_sessions(user, except_current=False, reason=EndReason.PASSWORD_RESET)
    audit.record(user, "password.reset", f"{user.email} set a new password with a reset link (from {address})",
                 entity="user", entity_id=user.id, details={"address": address})
    db.session.flush()
    return user


#: How long an expired or used reset link's row is kept (its email went out long before).
KEPT_AFTER_EXPIRY = timedelta(days=7)


def purge(now: datetime) -> int:
    """Delete the reset links that expired a week ago or more; how many went (the audit trail keeps the story)."""
    return db.session.execute(
        sa.delete(PasswordReset).where(PasswordReset.expires_at < now - KEPT_AFTER_EXPIRY)).rowcount
