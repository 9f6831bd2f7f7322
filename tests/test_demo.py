"""The demo data set loads through the services, once."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.services import find_by_email
from app.briefings.models import Briefing, BriefingMaterial
from app.commitments.models import Commitment
from app.commitments.services import signoff_queue
from app.customers.models import Customer
from app.extensions import db
from app.feedback.models import Feedback
from app.notifications.models import Notification
from app.projects.models import Project
from app.roadmap.models import Replan
from app.updates.models import ProductUpdate


def test_demo_loads_every_state_and_is_idempotent(app, configure, tmp_path):
    configure(UPLOAD_DIR=str(tmp_path))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output and "countersign-demo" in first.output
    states = set(db.session.scalars(sa.select(Project.state)))
    assert {"draft", "proposed", "active", "on_hold", "completed"} <= states
    assert dict(db.session.execute(sa.select(Customer.name, Commitment.state).join(Commitment.customer)).all()) == {
        "Acme Retail": "approved", "Globex Ltd": "pending_signoff",
        "Fjord Energy": "pending_signoff", "Sakura Trading": "rejected",
        "Bergmann AG": "at_risk",  # its milestone was re-planned past the promised date
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Replan)) == 1
    assert_the_loop_is_loaded(tmp_path)
    pat = find_by_email("product@example.com")
    assert [c.customer.name for c in signoff_queue(pat).items] == ["Globex Ltd"]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Replan)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Feedback)) == 6
    assert len(list((tmp_path / "briefings").iterdir())) == 1  # the one deck, stored once


def assert_the_loop_is_loaded(upload_dir):
    """Feedback in every triage state, answered at least a day after it was filed; briefings over
    several quarters with one deck on disk; updates some sellers acknowledged."""
    assert sorted(db.session.scalars(sa.select(Feedback.state))) == [
        "declined", "done", "duplicate", "later", "new", "now"]
    original = db.session.scalars(sa.select(Feedback).where(Feedback.title == "Import pipelines from Salesforce")).one()
    assert original.weight == 120000 + 30000  # its duplicate's revenue merged in
    for item in db.session.scalars(sa.select(Feedback).where(Feedback.first_decided_at.is_not(None))):
        assert item.first_decided_at - item.created_at >= timedelta(days=1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Briefing)) == 5
    deck = db.session.scalars(sa.select(BriefingMaterial)).one()
    assert (upload_dir / "briefings" / deck.stored_name).read_bytes().startswith(b"%PDF-")
    acks = {u.title: len(u.acknowledgements) for u in db.session.scalars(sa.select(ProductUpdate))}
    assert acks == {"The Enterprise minimum is now 110": 1, "Sellable in the Nordics from launch": 0,
                    "Retired: no new contracts": 2}


def test_the_first_sweep_after_the_demo_mails_tara_her_overdue_milestone(app):
    """What the README promises of scripts/run: a reminder email for a demo milestone at once,
    and none of the demo's history (launches, assignments) emailed."""
    outbox = app.extensions.setdefault("countersign.outbox", [])
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    outbox.clear()
    result = app.test_cli_runner().invoke(args=["jobs", "run-once"])
    assert result.exit_code == 0, result.output
    to_tara = [m for m in outbox if "team@example.com" in m["To"]]
    assert any("First-year checkpoint" in m["Subject"] and "overdue" in m["Subject"] for m in to_tara)
    assert all(m["X-Countersign-Id"].startswith("notification-") for m in outbox)
    reminders = db.session.scalars(sa.select(Notification.kind).where(Notification.email_status == "sent")).all()
    assert reminders and set(reminders) == {"reminder"}


def test_the_demo_says_whose_reminder_emails_wait_for_quiet_hours_when_started_in_the_evening(app, clock):
    clock.to(datetime(2026, 11, 17, 22, 15))  # a Tuesday evening in Europe, the afternoon in New York

    output = app.test_cli_runner().invoke(args=["demo"]).output

    said = output.split("Quiet hours now (22:15 UTC) for ")[1]
    assert said.startswith("7 of the demo people: their reminders are in the app at once, their emails wait")
    lines = [line.split() for line in said.splitlines()[1:] if line.startswith("  ")]
    assert lines[0] == ["product2@example.com", "until", "08:00", "Asia/Singapore", "(00:00", "UTC", "tomorrow)"]
    assert ["sales@example.com", "until", "08:00", "Europe/London", "(08:00", "UTC", "tomorrow)"] in lines
    # Tara has no quiet hours, and it is 17:15 for Pat in New York: neither waits.
    assert not {"team@example.com", "product@example.com"} & {line[0] for line in lines}


def test_in_the_european_afternoon_only_singapore_is_named(app, clock):
    # The demo people span New York to Singapore: some hour of the day is always quiet for one.
    clock.to(datetime(2026, 11, 17, 14, 0))  # 15:00 in Rome, 09:00 in New York, 22:00 in Singapore
    output = app.test_cli_runner().invoke(args=["demo"]).output
    said = output.split("Quiet hours now (14:00 UTC) for 1 of the demo people")[1]
    assert [line.split()[0] for line in said.splitlines()[1:] if line.startswith("  ")] == ["product2@example.com"]
