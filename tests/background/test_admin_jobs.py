"""The admin page on background work (/admin/jobs) and the development mailbox.

Jobs run inline in the tests and Redis is not configured, so most tests see the page as it is
with Redis unreachable; the tests at the end run a real worker on a Redis database of their own
(see conftest.py) to fail a job, then retry and delete it from the page.
"""

from __future__ import annotations

import os
import warnings
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from rq import SimpleWorker, Worker
from rq.job import Job
from rq.registry import FailedJobRegistry

from app.background import services
from app.background.models import JobRun
from app.background.queue import enqueue_now, get_queue, job_id, redis_connection
from app.core import clock
from app.extensions import db
from app.notifications import delivery, emails, mail
from app.notifications import mailbox as development_mailbox
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import notify
from tests.jobs.helpers import wait_for

ACTIONS = ("/admin/jobs/emails/1/retry", "/admin/jobs/emails/1/discard", "/admin/jobs/emails/retry",
           "/admin/jobs/failed/x/retry", "/admin/jobs/failed/x/delete")


def failed_email(user, subject: str = "Your commitment was countersigned", configure=None) -> Notification:
    """An email the mail server refused on its last attempt: the SMTP port is closed, no retries left."""
    configure(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2, MAIL_RETRY_DELAYS=())
    [note] = notify([user], "decision", subject, link="/inbox/")
    db.session.commit()  # inline, a due email is delivered right after the commit (unless quiet hours defer it)
    delivery.deliver(note.id)
    db.session.expire_all()
    assert note.email_status == "failed", (note.email_status, note.email_error)
    return note


def page_of(client, url: str = "/admin/jobs/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- who may see it ----------------------------------------------------------------------------

def test_everyone_but_admins_is_told_there_is_nothing_here(people, login, client):
    for who in ("pm", "sales", "product", "team"):
        other = login(people[who])
        for url in ("/admin/jobs/", "/admin/jobs/mailbox", "/admin/jobs/mailbox/x.eml"):
            assert other.get(url).status_code == 404, (who, url)
        for url in ACTIONS:
            assert other.post(url).status_code == 404, (who, url)
    assert client.get("/admin/jobs/").status_code == 302  # signed out: to the sign-in page
    assert client.post(ACTIONS[0]).status_code == 302


def test_the_admin_navigation_links_to_the_page(people, login):
    admin = login(people["admin"])
    assert 'href="/admin/jobs/"' in page_of(admin, "/admin/users")
    assert admin.get("/admin/jobs").status_code == 308  # to /admin/jobs/, as /admin/regions does
    assert 'href="/admin/jobs/"' not in page_of(login(people["pm"]), "/")


# --- Redis down: a clear notice, and the database's half still works ---------------------------

def test_without_redis_the_page_says_so_and_still_shows_the_emails(people, login, configure, no_redis):
    note = failed_email(people["team"], configure=configure)
    page = page_of(login(people["admin"]))
    assert "Redis unreachable" in page and "REDIS_URL is not set" in page
    assert "the failed jobs cannot be read" in page
    assert f'id="email-{note.id}"' in page and "Your commitment was countersigned" in page
    assert people["team"].email in page and "ConnectionRefusedError" in page


def test_a_redis_that_refuses_connections_is_reported_with_its_error(people, login, app, configure, no_redis):
    configure(REDIS_URL="redis://127.0.0.1:1/0")
    page = page_of(login(people["admin"]))
    assert "Redis unreachable" in page and ("Connection refused" in page or "Error 111" in page)


def test_retrying_a_failed_job_without_redis_changes_nothing_and_says_why(people, login, no_redis):
    response = login(people["admin"]).post("/admin/jobs/failed/countersign-deliver-1/retry", follow_redirects=True)
    assert "Redis is unreachable, so nothing changed" in response.get_data(as_text=True)


# --- failed emails -----------------------------------------------------------------------------

def test_retry_puts_a_failed_email_back_to_pending_from_attempt_zero(people, login, configure):
    note = failed_email(people["team"], configure=configure)
    other = failed_email(people["pm"], "Another one", configure=configure)
    admin = login(people["admin"])
    response = admin.post(f"/admin/jobs/emails/{note.id}/retry", follow_redirects=True)
    assert "back in the queue" in response.get_data(as_text=True)
    note, other = db.session.get(Notification, note.id), db.session.get(Notification, other.id)
    assert (note.email_status, note.email_attempts, note.email_enqueued_at) == ("pending", 0, None)
    assert note.email_due_at <= clock.now()
    assert other.email_status == "failed"  # only the row asked for
    page = response.get_data(as_text=True)
    assert f'id="email-{note.id}"' not in page and f'id="email-{other.id}"' in page
    again = admin.post(f"/admin/jobs/emails/{note.id}/retry", follow_redirects=True)
    assert "no longer failed; nothing changed" in again.get_data(as_text=True)


def test_retry_all_puts_every_failed_email_back(people, login, configure):
    notes = [failed_email(people[who], configure=configure) for who in ("team", "pm")]
    response = login(people["admin"]).post("/admin/jobs/emails/retry", follow_redirects=True)
    assert "2 failed emails are back in the queue" in response.get_data(as_text=True)
    assert {db.session.get(Notification, n.id).email_status for n in notes} == {"pending"}
    assert delivery.backlog() == delivery.Backlog(due=2)


def test_a_retried_email_goes_out_once_the_mail_server_is_back(people, login, configure):
    note = failed_email(people["team"], configure=configure)
    login(people["admin"]).post(f"/admin/jobs/emails/{note.id}/retry")
    configure(MAIL_TRANSPORT="memory")
    delivery.dispatch()  # the scheduler's minute: the row is due again, and (inline) sent
    db.session.expire_all()
    assert db.session.get(Notification, note.id).email_status == "sent"


def test_discard_gives_up_on_the_email_but_keeps_the_notification(people, login, configure):
    note = failed_email(people["team"], configure=configure)
    response = login(people["admin"]).post(f"/admin/jobs/emails/{note.id}/discard", follow_redirects=True)
    assert "Email discarded" in response.get_data(as_text=True)
    note = db.session.get(Notification, note.id)
    assert note is not None and note.email_status == "none"
    assert f'id="email-{note.id}"' not in response.get_data(as_text=True)


def stat(page: str, name: str) -> tuple[str, str]:
    """The value and the note of one email stat ("held", "failed", ...) on the Jobs page."""
    card = page.split(f'id="emails-{name}"')[1].split('<div class="stat"')[0]
    value = card.split('class="stat-value">')[1].split("<")[0]
    note = card.split('class="stat-note">')[1].split("<")[0]
    return value, note


def test_the_email_counts_are_shown(people, login, configure):
    failed_email(people["team"], configure=configure)
    page = page_of(login(people["admin"]))
    assert [stat(page, name)[0] for name in ("due", "held", "digests", "retrying", "sending", "failed")] == [
        "0", "0", "0", "0", "0", "1"]
    assert 'id="quiet-hours-note"' not in page


def test_emails_waiting_for_quiet_hours_say_until_when_instead_of_an_unexplained_pending(people, login, clock):
    clock.to(datetime(2026, 11, 17, 22, 15))  # Tuesday night: inside everyone's default quiet hours (UTC)
    notify([people["team"], people["pm"]], "decision", "Your commitment was countersigned", link="/inbox/")
    db.session.commit()

    page = page_of(login(people["admin"]))

    # The admin's zone (the default, UTC) is named once, in the footer, not after the time.
    assert stat(page, "held") == ("2", "held until 08:00 tomorrow (quiet hours)")
    assert "Times in UTC" in page
    assert stat(page, "due") == ("0", "none waiting")
    assert "Settings → Notifications" in page.split('id="quiet-hours-note"')[1]
    clock.to(datetime(2026, 11, 18, 8, 0))  # the morning: they are due, and go with the next dispatch
    page = page_of(login(people["admin"]))
    assert stat(page, "held") == ("0", "none held") and stat(page, "due")[0] == "2"


def test_the_backlog_tells_held_digest_retrying_and_due_emails_apart(people, clock, configure):
    clock.to(datetime(2026, 11, 17, 22, 15))
    digest = NotificationPreference.defaults(people["sales"].id)
    digest.email_digest = True
    db.session.add(digest)
    notify([people["team"], people["sales"]], "decision", "Held, and in a digest", link="/inbox/")
    db.session.commit()
    refused = failed_email(people["pm"], configure=configure)
    refused.email_status, refused.email_due_at = "pending", clock.now() + timedelta(minutes=5)  # a backoff
    db.session.commit()

    waiting = delivery.backlog()

    assert waiting == delivery.Backlog(
        held=1, held_until=datetime(2026, 11, 18, 8, 0), digests=1, digests_until=datetime(2026, 11, 18, 9, 0),
        retrying=1, retrying_until=datetime(2026, 11, 17, 22, 20))
    assert waiting.pending == 3
    assert delivery.backlog_text(waiting) == (
        "3 pending (1 held for quiet hours until 08:00 UTC tomorrow, 1 in digests, the next at 09:00 UTC tomorrow, "
        "1 retrying from 22:20 UTC), 0 being sent, 0 failed")


# --- the sweep: when it last ran ---------------------------------------------------------------

def test_a_sweep_that_never_ran_or_is_late_is_a_warning_and_a_recent_one_is_not(people, login):
    admin = login(people["admin"])
    assert "The reminder sweep has never run" in page_of(admin)
    now = clock.now()
    db.session.add(JobRun(name="sweep", started_at=now - timedelta(minutes=12), finished_at=now - timedelta(minutes=12),
                          duration_ms=42, summary="3 reminders written"))
    db.session.add(JobRun(name="dispatch", started_at=now, finished_at=now, duration_ms=7, summary="0 emails"))
    db.session.commit()
    page = page_of(admin)
    assert "The reminder sweep last ran 12 minutes ago" in page
    assert "3 reminders written" in page and "took 42 ms" in page
    assert clock.now().strftime("%d %b %Y") in page  # the absolute time beside the relative one
    db.session.get(JobRun, "sweep").finished_at = clock.now() - timedelta(seconds=30)
    db.session.commit()
    page = page_of(admin)
    assert 'id="sweep-notice"' not in page and "30 seconds ago" in page


def test_an_hourly_job_is_late_only_an_hour_and_the_grace_after_its_last_run(people, clock):
    """The sign-in clean-up works once an hour: 40 minutes after its run it is on time, not late."""
    now = clock.now()
    db.session.add(JobRun(name="accounts", started_at=now - timedelta(minutes=40),
                          finished_at=now - timedelta(minutes=40), duration_ms=5, summary="0 old sessions"))
    db.session.commit()
    [status] = [s for s in services.periodic_statuses() if s.name == "accounts"]
    assert (status.stale, status.every) == (False, "every hour")
    clock.advance(minutes=20 + int(services.STALE_AFTER.total_seconds() // 60) + 1)
    [status] = [s for s in services.periodic_statuses() if s.name == "accounts"]
    assert status.stale
    [sweep] = [s for s in services.periodic_statuses() if s.name == "sweep"]
    assert sweep.every == ""  # every interval: said once, in the card's header


# --- the development mailbox -------------------------------------------------------------------

@pytest.fixture
def mailbox(configure, tmp_path: Path) -> Path:
    folder = tmp_path / "mailbox"
    configure(MAIL_TRANSPORT="file", MAIL_DIR=str(folder))
    return folder


def test_the_mailbox_lists_and_shows_what_the_file_transport_wrote(people, login, mailbox):
    [note] = notify([people["team"]], "decision", "Northwind Pro: countersigned", body="Pat countersigned it.",
                    link="/inbox/")
    db.session.commit()  # inline, delivered after the commit; unless quiet hours defer it, then here:
    delivery.deliver(note.id)
    [name] = [p.name for p in mailbox.iterdir()]
    admin = login(people["admin"])
    listing = page_of(admin, "/admin/jobs/mailbox")
    assert "Northwind Pro: countersigned" in listing and people["team"].email in listing
    assert f'href="/admin/jobs/mailbox/{name}"' in listing
    response = admin.get(f"/admin/jobs/mailbox/{name}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Northwind Pro: countersigned" in page and "Pat countersigned it." in page  # the text part, escaped in <pre>
    assert "List-Unsubscribe" in page  # every header, under "All headers"
    assert '<iframe class="mailbox-html" sandbox=""' in page and 'srcdoc="&lt;!doctype html&gt;' in page
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_jobs_page_links_to_the_mailbox_with_its_count(people, login, mailbox):
    mailbox.mkdir()
    (mailbox / "20260101-000000-000000-one.eml").write_bytes(b"To: a@example.com\r\nSubject: One\r\n\r\nHi\r\n")
    page = page_of(login(people["admin"]))
    assert 'href="/admin/jobs/mailbox"' in page and '<span class="jobs-count">1</span>' in page


def test_an_emails_html_never_reaches_the_page_unescaped(people, login, mailbox):
    message = EmailMessage()
    message["To"] = "Eve <eve@example.com>"
    message["Subject"] = "<img src=x onerror=alert(1)>"
    message.set_content("plain <b>text</b>")
    message.add_alternative('<p>Hello</p><script>alert("owned")</script>" onload="alert(2)', subtype="html")
    mail.send(message)
    [name] = [p.name for p in mailbox.iterdir()]
    admin = login(people["admin"])
    page = page_of(admin, f"/admin/jobs/mailbox/{name}")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>text</b>" not in page
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;&#34; onload=&#34;alert(2)" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page_of(admin, "/admin/jobs/mailbox")


def test_accents_and_odd_charsets_read_back_as_text(people, login, mailbox):
    message = EmailMessage()
    message["To"] = "Zoë Müller <zoe@example.com>"
    message["Subject"] = "Freigabe erteilt: Größe ✓"
    message.set_content("Grüße aus Köln")
    mail.send(message)
    mailbox.joinpath("odd.eml").write_bytes(
        b"To: x@example.com\r\nSubject: Odd\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nplain bytes\r\n")
    admin = login(people["admin"])
    listing = page_of(admin, "/admin/jobs/mailbox")
    assert "Zoë Müller &lt;zoe@example.com&gt;" in listing and "Freigabe erteilt: Größe ✓" in listing
    [name] = [e.name for e in development_mailbox.mailbox().entries if e.subject != "Odd"]
    assert "Grüße aus Köln" in page_of(admin, f"/admin/jobs/mailbox/{name}")
    odd = development_mailbox.mailbox_message("odd.eml")
    assert odd is not None and odd.text is not None and "plain bytes" in odd.text and odd.html is None


def test_the_newest_email_comes_first(people, login, mailbox):
    mailbox.mkdir()
    for index, subject in enumerate(["Oldest", "Middle", "Newest"]):
        path = mailbox / f"{subject.lower()}.eml"
        path.write_bytes(f"To: x@example.com\r\nSubject: {subject}\r\n\r\nbody\r\n".encode())
        os.utime(path, (1_700_000_000 + index * 60, 1_700_000_000 + index * 60))
    page = page_of(login(people["admin"]), "/admin/jobs/mailbox")
    assert page.index("Newest") < page.index("Middle") < page.index("Oldest")
    assert [e.subject for e in development_mailbox.mailbox().entries] == ["Newest", "Middle", "Oldest"]
    assert [e.subject for e in development_mailbox.mailbox(limit=2).entries] == ["Newest", "Middle"]


def test_only_files_in_the_listing_can_be_opened(people, login, mailbox, tmp_path):
    mailbox.mkdir()
    (mailbox / "real.eml").write_bytes(b"To: x@example.com\r\nSubject: Real\r\n\r\nbody\r\n")
    (mailbox / "notes.txt").write_text("not an email")
    (tmp_path / "secret.eml").write_bytes(b"Subject: Secret\r\n\r\nthe secret\r\n")
    (mailbox / "link.eml").symlink_to(tmp_path / "secret.eml")
    (mailbox / "folder.eml").mkdir()
    admin = login(people["admin"])
    assert admin.get("/admin/jobs/mailbox/real.eml").status_code == 200
    for name in ("notes.txt", "link.eml", "folder.eml", "missing.eml", "..%2Fsecret.eml", "../secret.eml",
                 "%2E%2E%2Fsecret.eml", "..", ".", "%2Fetc%2Fpasswd"):
        response = admin.get(f"/admin/jobs/mailbox/{name}")
        assert response.status_code == 404, name
        assert "the secret" not in response.get_data(as_text=True)
    assert admin.get("/admin/jobs/mailbox/real.eml%00").status_code == 400  # no URL may hold a NUL (url_guard)
    assert [e.name for e in development_mailbox.mailbox().entries] == ["real.eml"]
    assert development_mailbox.mailbox_message("../secret.eml") is None and development_mailbox.mailbox_message("link.eml") is None


def test_with_a_mail_server_the_mailbox_says_where_mail_goes_and_lists_nothing(people, login, mailbox, configure):
    mailbox.mkdir()
    (mailbox / "old.eml").write_bytes(b"To: x@example.com\r\nSubject: Left over\r\n\r\nbody\r\n")
    configure(MAIL_TRANSPORT="", MAIL_SERVER="smtp.example.com", MAIL_PORT=587)
    admin = login(people["admin"])
    page = page_of(admin, "/admin/jobs/mailbox")
    assert "Mail goes to the mail server" in page and "smtp.example.com:587" in page
    assert "Left over" not in page
    assert admin.get("/admin/jobs/mailbox/old.eml").status_code == 404


def test_an_empty_mailbox_says_so(people, login, mailbox):
    page = page_of(login(people["admin"]), "/admin/jobs/mailbox")
    assert "No emails yet" in page


# --- a real Redis: a job that fails, retried and deleted from the page -------------------------

def _fail_a_job(what: str = "the sweep") -> str:
    failing = job_id("test-fail", what.replace(" ", "-"))
    assert enqueue_now("tests.background.helpers.fail", what, job_id=failing)
    SimpleWorker([get_queue()], connection=redis_connection()).work(burst=True)
    return failing


def test_a_failed_job_is_listed_then_retried_onto_the_queue(people, login, redis_db):
    failing = _fail_a_job()
    admin = login(people["admin"])
    page = page_of(admin)
    assert "Redis unreachable" not in page and redis_db.queue_name in page
    assert f'id="job-{failing}"' in page
    row = page.split(f'id="job-{failing}"')[1].split("</tr>")[0]
    assert "tests.background.helpers.fail" in row and "RuntimeError: boom: the sweep" in row and "the sweep" in row
    assert services.queue_state().failed == 1
    response = admin.post(f"/admin/jobs/failed/{failing}/retry", follow_redirects=True)
    assert f"Job {failing} is back on the queue." in response.get_data(as_text=True)
    state = services.queue_state()
    assert (state.queued, state.failed) == (1, 0)
    assert get_queue().job_ids == [failing]
    again = admin.post(f"/admin/jobs/failed/{failing}/retry", follow_redirects=True)
    assert "no longer among the failed jobs" in again.get_data(as_text=True)


def test_a_failed_job_is_deleted_for_good(people, login, redis_db):
    failing = _fail_a_job()
    response = login(people["admin"]).post(f"/admin/jobs/failed/{failing}/delete", follow_redirects=True)
    assert f"Job {failing} deleted." in response.get_data(as_text=True)
    assert f'id="job-{failing}"' not in response.get_data(as_text=True)
    assert FailedJobRegistry(queue=get_queue()).count == 0
    assert not Job.exists(failing, connection=redis_connection())


def test_the_workers_are_listed_and_none_is_a_warning(people, login, redis_db):
    admin = login(people["admin"])
    assert "No worker running" in page_of(admin)
    worker = redis_db.worker(f"{redis_db.queue_name}-worker")
    try:
        page = page_of(admin)
        assert f"{redis_db.queue_name}-worker" in page and 'id="worker-notice"' not in page
        assert "1 alive" in page
    finally:
        worker.register_death()
    assert "No worker running" in page_of(admin)


def test_a_worker_that_died_without_a_word_is_gone_from_the_list_within_three_beats(people, login, redis_db):
    alive = redis_db.worker("alive", pulse_seconds=0.1)
    killed = redis_db.worker("killed", pulse_seconds=0.1)
    killed.set_current_job_id("countersign-deliver-7")  # SIGKILLed mid-delivery: RQ would say "busy" for minutes
    killed._stopped.set()  # its pulse stops with the process; no register_death
    try:
        assert [w.name for w in services.queue_state().workers] == ["alive", "killed"]
        wait_for(lambda: [w.name for w in services.queue_state().workers] == ["alive"], "the dead worker to lapse",
                 timeout=5)
        state = services.queue_state()
        assert state.started == 0  # the job it held is not "running": no live worker holds it
        assert "killed" not in {w.name for w in Worker.all(queue=get_queue())}  # cleared from RQ's registry too
        alive.set_current_job_id("countersign-deliver-8")
        assert services.queue_state().started == 1
    finally:
        alive.register_death()


def test_a_flushed_redis_has_every_live_worker_back_within_a_beat(redis_db):
    worker = redis_db.worker("survivor", pulse_seconds=0.1)
    try:
        redis_db.flush()  # FLUSHDB (keeping only this run's claim on the database)
        assert services.queue_state().workers == []
        wait_for(lambda: [w.name for w in services.queue_state().workers] == ["survivor"],
                 "the worker to reappear", timeout=5)
    finally:
        worker.register_death()


def test_the_queue_depth_counts_waiting_jobs(people, login, redis_db):
    for n in range(3):
        enqueue_now("tests.background.helpers.fail", f"job {n}", job_id=job_id("test-wait", n))
    assert services.queue_state().queued == 3
    page = page_of(login(people["admin"]))
    stats = page.split('id="queue-stats"')[1].split("</section>")[0]
    assert '<div class="stat-value">3</div>' in stats


def test_reading_the_failed_jobs_uses_no_deprecated_rq_api(redis_db):
    _fail_a_job()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert services.queue_state().failed_jobs[0].error == "RuntimeError: boom: the sweep"


def test_every_email_carries_its_date(people):
    [note] = notify([people["team"]], "decision", "Dated", link="/inbox/")
    db.session.commit()
    assert emails.notification_email(note)["Date"]


def test_the_redis_database_is_this_tests_own(redis_db):
    assert redis_db.connection.get("countersign-test-db-claim") is not None
    assert redis_connection().connection_pool.connection_kwargs["db"] == redis_db.number
    assert get_queue().name == redis_db.queue_name


def test_a_worker_restarted_under_its_name_after_a_kill_takes_the_name_back(redis_db):
    killed = redis_db.worker("countersign-run-7", pulse_seconds=0.1)
    killed._stopped.set()  # SIGKILLed: RQ's record stays, with no death written; its pulse stops
    again = redis_db.worker("countersign-run-7", pulse_seconds=0.1)  # waits out the dead pulse, then registers
    try:
        assert [(w.name, w.state) for w in services.queue_state().workers] == [("countersign-run-7", "idle")]
    finally:
        again.register_death()


def test_a_second_worker_may_not_take_the_name_of_one_that_is_alive(redis_db):
    alive = redis_db.worker("countersign-run-7", pulse_seconds=0.1)
    try:
        with pytest.raises(ValueError, match="active worker named 'countersign-run-7'"):
            redis_db.worker("countersign-run-7", pulse_seconds=0.1)
    finally:
        alive.register_death()
