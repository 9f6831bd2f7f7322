"""How a request is tied to a user: a session (the session cookie, or the remember cookie that
renews it), or ``Authorization: Bearer <token>``.

Flask's signed session cookie carries the key of a row of ``user_sessions`` where Flask-Login
keeps ``_user_id`` (never the user's id), beside the CSRF token and the flashed messages, so none
of those change. Flask-Login's own remember cookie (``<user id>|HMAC``, the same on every sign-in)
is not used: "keep me signed in" is a token of the session's own in ``REMEMBER_COOKIE``, read by
the request loader when the session cookie brings no live session.
"""

from __future__ import annotations

from flask import Flask, Request, current_app, g, request, session
from flask_login import COOKIE_NAME as LEGACY_REMEMBER_COOKIE
from flask_login import login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from app.accounts import sessions, signin
from app.accounts.models import User
from app.accounts.services import user_for_token
from app.errors import json_error
from app.extensions import db, login_manager

REMEMBER_COOKIE = "countersign_remember"


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
    app.after_request(_write_remember_cookie)


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
def load_user(key: str) -> User | None:
    record = sessions.session_for_key(key)
    if record is None:
        return None
    if db.session.dirty:
        db.session.commit()  # "last seen", at most once a minute, before the view does anything
    g.user_session = record
    return record.user


@login_manager.request_loader
def load_user_from_request(request: Request) -> User | None:
    token = _bearer(request)
    if token is not None:
        return _user_from_token(token)
    if request.headers.get("Authorization"):
        return None  # another scheme: not a session's remember cookie either
    remembered = request.cookies.get(REMEMBER_COOKIE)
    return _restore(remembered) if remembered else None


def _user_from_token(token: str) -> User | None:
    user = user_for_token(token)
    if user is None:
        signin.token_failed(client_address())
        db.session.commit()  # counted and audited whatever the request does next
    elif db.session.dirty:
        db.session.commit()  # last_used_at, at most every few minutes
    return user


def sign_in(user: User, *, remember: bool) -> None:
    """Start a session for ``user``, whose password was just checked, in this browser."""
    issued = sessions.start_session(user, remember=remember, ip=request.remote_addr or "",
                                    user_agent=request.user_agent.string)
    session.clear()  # a fresh session on sign-in: no fixation
    _attach(issued, fresh=True)


def sign_out() -> None:
    """End this browser's session (its remember token with it) and forget its cookies."""
    record = sessions.current_session()
    if record is not None:
        sessions.end_session(record, sessions.EndReason.SIGNED_OUT)
    logout_user()
    session.clear()  # nothing of the signed-in session outlives it, its CSRF token included
    g.remember_cookie = ""


def _restore(token: str) -> User | None:
    issued = sessions.restore_remembered(token, ip=request.remote_addr or "", user_agent=request.user_agent.string)
    # Committed at once: the new token must be stored before the browser holds it, and a session
    # ended for a replayed token must stay ended whatever the view does next.
    db.session.commit()
    if issued is None:
        g.remember_cookie = ""
        return None
    _attach(issued, fresh=False)
    return issued.session.user


def _attach(issued: sessions.Issued, *, fresh: bool) -> None:
    login_user(issued.session.user, fresh=fresh)
    # login_user stores the user's id; the cookie names the session instead (see the module's docstring).
    session["_user_id"] = issued.key
    g.user_session = issued.session
    if issued.remember_token is not None:
        g.remember_cookie = issued.remember_token


def _write_remember_cookie(response: Response) -> Response:
    """Set the remember cookie a sign-in or a renewal issued this request, or drop a refused one."""
    value = g.pop("remember_cookie", None)
    config = current_app.config
    flags = {"secure": config.get("REMEMBER_COOKIE_SECURE", False), "httponly": True,
             "samesite": config.get("REMEMBER_COOKIE_SAMESITE", "Lax")}
    if value:
        response.set_cookie(REMEMBER_COOKIE, value, max_age=int(sessions.remember_lifetime().total_seconds()), **flags)
    elif value is not None:
        response.delete_cookie(REMEMBER_COOKIE, **flags)
    if LEGACY_REMEMBER_COOKIE in request.cookies:
        # Issued before sessions were kept; it no longer signs anyone in, and while the browser
        # sends it Flask-Login would not look at REMEMBER_COOKIE.
        response.delete_cookie(LEGACY_REMEMBER_COOKIE)
    return response
