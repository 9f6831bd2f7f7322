"""Who reads the published catalog (a working publishing token), who manages the tokens (admins),
and finding a token by the id in a URL.

A token is read from ``Authorization: Bearer``; the sales sheet also takes ``?token=``, for an
intranet link, where no header can be set (app/logs.py keeps it out of every log). Unknown,
revoked and malformed tokens are one answer, never telling which, and count against the
sender's address as an unknown API token does (a locked address gets 429 with ``Retry-After``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_login import current_user

from app.accounts import signin
from app.accounts.auth import client_address
from app.extensions import db
from app.publishing import services
from app.publishing.models import PublishingToken


@dataclass(frozen=True)
class Refused:
    """Why the request reads nothing: 401 (no working token) or 429 (its address is locked)."""

    status: int
    message: str
    headers: dict[str, str]


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def reader(*, query: bool = False) -> PublishingToken | Refused:
    """The working token of this request (the bearer header, or with ``query`` also ``?token=``), its
    last use noted (and committed: a read commits nothing else), or why not."""
    presented = _bearer()
    in_query = presented is None and query and bool(request.args.get("token"))
    # A bearer header was checked against the address's lock before any view (accounts.auth); ?token= was not.
    if in_query and (refusal := signin.token_refusal(client_address())) is not None:
        return Refused(429, refusal.message, refusal.headers)
    presented = request.args.get("token") if in_query else presented
    if presented is None:
        return Refused(401, "Send Authorization: Bearer <publishing token>.", {})
    token = services.token_for(presented, client_address())
    if db.session.dirty or db.session.new:
        db.session.commit()  # last use (at most once a minute), or the failure counted and audited
    if token is None:
        return Refused(401, "That publishing token opens nothing: it is unknown or revoked.", {})
    return token


def require_manager() -> None:
    """Pages for admins only: to anyone else they are not found."""
    if not current_user.is_authenticated or not services.may_manage(current_user):
        abort(404)


def token_or_404(token_id: int) -> PublishingToken:
    token = db.session.get(PublishingToken, token_id)
    return token if token is not None else abort(404)
