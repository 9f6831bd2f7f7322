"""Whose API token, session or trusted browser is whose: someone else's is simply not found."""

from __future__ import annotations

from flask import abort

from app.accounts import sessions, twofactor
from app.accounts.models import ApiToken, User
from app.extensions import db


def token_or_404(user: User, token_id: int) -> ApiToken:
    """``user``'s own token; anyone else's (an admin's too) is a 404, as a link or a notification is."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        abort(404)
    return token


def session_or_404(user: User, session_id: int) -> sessions.UserSession:
    """``user``'s own live session; anyone else's, or one already ended, is a 404."""
    return sessions.live_session_of(user, session_id) or abort(404)


def trusted_browser_or_404(user: User, session_id: int) -> sessions.UserSession:
    """A browser ``user`` trusts to skip the code; anyone else's, or one no longer trusted, is a 404."""
    return twofactor.trusted_browser_of(user, session_id) or abort(404)
