"""Email delivery: a notification's email goes out once, right after the commit that wrote it;
a refusal is retried with backoff and ends as failed, which an admin retries or discards; a
worker that dies holding a row loses nothing; a rolled-back event sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import current_app

from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput
from app.core import urls
from app.extensions import db
from app.notifications import delivery, emails, mail
from app.notifications.models import Notification
from app.notifications.services import inbox, notify
from tests.clock import TestClock
from tests.factories import RegionFactory

#: Monday 3 June 2030, noon UTC: a working day, outside anyone's default quiet hours.
NOW = datetime(2030, 6, 3, 12, 0)


class MailServer:
    """The tests' mail server: accepts everything, or refuses everything while ``refusing``."""

    def __init__(self, accept) -> None:
        self.accept = accept
        self.refusing = False

    def send(self, message) -> None:
        if self.refusing:
            raise mail.MailError("421 4.7.0 Try again later")
        self.accept(message)


@pytest.fixture
def clock(clock: TestClock) -> TestClock:
    clock.to(NOW)
    return clock


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch, outbox) -> MailServer:
    server = MailServer(mail.send)
    monkeypatch.setattr(mail, "send", server.send)
    return server


@pytest.fixture
def delays(app) -> tuple[int, ...]:
    return delivery.retry_delays()


def tell(user, subject: str = "Pat countersigned Acme") -> Notification:
    """An event notification for ``user``, committed (its email, if due, goes out on the commit)."""
    [note] = notify([user], "commitment_approve", subject, "Fine by me.", "/commitments/7")
    db.session.commit()
    return note


def reload(note: Notification) -> Notification:
    """The row as the delivery jobs (their own sessions) left it."""
    db.session.expire_all()
    return db.session.get(Notification, note.id)


def refuse_until_failed(note: Notification, clock: TestClock, delays: tuple[int, ...]) -> list[int]:
    """Let the dispatcher try again after each delay, the server refusing; returns the waits seen."""
    waits = []
    for _ in delays:
        note = reload(note)
        waits.append(int((note.email_due_at - clock.now()).total_seconds()))
        clock.to(note.email_due_at)
        delivery.dispatch()
    return waits


@pytest.fixture
def submitted(people, make_product, make_project, outbox, clock) -> Commitment:
    """A commitment the sales manager submitted, waiting for the product manager's countersignature."""
    region = RegionFactory()
    product = make_product(coverage={region: "sellable"})
    project = make_project(state="planned")
    commitment = commitments.create_commitment(people["sales"], project, CommitmentInput(
        customer="Acme GmbH", product_id=product.id, region_id=region.id, promise="SSO for 500 seats",
        promised_date=clock.today() + timedelta(days=60), unit_price=Decimal("90.00"), quantity=500,
        band_id=product.bands[0].id))
    commitments.fire(people["sales"], commitment, "submit")
    db.session.commit()
    outbox.clear()
    return commitment


@pytest.fixture
def waiting(people, clock) -> Notification:
    """A notification written at 23:00, in the quiet hours: its email waits for 08:00."""
    clock.to(clock.slot(clock.now().date(), 0, hour=23))
    return tell(people["team"])


@pytest.fixture
def failed(people, mail_server, clock, delays) -> Notification:
    """A notification whose email every attempt failed to send."""
    mail_server.refusing = True
    note = tell(people["team"])
    refuse_until_failed(note, clock, delays)
    mail_server.refusing = False
    return reload(note)


# --- sent once, after the commit ---------------------------------------------------------------

def test_a_countersignature_is_emailed_to_the_submitter_right_after_the_commit(people, submitted, outbox):
    commitments.fire(people["product"], submitted, "approve")
    assert outbox == []  # nothing leaves before the decision is committed
    db.session.commit()
    [message] = outbox
    assert people["sales"].email in message["To"]
    assert message["Subject"] == f"{people['product'].name} countersigned {submitted.title}"
    link = urls.absolute(submitted.path)
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    assert link in text and link in html
    assert message["List-Unsubscribe"].startswith(f"<{urls.base_url()}/email/preferences/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [note] = db.session.scalars(sa.select(Notification).where(Notification.kind == "commitment_approve"))
    assert (note.email_status, note.email_attempts) == ("sent", 1)


def test_nothing_is_emailed_when_the_event_is_rolled_back(people, outbox):
    notify([people["team"]], "commitment_approve", "Never decided", link="/commitments/7")
    db.session.rollback()
    db.session.commit()  # a later commit of the same session sends nothing either
    delivery.dispatch()
    assert outbox == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_an_email_written_in_quiet_hours_goes_out_when_they_end(waiting, outbox, clock):
    assert (waiting.email_status, waiting.email_due_at) == ("pending", clock.slot(clock.now().date(), 1, hour=8))
    clock.to(waiting.email_due_at - timedelta(minutes=1))
    delivery.dispatch()
    assert outbox == []
    clock.to(waiting.email_due_at)
    delivery.dispatch()
    assert len(outbox) == 1 and reload(waiting).email_status == "sent"


# --- refusals, backoff, failure ----------------------------------------------------------------

def test_a_refused_email_waits_the_first_delay_with_the_error_recorded(people, mail_server, clock, delays, outbox):
    mail_server.refusing = True
    note = reload(tell(people["team"]))
    assert (note.email_status, note.email_attempts) == ("pending", 1)
    assert note.email_error == "421 4.7.0 Try again later"
    assert note.email_due_at == clock.now() + timedelta(seconds=delays[0])
    assert outbox == []


def test_a_refused_email_is_sent_by_the_dispatcher_once_its_delay_has_passed(people, mail_server, clock, delays,
                                                                            outbox):
    mail_server.refusing = True
    note = tell(people["team"])
    mail_server.refusing = False
    clock.advance(seconds=delays[0] - 1)
    delivery.dispatch()
    assert outbox == []
    clock.advance(seconds=1)
    delivery.dispatch()
    note = reload(note)
    assert len(outbox) == 1 and (note.email_status, note.email_attempts, note.email_error) == ("sent", 2, "")


def test_an_email_refused_after_the_last_delay_is_failed(people, mail_server, clock, delays):
    mail_server.refusing = True
    note = tell(people["team"])
    assert refuse_until_failed(note, clock, delays) == list(delays)
    note = reload(note)
    assert (note.email_status, note.email_attempts) == ("failed", len(delays) + 1)
    assert note.email_error == "421 4.7.0 Try again later"
    assert delivery.failed() == [note] and delivery.backlog().failed == 1


def test_an_email_that_cannot_be_built_is_retried_like_a_refusal_and_ends_failed(people, monkeypatch, clock,
                                                                                 delays):
    def crash(_note):
        raise RuntimeError("template error")

    monkeypatch.setattr(emails, "notification_email", crash)
    note = reload(tell(people["team"]))
    assert (note.email_status, note.email_attempts, note.email_error) == ("pending", 1, "RuntimeError: template error")
    refuse_until_failed(note, clock, delays)
    assert reload(note).email_status == "failed"


def test_retrying_a_failed_email_sends_it(failed, outbox):
    assert delivery.retry_failed([failed.id]) == 1
    db.session.commit()
    note = reload(failed)
    assert (note.email_status, note.email_attempts) == ("pending", 0)
    delivery.dispatch()
    assert reload(failed).email_status == "sent" and len(outbox) == 1


def test_discarding_a_failed_email_keeps_the_notification_in_the_inbox(people, failed, outbox):
    assert delivery.discard_failed([failed.id]) == 1
    db.session.commit()
    delivery.dispatch()
    assert reload(failed).email_status == "none" and outbox == []
    assert failed in inbox(people["team"]).items


# --- claims and recovery -----------------------------------------------------------------------

def test_a_claimed_email_is_not_sent_by_a_second_delivery(waiting, outbox, clock):
    clock.to(waiting.email_due_at)
    assert [n.id for n in delivery.claim([waiting.id], clock.now())] == [waiting.id]
    clock.advance(seconds=1)
    assert delivery.deliver(waiting.id) == "nothing to send"
    assert outbox == [] and reload(waiting).email_status == "sending"


def test_two_deliveries_claiming_in_the_same_instant_send_the_email_once(waiting, outbox, clock):
    clock.to(waiting.email_due_at)
    delivery.claim([waiting.id], clock.now())  # a first worker holds the row
    delivery.deliver(waiting.id)  # a second one, at the same instant
    assert outbox == []


def test_a_claim_abandoned_past_the_lease_is_recovered_and_sent(waiting, outbox, clock):
    clock.to(waiting.email_due_at)
    delivery.claim([waiting.id], clock.now())  # the worker dies before sending
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    assert delivery.recover(clock.now() + lease - timedelta(seconds=1)) == 0
    clock.advance(seconds=lease.total_seconds() + 1)
    assert delivery.recover(clock.now()) == 1
    note = reload(waiting)
    assert (note.email_status, note.email_due_at, note.email_enqueued_at) == ("pending", clock.now(), None)
    delivery.dispatch()
    note = reload(waiting)
    assert len(outbox) == 1 and (note.email_status, note.email_attempts) == ("sent", 2)


