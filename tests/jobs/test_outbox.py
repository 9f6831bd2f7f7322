"""Delivery edge cases that need no worker: the SMTP goodbye, and an email that cannot be built."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from app.extensions import db
from app.notifications import delivery, emails, mail
from app.notifications.services import notify
from tests.jobs.helpers import SmtpSink


def _message() -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Hello", "countersign@localhost", "someone@example.com"
    message["X-Countersign-Id"] = "notification-1"
    message.set_content("Hello")
    return message


def test_a_message_the_server_accepted_is_not_refused_when_its_goodbye_fails(mail_to_sink: SmtpSink):
    mail_to_sink.quit_reply = "421 4.3.2 Service shutting down"
    mail.send(_message())  # accepted (250): a failed QUIT afterwards must not make it a refusal
    assert mail_to_sink.ids() == {"notification-1": 1}


def test_a_refusal_is_a_mail_error(mail_to_sink: SmtpSink):
    mail_to_sink.refuse = True
    with pytest.raises(mail.MailError, match="451"):
        mail.send(_message())


def test_an_email_that_cannot_be_built_is_a_failed_attempt_not_a_claim_held_forever(
        people, configure, monkeypatch: pytest.MonkeyPatch):
    configure(JOBS_INLINE=True, MAIL_TRANSPORT="memory", MAIL_RETRY_DELAYS=(60,))

    def broken(_note: object) -> EmailMessage:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(emails, "notification_email", broken)
    [note] = notify([people["team"]], "comment", "Priya commented on your campaign")
    db.session.commit()  # the delivery job runs inline, after the commit

    db.session.refresh(note)
    assert (note.email_status, note.email_attempts) == ("pending", 1)  # back in the outbox, with a backoff
    assert note.email_error == "RuntimeError: template exploded" and note.email_enqueued_at is None
    assert delivery.deliver(note.id) == "refused: RuntimeError: template exploded"  # the last attempt
    db.session.refresh(note)
    assert (note.email_status, note.email_attempts) == ("failed", 2)
