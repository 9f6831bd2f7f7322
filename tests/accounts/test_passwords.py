"""Password self-service: the rules, changing one's own password, and a forgotten one reset by an
emailed link (the request, the email in the outbox, the link's page)."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts import resets, services
from app.accounts.models import PasswordReset, User
from app.accounts.passwords import MIN_LENGTH, common_passwords, password_problems
from app.accounts.sessions import EndReason
from app.audit.models import AuditEvent
from app.core.errors import InvalidInput
from app.extensions import db
from app.notifications.emails import notification_email
from app.notifications.models import Notification
from tests.accounts.test_sessions import PHONE, browser, is_signed_in, live, reasons, sign_in
from tests.factories import PASSWORD
from tests.fixtures.clients import RequestClient

NEW = "a long and uncommon sentence"


def actions(user: User) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity == "user",
                                                                      AuditEvent.entity_id == user.id)))


def signs_in(app: Flask, email: str, password: str) -> bool:
    return browser(app).post("/login", data={"email": email, "password": password}).status_code == 302


# --- the rules ------------------------------------------------------------------------------------

def test_the_rules_ask_for_length_only_and_refuse_common_passwords_and_ones_own_email_or_name():
    assert password_problems("correct horse battery") == []  # no composition rules: no digit, no capital
    assert password_problems("a" * (MIN_LENGTH - 1)) == [f"Use at least {MIN_LENGTH} characters."]
    assert password_problems("a" * MIN_LENGTH) == []
    assert len(common_passwords()) > 9_900  # 10,000 lines, a few the same once trimmed
    assert "password" in common_passwords()
    long_common = next(p for p in common_passwords() if len(p) >= MIN_LENGTH)
    assert "most common" in password_problems(long_common)[0]
    assert "most common" in password_problems(long_common.upper())[0]
    own = {"email": "pat.product@example.com", "name": "Patricia Productowner"}
    assert "your own email or name" in password_problems("Pat.Product@example.com", **own)[0]
    assert "your own email or name" in password_problems("patricia productowner", **own)[0]
    assert "your own email or name" in password_problems("PatriciaProductOwner", **own)[0]
    assert password_problems("patricia's productowner tea", **own) == []


def test_every_way_of_setting_a_password_applies_the_rules(people):
    pm = people["pm"]
    with pytest.raises(InvalidInput) as refused:
        services.set_password(people["admin"], pm, pm.email)
    assert "your own email or name" in refused.value.fields["password"][0]
    with pytest.raises(InvalidInput):
        services.change_password(pm, PASSWORD, "short")
    assert pm.check_password(PASSWORD)


# --- changing one's own password ------------------------------------------------------------------

def change(client: RequestClient, current: str, new: str, confirm: str | None = None):
    return client.post("/settings/security/password",
                       data={"current_password": current, "new_password": new, "confirm": confirm or new})


def test_changing_ones_password_needs_the_current_one(app, people):
    pm = people["pm"]
    here = sign_in(app, pm)
    page = change(here, "not my password at all", NEW)
    assert page.status_code == 200 and "That is not your current password." in page.get_data(as_text=True)
    assert "The two passwords differ." in change(here, PASSWORD, NEW, NEW + "!").get_data(as_text=True)
    assert "most common" in change(here, PASSWORD, "q1w2e3r4t5y6").get_data(as_text=True)
    db.session.expire_all()
    assert pm.check_password(PASSWORD) and len(live(pm)) == 1


def test_guessing_the_current_password_counts_like_failed_sign_ins(app, people):
    """A session left open is no way to guess the password at leisure: five wrong current passwords
    lock the account's sign-in, and then even the right one is refused unchecked."""
    pm = people["pm"]
    here = sign_in(app, pm)
    for _ in range(4):
        assert change(here, "a wrong guess!!", NEW).status_code == 200
    locked = change(here, "a wrong guess!!", NEW)
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert change(here, PASSWORD, NEW).status_code == 429  # the right one, refused while locked
    db.session.expire_all()
    assert pm.check_password(PASSWORD)
    assert actions(pm).count("signin.failed") == 5 and "signin.locked" in actions(pm)


def test_changing_ones_password_ends_every_other_sign_in_and_keeps_this_one(app, people):
    pm = people["pm"]
    here, there, phone = sign_in(app, pm), sign_in(app, pm), sign_in(app, pm, agent=PHONE, remember=True)
    response = change(here, PASSWORD, NEW)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/security")
    assert is_signed_in(here) and not is_signed_in(there) and not is_signed_in(phone)
    db.session.expire_all()
    assert pm.check_password(NEW) and len(live(pm)) == 1 and EndReason.PASSWORD_CHANGED in reasons(pm)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_id == pm.id,
                                                          AuditEvent.action == "user.updated"))
    assert event is not None and event.summary == "Changed their password" and event.actor_id == pm.id
    assert signs_in(app, pm.email, NEW) and not signs_in(app, pm.email, PASSWORD)


def test_the_security_page_has_the_form(app, people):
    page = sign_in(app, people["pm"]).get("/settings/security").get_data(as_text=True)
    assert "Change your password" in page and 'autocomplete="current-password"' in page


# --- asking for a reset link ----------------------------------------------------------------------

def ask(client: RequestClient, email: str, address: str = "10.0.0.7"):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def reset_link(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"http://countersign\.test(/password/reset/[\w-]+)", text)
    assert found is not None, text
    return found.group(1)


def test_the_answer_is_the_same_for_known_and_unknown_emails_and_only_a_known_one_gets_an_email(app, people, outbox):
    client = browser(app)
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    known = ask(client, people["pm"].email.upper())
    unknown = ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert resets.SENT in known.get_data(as_text=True)
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert [m["To"] for m in outbox] == [f"{people['pm'].name} <{people['pm'].email}>"]
    message = outbox[0]
    assert message["Subject"] == resets.EMAIL_SUBJECT and "List-Unsubscribe" not in message
    assert "works once, for 30 minutes" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert reset_link(message) in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == resets.EMAIL_KIND))
    assert note is not None and note.email_status == "sent" and not note.in_app
    row = db.session.scalar(sa.select(PasswordReset))
    assert row is not None and row.token_hash != reset_link(message).rsplit("/", 1)[1]
    assert reset_link(message).rsplit("/", 1)[1] not in (row.secret or "")
    assert "password.reset_requested" in actions(people["pm"])


def test_an_inactive_account_gets_no_email(app, people, outbox):
    people["team"].active = False
    db.session.commit()
    assert resets.SENT in ask(browser(app), people["team"].email).get_data(as_text=True)
    assert outbox == []


def test_reset_requests_are_throttled(app, people, outbox):
    client = browser(app)
    for _ in range(5):
        assert ask(client, people["pm"].email).status_code == 200
    refused = ask(client, people["pm"].email)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Too many reset requests for this email" in refused.get_data(as_text=True)
    assert len(outbox) == 5
    # The address is limited across emails, known or not.
    for n in range(20):
        assert ask(client, f"someone{n}@example.com", address="10.9.9.9").status_code == 200
    assert ask(client, "another@example.com", address="10.9.9.9").status_code == 429


# --- the link ---------------------------------------------------------------------------------------

def requested(app: Flask, user: User, outbox: list[EmailMessage]) -> str:
    ask(browser(app), user.email)
    return reset_link(outbox[-1])


def set_new(client: RequestClient, link: str, password: str = NEW, confirm: str | None = None):
    return client.post(link, data={"password": password, "confirm": confirm or password})


def dead(response) -> bool:
    return response.status_code == 404 and "This link does not work" in response.get_data(as_text=True)


def test_the_link_sets_a_new_password_ends_every_session_and_signs_nobody_in(app, people, outbox):
    pm = people["pm"]
    here, phone = sign_in(app, pm), sign_in(app, pm, agent=PHONE, remember=True)
    link = requested(app, pm, outbox)
    page = browser(app).get(link)
    assert page.status_code == 200 and "Set a new password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    somewhere = browser(app)
    done = set_new(somewhere, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert not is_signed_in(somewhere) and not is_signed_in(here) and not is_signed_in(phone)
    db.session.expire_all()
    assert live(pm) == [] and reasons(pm) == {EndReason.PASSWORD_RESET}
    assert pm.check_password(NEW) and "password.reset" in actions(pm)
    assert signs_in(app, pm.email, NEW)
    assert dead(browser(app).get(link)) and dead(set_new(browser(app), link, "yet another long sentence"))
    db.session.expire_all()
    assert pm.check_password(NEW)


def test_a_refused_password_changes_nothing_and_keeps_the_link(app, people, outbox):
    pm = people["pm"]
    link = requested(app, pm, outbox)
    client = browser(app)
    assert "most common" in set_new(client, link, "q1w2e3r4t5y6").get_data(as_text=True)
    assert "The two passwords differ." in set_new(client, link, NEW, NEW + "?").get_data(as_text=True)
    assert "your own email or name" in set_new(client, link, pm.email).get_data(as_text=True)
    db.session.expire_all()
    assert pm.check_password(PASSWORD)
    assert set_new(client, link).status_code == 302


def test_an_expired_or_wrong_link_is_a_clear_page_and_changes_nothing(app, people, outbox, clock):
    pm = people["pm"]
    here = sign_in(app, pm)
    link = requested(app, pm, outbox)
    assert dead(browser(app).get(link[:-1]))
    assert dead(browser(app).get("/password/reset/nonsense"))
    clock.advance(minutes=30, seconds=1)
    assert dead(browser(app).get(link)) and dead(set_new(browser(app), link))
    db.session.expire_all()
    assert pm.check_password(PASSWORD) and is_signed_in(here)


def test_any_other_password_change_ends_the_open_links(app, people, outbox):
    pm = people["pm"]
    first, second = requested(app, pm, outbox), requested(app, pm, outbox)
    change(sign_in(app, pm), PASSWORD, NEW)
    assert dead(browser(app).get(first)) and dead(browser(app).get(second))
    db.session.expire_all()
    assert {r.ended_reason for r in db.session.scalars(sa.select(PasswordReset))} == {"password_changed"}
    assert all(r.secret is None for r in db.session.scalars(sa.select(PasswordReset)))


def test_using_one_link_ends_the_others(app, people, outbox):
    pm = people["pm"]
    first, second = requested(app, pm, outbox), requested(app, pm, outbox)
    assert set_new(browser(app), second).status_code == 302
    assert dead(browser(app).get(first))


def test_an_email_sent_after_its_link_ended_carries_no_link(app, people, outbox):
    pm = people["pm"]
    assert resets.request_reset(pm.email, "10.0.0.1") is None
    note = db.session.scalar(sa.select(Notification).where(Notification.kind == resets.EMAIL_KIND))
    services.end_reset_links(pm, "password_changed")
    text = notification_email(note).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "/password/reset/" not in text and "ask again" in text


def test_a_deactivated_account_cannot_use_its_link(app, people, outbox):
    pm = people["pm"]
    link = requested(app, pm, outbox)
    pm.active = False
    db.session.commit()
    assert dead(browser(app).get(link))

