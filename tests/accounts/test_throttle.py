"""Sign-in throttling: failures limited per email and per client address, growing lockouts, every
failure audited, admins unlock, and nothing tells a known email from an unknown one."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.accounts import models as account_models
from app.accounts import services as account_services
from app.accounts import signin, throttle
from app.audit.models import AuditEvent
from app.core.errors import NotAllowed
from app.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.clients import RequestClient

WRONG = "not the password"
LOCKED_EMAIL = "Too many failed sign-ins for this email"


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password hash check, known account (``real``) or unknown (``dummy``), in order."""
    checks: list[str] = []

    def spy(kind: str) -> Callable[[str, str], bool]:
        def check(pwhash: str, password: str) -> bool:
            checks.append(kind)
            return check_password_hash(pwhash, password)
        return check

    monkeypatch.setattr(account_models, "check_password_hash", spy("real"))
    monkeypatch.setattr(account_services, "check_password_hash", spy("dummy"))
    return checks


def attempt(client: Any, email: str, password: str = WRONG, address: str = "127.0.0.1") -> Any:
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_the_11th_wrong_password_in_a_minute_is_refused_without_checking_it(client, clock, hash_checks):
    UserFactory(email="sam@example.com")
    answers = []
    for _ in range(10):
        answers.append(attempt(client, "sam@example.com").status_code)
        clock.advance(seconds=5)

    eleventh = attempt(client, "sam@example.com", PASSWORD)  # even the right password

    assert answers == [200, 200, 200, 200, 429, 429, 429, 429, 429, 429]
    assert eleventh.status_code == 429 and LOCKED_EMAIL in eleventh.get_data(as_text=True)
    assert hash_checks == ["real"] * 5  # the five before the lock, then none
    assert "session" not in eleventh.headers.get("Set-Cookie", "")


def test_the_lockout_says_how_long_to_wait_and_lifts_when_it_is_over(client, clock):
    UserFactory(email="sam@example.com")
    for _ in range(4):
        assert "do not match" in attempt(client, "sam@example.com").get_data(as_text=True)

    fifth = attempt(client, "sam@example.com")
    clock.advance(seconds=30)
    meanwhile = attempt(client, "sam@example.com", PASSWORD)

    assert fifth.status_code == 429 and fifth.headers["Retry-After"] == "60"
    assert "Wait 1 minute before trying again." in fifth.get_data(as_text=True)
    assert meanwhile.status_code == 429 and meanwhile.headers["Retry-After"] == "30"
    clock.advance(seconds=30)
    assert attempt(client, "sam@example.com", PASSWORD).status_code == 302


def test_lockouts_in_a_row_grow(client, clock):
    UserFactory(email="sam@example.com")
    waits = []
    for _ in range(5):
        for _ in range(5):
            response = attempt(client, "sam@example.com")
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(seconds=waits[-1])

    assert waits == [60, 300, 900, 3600, 3600]
    assert "Wait 1 hour" in response.get_data(as_text=True)


def test_an_unknown_email_counts_locks_and_reads_exactly_like_a_known_one(client, hash_checks):
    UserFactory(email="sam@example.com")
    known = [attempt(client, "sam@example.com") for _ in range(7)]
    unknown = [attempt(client, "nobody@example.com", address="10.0.0.2") for _ in range(7)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    # The pages differ only in the email the form echoes back.
    assert [r.get_data(as_text=True).replace("sam@", "x@") for r in known] == [
        r.get_data(as_text=True).replace("nobody@", "x@") for r in unknown]
    assert [r.headers.get("Retry-After") for r in known] == [r.headers.get("Retry-After") for r in unknown]
    # A password is checked for the unknown email too (against a dummy hash of the same cost).
    assert hash_checks == ["real"] * 5 + ["dummy"] * 5


def test_an_address_is_limited_across_accounts(client):
    UserFactory(email="sam@example.com")
    for n in range(19):
        assert attempt(client, f"guess{n}@example.com").status_code == 200

    twentieth = attempt(client, "guess19@example.com")
    other_account = attempt(client, "sam@example.com", PASSWORD)

    assert twentieth.status_code == 429
    assert other_account.status_code == 429
    assert "from your network. Wait 1 minute" in other_account.get_data(as_text=True)
    assert attempt(client, "sam@example.com", PASSWORD, address="10.0.0.2").status_code == 302


def test_signing_in_forgets_the_accounts_failures_but_not_the_addresses(client):
    UserFactory(email="sam@example.com")
    for _ in range(4):
        attempt(client, "sam@example.com")
    assert attempt(client, "sam@example.com", PASSWORD).status_code == 302
    client.post("/logout")

    assert db.session.scalar(sa.select(account_models.Throttle.failures).where(
        account_models.Throttle.scope == throttle.SIGNIN_ACCOUNT)) == 0
    assert db.session.scalar(sa.select(account_models.Throttle.failures).where(
        account_models.Throttle.scope == throttle.SIGNIN_ADDRESS)) == 4


def test_every_failure_and_lockout_is_audited(client):
    sam = UserFactory(email="sam@example.com")
    for _ in range(7):
        attempt(client, "SAM@example.com ")
    attempt(client, "nobody@example.com")

    failed = events("signin.failed")
    locked = events("signin.locked")
    assert [(e.entity_id, e.details["email"]) for e in failed] == [(sam.id, "sam@example.com")] * 5 + [
        (None, "nobody@example.com")]
    assert all(e.actor_id is None and e.details["address"] == "127.0.0.1" for e in failed)
    assert len(locked) == 1 and locked[0].entity_id == sam.id
    assert locked[0].details["until"] == "2026-11-17T09:31:00"
    # The two refused while locked are counted on the lock, not written one by one.
    assert signin.account_throttle(sam).refused == 2


def test_an_admin_sees_the_lock_and_unlocks_it(client, people, login):
    team = people["team"]
    for _ in range(5):
        attempt(client, team.email)
    admin = login(people["admin"])

    page = admin.get(f"/admin/users/{team.id}").get_data(as_text=True)
    assert "Locked after too many failed sign-ins, until" in page
    assert page.count("Failed sign-in as") == 5

    assert admin.post(f"/admin/users/{team.id}/unlock").status_code == 302
    assert signin.account_lock(team) is None
    (unlocked,) = events("signin.unlocked")
    assert unlocked.actor_id == people["admin"].id and unlocked.entity_id == team.id
    assert attempt(client, team.email, PASSWORD).status_code == 302


def test_only_admins_unlock(people):
    with pytest.raises(NotAllowed):
        signin.unlock(people["pm"], people["team"])


def test_the_reset_request_hook_limits_requests_per_email_and_address(app, clock):
    answers = [signin.reset_request_refusal("sam@example.com", "10.0.0.9") for _ in range(6)]

    assert answers[:5] == [None] * 5
    assert answers[5] is not None and answers[5].retry_after == 60
    assert "reset requests for this email" in answers[5].message
    clock.advance(minutes=1)
    assert signin.reset_request_refusal("sam@example.com", "10.0.0.9") is None


def test_parallel_guesses_queue_on_the_lock_so_none_slips_past_the_count(app, hash_checks):
    UserFactory(email="sam@example.com")
    db.session.commit()
    app.test_client_class = RequestClient

    def guess(_n: int) -> int:
        with app.app_context():  # each thread its own session, as each gunicorn worker has
            try:
                return attempt(app.test_client(), "sam@example.com").status_code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(16)))

    assert sorted(answers) == [200] * 4 + [429] * 12
    assert hash_checks == ["real"] * 5
