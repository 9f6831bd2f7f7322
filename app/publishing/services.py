"""Publishing tokens: making, listing and revoking them, and finding the one a request presents.

An admin makes a token for each system that shows the catalog; the token is returned once and
only its secret's SHA-256 is kept (``app.core.tokens``). A revoked token, an unknown one and a
malformed one all end the same way (``token_for`` returns None), and an unknown one counts
against the sender's address like an unknown API token, so guessing is throttled the same way.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts import signin
from app.accounts.models import User
from app.audit import services as audit
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, paginate
from app.core.tokens import digest
from app.extensions import db
from app.publishing.models import PublishingToken

#: Every publishing token starts so: whoever finds one in a config file knows what it opens.
PREFIX = "cspub_"
#: The selector finds the row; it is not secret (16 URL-safe characters from 12 random bytes).
SELECTOR_LENGTH = 16
#: The secret: 256 bits from the operating system's CSPRNG (43 URL-safe characters).
SECRET_BYTES = 32
TOKEN_LENGTH = len(PREFIX) + SELECTOR_LENGTH + 43

#: How often "last used" is written: a widget may fetch on every page view, and each write costs a commit.
TOUCH_EVERY = timedelta(minutes=1)

#: Compared against when no row matches, so an unknown selector costs the same as a wrong secret.
_NO_HASH = digest(secrets.token_urlsafe(SECRET_BYTES))


def may_manage(user: User) -> bool:
    """Admins make and revoke tokens: a token hands the whole catalog, minimum prices included, to
    another system and everyone who uses it, which is the organisation's call, not one product's."""
    return user.is_admin


def create_token(actor: User, name: str) -> tuple[PublishingToken, str]:
    """Make a token named ``name``; the token is returned once, here, and never stored."""
    if not may_manage(actor):
        raise NotAllowed("Only an admin publishes the catalog.")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("The token was not made.", {"name": ["Say who reads with it, e.g. “Intranet”."]})
    if len(name) > 80:
        raise InvalidInput("The token was not made.", {"name": ["Keep the name within 80 characters."]})
    selector = secrets.token_urlsafe(12)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = PublishingToken(name=name, selector=selector, secret_hash=digest(secret), created_by=actor)
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "publishing.token_created", f"Made publishing token “{name}”",
                 entity="publishing_token", entity_id=token.id)
    return token, PREFIX + selector + secret


def revoke_token(actor: User, token: PublishingToken) -> PublishingToken:
    """Revoke ``token``: from the next request on it opens nothing. Revoking twice changes nothing."""
    if not may_manage(actor):
        raise NotAllowed("Only an admin revokes publishing tokens.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.revoked_by = actor
        audit.record(actor, "publishing.token_revoked", f"Revoked publishing token “{token.name}”",
                     entity="publishing_token", entity_id=token.id)
    return token


def tokens(asked: PageRequest = FIRST_PAGE) -> Page[PublishingToken]:
    """A page of every token, working ones first, newest first, with who made and revoked them."""
    query = sa.select(PublishingToken).options(
        so.joinedload(PublishingToken.created_by), so.joinedload(PublishingToken.revoked_by))
    return paginate(query, [asc(PublishingToken.revoked_at.is_not(None)), desc(PublishingToken.created_at),
                            desc(PublishingToken.id)], asked)


def token_for(presented: str, address: str) -> PublishingToken | None:
    """The working token ``presented`` is, or None (counted against ``address`` as an unknown token)."""
    token = _lookup(presented)
    if token is None:
        signin.token_failed(address)
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return token


def _lookup(presented: str) -> PublishingToken | None:
    body = presented.removeprefix(PREFIX)
    if len(presented) != TOKEN_LENGTH or body == presented or not presented.isascii():
        return None
    selector, secret = body[:SELECTOR_LENGTH], body[SELECTOR_LENGTH:]
    token = db.session.scalar(sa.select(PublishingToken).where(PublishingToken.selector == selector))
    matches = hmac.compare_digest(token.secret_hash if token else _NO_HASH, digest(secret))
    return token if token is not None and matches and token.revoked_at is None else None
