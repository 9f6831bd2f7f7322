"""How a request is tied to a user: the session cookie, or ``Authorization: Bearer <token>``."""

from __future__ import annotations

from flask import Flask, Request, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.accounts import signin
from app.accounts.models import User
from app.accounts.services import user_for_token
from app.core.forms import record_id
from app.errors import json_error
from app.extensions import db, login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    if proxies := int(app.config.get("TRUSTED_PROXIES", 0)):
        # Behind a reverse proxy every request comes from the proxy: take the client address from
        # the X-Forwarded-For entries the trusted proxies added, never from ones the client wrote.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.before_request(_refuse_throttled_tokens)


def client_address() -> str:
    """The address sign-in and token failures are counted against."""
    return request.remote_addr or "unknown"


def _bearer(req: Request) -> str | None:
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _refuse_throttled_tokens() -> tuple[Response, int, dict[str, str]] | None:
    """A token from an address locked for sending unknown ones is refused unchecked, as a JSON 429."""
    if _bearer(request) is None or (refusal := signin.token_refusal(client_address())) is None:
        return None
    response, status = json_error(429, "too_many_requests", refusal.message)
    return response, status, refusal.headers


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, record_id(user_id))
    except ValueError:  # the session is signed, so only a cookie from an older format gets here
        return None
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_request(request: Request) -> User | None:
    token = _bearer(request)
    if token is None:
        return None
    user = user_for_token(token)
    if user is None:
        signin.token_failed(client_address())
        db.session.commit()  # counted and audited whatever the request does next
    elif db.session.dirty:
        db.session.commit()  # last_used_at, at most every few minutes
    return user
