"""Rotating SECRET_KEY without signing everyone out: the old key moves to SECRET_KEY_FALLBACKS, and
whatever was signed or derived with it is still accepted, while everything new uses the new key.
Without the fallback each of these breaks, which is what the fallback is for (docs/operations.md)."""

from __future__ import annotations

import pytest
from flask import Flask, session
from flask_wtf.csrf import validate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms.validators import ValidationError

from app import create_app
from app.accounts import resets, twofactor
from app.accounts.sessions import start_session
from app.extensions import db
from app.notifications import emails
from tests.authenticator import code

OLD, NEW = "testing", "a-new-key-of-forty-characters-or-more-00"


@pytest.fixture
def rotate(configure):
    """``rotate(keep_old=True)``: SECRET_KEY becomes NEW, the old one a fallback (or forgotten)."""

    def change(keep_old: bool = True) -> None:
        configure(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD] if keep_old else [])

    return change


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_signed_in_browser_stays_signed_in(app, login, people, rotate, keep_old):
    browser = login(people["pm"])
    assert browser.get("/").status_code == 200
    rotate(keep_old)
    answer = browser.get("/")
    if keep_old:
        assert answer.status_code == 200
        # Its cookie is signed with the new key from the next response on, so the old key can go later.
        rotate(keep_old=False)
        assert browser.get("/").status_code == 200
    else:
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize("keep_old", [True, False])
def test_an_emails_unsubscribe_link_keeps_working(app, people, rotate, keep_old):
    token = emails.preferences_token(people["team"].id, "reminders")
    rotate(keep_old)
    found = emails.read_preferences_token(token)
    assert found == ((people["team"].id, "reminders") if keep_old else None)
    # New links are signed with the new key alone.
    fresh = emails.preferences_token(people["team"].id, "reminders")
    assert fresh != token
    assert emails.read_preferences_token(fresh) == (people["team"].id, "reminders")


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_reset_link_asked_for_before_the_rotation_is_sent_and_opens(app, people, rotate, configure, keep_old):
    configure(JOBS_INLINE=False)  # the email waits in the outbox, as when no worker has sent it yet
    assert resets.request_reset(people["pm"].email, "10.0.0.7") is None
    db.session.commit()
    reset = db.session.scalars(db.select(resets.PasswordReset)).one()
    rotate(keep_old)
    link = resets.link_for_email(reset.notification_id)
    if keep_old:
        assert link is not None and resets.find(link.rsplit("/", 1)[1]) == reset
    else:
        assert link is None  # no dead link is sent


@pytest.mark.parametrize("keep_old", [True, False])
def test_an_authenticator_set_up_before_the_rotation_keeps_its_codes(app, people, rotate, clock, keep_old):
    user = people["pm"]
    here = start_session(user, remember=False, ip="192.0.2.1", user_agent="Firefox").session
    key = twofactor.begin(user, here).key
    twofactor.confirm(user, here, code(key))
    db.session.commit()
    rotate(keep_old)
    clock.advance(seconds=60)
    assert twofactor.verify(user, code(key)) == ("app" if keep_old else None)


def test_a_new_authenticator_gets_a_key_from_the_new_secret(app, people, rotate):
    user = people["pm"]
    here = start_session(user, remember=False, ip="192.0.2.1", user_agent="Firefox").session
    before = twofactor.begin(user, here).key
    rotate()
    assert twofactor.begin(user, here).key != before  # the same seed, derived with SECRET_KEY now


def _rotated_app(app: Flask, fallbacks: list[str]) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": NEW,
                       "SECRET_KEY_FALLBACKS": fallbacks, "WTF_CSRF_ENABLED": True})


@pytest.mark.parametrize("keep_old", [True, False])
def test_a_form_loaded_before_the_rotation_still_posts(app, keep_old):
    rotated = _rotated_app(app, [OLD] if keep_old else [])
    with rotated.test_request_context("/"):
        session["csrf_token"] = "raw-token-of-this-session"
        signed_before = URLSafeTimedSerializer(OLD, salt="wtf-csrf-token").dumps("raw-token-of-this-session")
        if keep_old:
            validate_csrf(signed_before)
        else:
            with pytest.raises(ValidationError):
                validate_csrf(signed_before)


def test_the_proxy_headers_count_only_when_trusted_proxies_says_how_many(app):
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "countersign.example.com"}
    seen = {}
    for proxies in (0, 1):
        built = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "TRUSTED_PROXIES": proxies})

        @built.get("/echo")
        def echo() -> dict[str, str]:
            from flask import request

            return {"scheme": request.scheme, "host": request.host, "address": request.remote_addr or ""}

        seen[proxies] = built.test_client().get("/echo", headers=forwarded).json
    assert seen[0] == {"scheme": "http", "host": "localhost", "address": "127.0.0.1"}
    assert seen[1] == {"scheme": "https", "host": "countersign.example.com", "address": "203.0.113.9"}
