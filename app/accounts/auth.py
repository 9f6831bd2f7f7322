"""How a request is tied to a user: the session cookie, or ``Authorization: Bearer <token>``."""

from __future__ import annotations

from flask import Flask, Request

from app.accounts.models import User
from app.accounts.services import user_for_token
from app.core.forms import record_id
from app.extensions import db, login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, record_id(user_id))
    except ValueError:  # the session is signed, so only a cookie from an older format gets here
        return None
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_request(request: Request) -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = user_for_token(token.strip())
    if user is not None and db.session.dirty:
        db.session.commit()  # last_used_at, at most every few minutes
    return user
