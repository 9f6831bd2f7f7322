"""How a request is tied to a user: a session (the session cookie, or the remember cookie that
renews it), or ``Authorization: Bearer <token>``.

Flask's signed session cookie carries the key of a row of ``user_sessions`` where Flask-Login
keeps ``_user_id`` (never the user's id), beside the CSRF token and the flashed messages, so none
of those change. Flask-Login's own remember cookie (``<user id>|HMAC``, the same on every sign-in)
is not used: "keep me signed in" is a token of the session's own in ``REMEMBER_COOKIE``, read by
the request loader when the session cookie brings no live session.

With two-factor sign-in on, the password alone signs nobody in: it leaves a *pending* sign-in in
the (signed) session cookie, good for ``PENDING_MINUTES`` and for that password only, which the
code page completes (:func:`pending_user`, :func:`complete_sign_in`). A browser trusted to skip
the code carries ``TRUST_COOKIE``. A session of someone whose role requires two-factor but who
has not set it up reaches only the set-up page (:func:`_confine_to_setup`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, Request, current_app, flash, g, redirect, request, session, url_for
from flask_login import COOKIE_NAME as LEGACY_REMEMBER_COOKIE
from flask_login import login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from app.accounts import sessions, signin, twofactor
from app.accounts.models import User
from app.accounts.services import user_for_token
from app.core import clock
from app.core.tokens import digest
from app.errors import json_error
from app.extensions import db, login_manager

REMEMBER_COOKIE = "countersign_remember"
TRUST_COOKIE = "countersign_trusted"
#: How long the code page waits for the code after the password was right.
PENDING_MINUTES = 5
_PENDING = "pending_signin"
#: What a session confined to setting up two-factor may still reach.
_OPEN_WHILE_CONFINED = {"accounts.two_factor_setup", "accounts.logout", "static"}


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    if proxies := int(app.config.get("TRUSTED_PROXIES", 0)):
        # Behind a reverse proxy every request comes from the proxy, over plain http: take the client
        # address, scheme, host and port from the X-Forwarded-* entries the trusted proxies added, never
        # from ones the client wrote (so https links, Secure cookies' redirects and throttling per client
        # address hold). With no proxy configured the headers are ignored: a client could write them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies, x_port=proxies)
    app.before_request(_refuse_throttled_tokens)
    app.before_request(_confine_to_setup)
    app.after_request(_write_cookies)


#: Endpoints that read a bearer token of their own (the published catalog's publishing tokens): it is
#: no person's API token, so the request loader neither looks it up as one nor counts it as unknown.
_OWN_BEARER: set[str] = set()


def own_bearer(*endpoints: str) -> None:
    """Leave the bearer token of requests to ``endpoints`` to their views (a feature says so at start-up)."""
    _OWN_BEARER.update(endpoints)


#: Endpoints no person signs in to (health checks, metrics): polled every few seconds by machines.
_LEFT_ALONE: set[str] = set()


def leave_alone(*endpoints: str) -> None:
    """Neither look up a session or a token for ``endpoints``, nor throttle nor confine their requests:
    a load balancer's probe costs no query, and a metrics scraper's bearer token is the view's own."""
    _LEFT_ALONE.update(endpoints)
    own_bearer(*endpoints)


def client_address() -> str:
    """The address sign-in and token failures are counted against."""
    return request.remote_addr or "unknown"


def _bearer(req: Request) -> str | None:
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _refuse_throttled_tokens() -> tuple[Response, int, dict[str, str]] | None:
    """A token from an address locked for sending unknown ones is refused unchecked, as a JSON 429."""
    if request.endpoint in _LEFT_ALONE:
        return None
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
        return None if request.endpoint in _OWN_BEARER else _user_from_token(token)
    if request.headers.get("Authorization"):
        return None  # another scheme: not a session's remember cookie either
    remembered = request.cookies.get(REMEMBER_COOKIE)
    return _restore(remembered) if remembered else None


def _user_from_token(token: str) -> User | None:
    user = user_for_token(token)
    if user is None:
        signin.token_failed(client_address())
        db.session.commit()  # counted and audited whatever the request does next
    else:
        if db.session.dirty:
            db.session.commit()  # last_used_at, at most every few minutes
        g.token_owes_two_factor = twofactor.needs_setting_up(user)
    return user


def _confine_to_setup() -> Response | tuple[Response, int] | None:
    """A session signed in with a password alone while the role requires two-factor reaches only
    the set-up page (and signing out); to the API it is no sign-in (401), and neither is an API
    token of someone who owes the set-up."""
    if request.endpoint in _OPEN_WHILE_CONFINED or request.endpoint in _LEFT_ALONE or request.endpoint is None:
        return None
    record = sessions.current_session()  # loads the user: from the session, or from a token
    owed = record.needs_two_factor if record is not None else g.get("token_owes_two_factor", False)
    if not owed:
        return None
    if (request.blueprint or "").startswith("api_"):
        return json_error(401, "two_factor_required", "Your role requires two-factor sign-in: set it up in "
                          "Settings → Security first.")
    flash("Your role requires two-factor sign-in. Set it up to continue.", "info")
    return redirect(url_for("accounts.two_factor_setup"))


def after_password(user: User, *, remember: bool) -> bool:
    """``user`` typed the right password: sign in (True), or wait for a code first (False).

    A browser trusted to skip the code signs in at once, and its trust moves to the new session.
    """
    if not twofactor.is_on(user):
        sign_in(user, remember=remember, needs_two_factor=twofactor.is_required(user))
        return True
    trusted = _trusted_session(user)
    if trusted is not None:
        sign_in(user, remember=remember)
        g.trust_cookie = twofactor.move_trust(trusted, g.user_session)
        return True
    if request.cookies.get(TRUST_COOKIE):
        g.trust_cookie = ""  # forgotten, expired or someone else's: drop it
    session.clear()
    session[_PENDING] = {"user": user.id, "remember": remember, "at": clock.now().isoformat(),
                         "password": _password_mark(user)}
    return False


def _password_mark(user: User) -> str:
    """Ties a pending sign-in to the password it proved: a reset in between voids it."""
    return digest(user.password_hash)[:16]


def pending_user() -> User | None:
    """Who typed the right password in this browser in the last ``PENDING_MINUTES``, awaiting a code."""
    pending = session.get(_PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        since = datetime.fromisoformat(pending["at"])
        user = db.session.get(User, int(pending["user"]))
    except (KeyError, TypeError, ValueError):
        return None
    if (user is None or not user.active or pending.get("password") != _password_mark(user)
            or not timedelta(0) <= clock.now() - since <= timedelta(minutes=PENDING_MINUTES)):
        return None
    return user


def _trusted_session(user: User) -> sessions.UserSession | None:
    """``user``'s session whose trust this browser's cookie carries, while the trust holds."""
    token = request.cookies.get(TRUST_COOKIE)
    return twofactor.trusted_session(user, token) if token else None


def trusted_here(user: User) -> int | None:
    """The id of the session whose trust this browser carries, if any (the security page marks it)."""
    trusted = _trusted_session(user)
    return trusted.id if trusted is not None else None


def forget_pending() -> None:
    session.pop(_PENDING, None)


def complete_sign_in(user: User, *, trust: bool) -> None:
    """The pending sign-in's code was right: sign in as the password step asked, trusting this
    browser from now on if the person ticked it."""
    remember = bool(session.get(_PENDING, {}).get("remember"))
    sign_in(user, remember=remember)
    if trust:
        g.trust_cookie = twofactor.trust(g.user_session)


def sign_in(user: User, *, remember: bool, needs_two_factor: bool = False) -> None:
    """Start a session for ``user``, whose password (and code) was just checked, in this browser."""
    issued = sessions.start_session(user, remember=remember, ip=request.remote_addr or "",
                                    user_agent=request.user_agent.string, needs_two_factor=needs_two_factor)
    signin.forget_failures(user)
    session.clear()  # a fresh session on sign-in: no fixation (and no pending sign-in left)
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


def _write_cookies(response: Response) -> Response:
    """Set the remember and trust cookies a sign-in or a renewal issued this request, or drop refused ones."""
    config = current_app.config
    flags = {"secure": config.get("REMEMBER_COOKIE_SECURE", False), "httponly": True,
             "samesite": config.get("REMEMBER_COOKIE_SAMESITE", "Lax")}
    for name, value, lifetime in (
        (REMEMBER_COOKIE, g.pop("remember_cookie", None), sessions.remember_lifetime),
        (TRUST_COOKIE, g.pop("trust_cookie", None), twofactor.trust_lifetime),
    ):
        if value:
            response.set_cookie(name, value, max_age=int(lifetime().total_seconds()), **flags)
        elif value is not None:
            response.delete_cookie(name, **flags)
    if LEGACY_REMEMBER_COOKIE in request.cookies:
        # Issued before sessions were kept; it no longer signs anyone in, and while the browser
        # sends it Flask-Login would not look at REMEMBER_COOKIE.
        response.delete_cookie(LEGACY_REMEMBER_COOKIE)
    return response
