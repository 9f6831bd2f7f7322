"""The admin's background-jobs page and the development mailbox, in a real browser.

These run on a live server of their own: the mail transport writes files into a folder the
test owns, and the queue lives on a Redis database claimed for this module (see
tests/redisdb.py), where a real worker has left a failed job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, current_app
from playwright.sync_api import Page, expect
from rq import Queue, SimpleWorker

from app.background.models import JobRun
from app.core import clock as app_clock
from app.extensions import db
from app.notifications import emails, mail
from app.notifications.models import Notification
from app.notifications.services import notify
from tests import redisdb
from tests.browser.serving import serving
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Served:
    url: str
    mail_dir: Path
    redis: redisdb.ClaimedRedis


@pytest.fixture(scope="module")
def served(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A live server with the file mail transport and a real queue."""
    mail_dir = tmp_path_factory.mktemp("mailbox")
    claimed = redisdb.claim()
    try:
        with serving(app, MAIL_TRANSPORT="file", MAIL_DIR=str(mail_dir), REDIS_URL=claimed.url,
                     QUEUE_NAME=claimed.queue_name, JOBS_INLINE=False) as url:
            yield Served(url, mail_dir, claimed)
    finally:
        claimed.release()


@pytest.fixture
def live_server(served: Served) -> str:
    """This module's server, for ``sign_in``."""
    return served.url


def _failed_email(user, subject: str) -> Notification:
    note = Notification(
        user_id=user.id, kind="decision", subject=subject, link="/inbox/", email_status="failed", email_attempts=5,
        email_error="SMTPServerDisconnected: Connection unexpectedly closed (mail.example.com:587)",
        created_at=app_clock.now() - timedelta(hours=3),
    )
    db.session.add(note)
    db.session.commit()
    return note


def _periodic_runs(sweep_ago: timedelta) -> None:
    now = app_clock.now()
    db.session.add(JobRun(name="sweep", started_at=now - sweep_ago, finished_at=now - sweep_ago, duration_ms=184,
                          summary="12 reminders written for 5 people, 0 skipped"))
    db.session.add(JobRun(name="dispatch", started_at=now - timedelta(seconds=20), finished_at=now - timedelta(seconds=20),
                          duration_ms=35, summary="2 emails and 0 digests enqueued, 0 recovered"))
    db.session.commit()


def _failed_job(served: Served) -> str:
    queue = Queue(served.redis.queue_name, connection=served.redis.connection)
    job = queue.enqueue("tests.background.helpers.fail", "digest for user 7",
                        job_id=f"{served.redis.queue_name}-digest-7-41", failure_ttl=3600)
    SimpleWorker([queue], connection=served.redis.connection).work(burst=True)
    return job.id


def _fits(page: Page) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"] + 1, widths


def test_the_admin_sees_the_queue_and_retries_a_failed_email_and_job(
    page: Page, served: Served, people, sign_in, screenshot, clock
):
    clock.to(datetime(2026, 11, 17, 22, 15))  # an evening: emails written now wait for quiet hours to end
    notify([people["pm"], people["sales"]], "decision", "Your commitment to Globex Ltd was countersigned", link="/inbox/")
    note = _failed_email(people["team"], "Reminder: Pilot with three customers is due in 7 days")
    _periodic_runs(sweep_ago=timedelta(seconds=40))
    failed_job = _failed_job(served)
    queue = Queue(served.redis.queue_name, connection=served.redis.connection)
    worker = served.redis.worker("worker-1.countersign-app-1")
    try:
        page.set_viewport_size(DESKTOP)
        sign_in(page, people["admin"])
        page.locator("nav.nav details.nav-menu > summary").click()  # the admins' menu
        page.locator("nav.nav").get_by_role("link", name="Jobs").click()
        expect(page).to_have_url(f"{served.url}/admin/jobs/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Background jobs")
        expect(page.locator("nav.nav a[aria-current=page]")).to_have_text("Jobs")
        expect(page.locator("#redis-notice, #worker-notice, #sweep-notice")).to_have_count(0)
        expect(page.locator("#queue-heading")).to_contain_text(served.redis.queue_name)
        expect(page.locator("#workers tbody tr")).to_have_text([f"{worker.name} idle —"], use_inner_text=True)
        expect(page.locator("#periodic-sweep .jobs-periodic-ago")).to_have_text(re.compile(r"^[45]\d seconds ago$"))
        expect(page.locator("#emails-held")).to_have_text(
            re.compile(r"Quiet hours\s+2\s+held until 08:00 tomorrow \(quiet hours\)"))
        expect(page.locator("footer")).to_contain_text("Times in UTC")  # the admin's zone, named once
        expect(page.locator("#quiet-hours-note")).to_contain_text("waits until they end")
        expect(page.locator("#periodic-sweep")).to_contain_text(re.compile(r"\d\d \w{3} \d{4}, \d\d:\d\d · took 184 ms"))
        email_row = page.locator(f"#email-{note.id}")
        expect(email_row).to_contain_text("Tara Teammate")
        expect(email_row).to_contain_text("SMTPServerDisconnected")
        job_row = page.locator(f"#job-{failed_job}")
        expect(job_row).to_contain_text("tests.background.helpers.fail")
        expect(job_row).to_contain_text("RuntimeError: boom: digest for user 7")
        screenshot(page, "30-admin-jobs")

        page.set_viewport_size(PHONE)
        page.reload()
        expect(email_row).to_be_visible()
        _fits(page)
        screenshot(page, "31-admin-jobs-phone")
        page.set_viewport_size(DESKTOP)

        email_row.get_by_role("button", name="Retry").click()
        expect(page.locator(".flash-success")).to_have_text("The email is back in the queue: the next dispatch sends it.")
        expect(page.locator(f"#email-{note.id}")).to_have_count(0)
        expect(page.locator("#failed-emails")).to_contain_text("No failed emails.")
        db.session.expire_all()
        assert db.session.get(Notification, note.id).email_status == "pending"

        page.locator(f"#job-{failed_job}").get_by_role("button", name="Retry").click()
        expect(page.locator(".flash-success")).to_have_text(f"Job {failed_job} is back on the queue.")
        expect(page.locator("#queue-stats .stat").first.locator(".stat-value")).to_have_text("1")
        assert queue.job_ids == [failed_job]
    finally:
        worker.register_death()


def test_a_failed_job_is_deleted_and_without_workers_or_sweep_the_page_warns(
    page: Page, served: Served, people, sign_in
):
    failed_job = _failed_job(served)
    sign_in(page, people["admin"])
    page.goto(f"{served.url}/admin/jobs/")
    expect(page.locator("#worker-notice")).to_contain_text("No worker running.")
    expect(page.locator("#sweep-notice")).to_contain_text("The reminder sweep has never run.")
    page.locator(f"#job-{failed_job}").get_by_role("button", name="Delete").click()
    expect(page.locator(".flash-success")).to_have_text(f"Job {failed_job} deleted.")
    expect(page.locator("#failed-jobs")).to_contain_text("No failed jobs.")


def test_the_mailbox_shows_each_email_with_its_html_in_a_sandbox(page: Page, served: Served, people, sign_in, screenshot):
    for user, subject in ((people["pm"], "Decision: Northwind Pro for Acme was countersigned"),
                          (people["sales"], "Changes requested: Contoso rollout by 30 June"),
                          (people["team"], "Reminder: Pilot with three customers is due in 7 days")):
        note = Notification(user_id=user.id, kind="decision", subject=subject, body="Pat Product countersigned it.",
                            link="/inbox/")
        db.session.add(note)
        db.session.flush()
        _send_to_files(emails.notification_email(note), served.mail_dir)
    db.session.commit()

    page.set_viewport_size(DESKTOP)
    sign_in(page, people["admin"])
    page.goto(f"{served.url}/admin/jobs/")
    page.get_by_role("link", name="Development mailbox").click()
    expect(page).to_have_url(f"{served.url}/admin/jobs/mailbox")
    entries = page.locator("ul.mailbox-entries li")
    expect(entries).to_have_count(3)
    expect(entries.first).to_contain_text("Reminder: Pilot with three customers")  # newest first
    screenshot(page, "32-mailbox-list")

    entries.first.get_by_role("link").click()
    message = page.locator("article.mailbox-message")
    expect(message.get_by_role("heading", level=2)).to_have_text("Reminder: Pilot with three customers is due in 7 days")
    expect(message.locator(".mailbox-headers")).to_contain_text(people["team"].email)
    expect(message.locator("pre.mailbox-text")).to_contain_text("Pat Product countersigned it.")
    frame = page.locator("iframe.mailbox-html")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("iframe.mailbox-html").locator("body")).to_contain_text("Pat Product countersigned it.")
    expect(entries.first).to_have_class("current")
    screenshot(page, "33-mailbox-message")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator(".mailbox-list")).to_be_hidden()
    expect(message.get_by_role("link", name="← All emails")).to_be_visible()
    _fits(page)
    screenshot(page, "34-mailbox-phone")
    message.get_by_role("link", name="← All emails").click()
    expect(entries).to_have_count(3)
    expect(page.locator(".mailbox-list")).to_be_visible()
    _fits(page)


def _send_to_files(message, folder: Path) -> None:
    """Send as the development transport does, into the served app's mailbox folder."""
    config = current_app.config
    saved = config["MAIL_TRANSPORT"], config["MAIL_DIR"]
    config["MAIL_TRANSPORT"], config["MAIL_DIR"] = "file", str(folder)
    try:
        mail.send(message)
    finally:
        config["MAIL_TRANSPORT"], config["MAIL_DIR"] = saved


def test_without_redis_the_page_says_so_and_with_a_mail_server_the_mailbox_points_there(
    page: Page, app: Flask, people, screenshot
):
    note = _failed_email(people["pm"], "Decision: Northwind Pro for Acme was countersigned")
    with serving(app, REDIS_URL="", JOBS_INLINE=False, MAIL_TRANSPORT="", MAIL_SERVER="mail.example.com",
                 MAIL_PORT=587) as url:
        page.set_viewport_size(DESKTOP)
        page.goto(f"{url}/login")
        page.locator("#email").fill(people["admin"].email)
        page.locator("#password").fill(PASSWORD)
        page.locator("form.form").get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{url}/")
        page.goto(f"{url}/admin/jobs/")
        notice = page.locator("#redis-notice")
        expect(notice).to_contain_text("Redis unreachable.")
        expect(notice).to_contain_text("REDIS_URL is not set")
        expect(page.locator("#queue-stats .stat-value")).to_have_text(["—"] * 4)
        expect(page.locator(f"#email-{note.id}")).to_contain_text("Priya Planner")
        expect(page.locator("#failed-jobs")).to_contain_text("the failed jobs cannot be read")
        screenshot(page, "35-admin-jobs-no-redis")

        page.get_by_role("link", name="Development mailbox").click()
        expect(page.locator("#mailbox-off")).to_contain_text("Mail goes to the mail server mail.example.com:587")
        expect(page.locator("ul.mailbox-entries")).to_have_count(0)
