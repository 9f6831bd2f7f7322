"""The hourly clean-up: sign-in sessions past every lifetime and long-expired reset links are deleted,
a browser still trusted keeps its mark, and nothing live is touched."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts import jobs, resets, sessions
from app.accounts.models import PasswordReset
from app.accounts.sessions import EndReason, UserSession, end_session, start_session
from app.background import registry
from app.extensions import db


def _session(user, *, days_ago: int, clock, ended: bool = False, trusted_days: int | None = None) -> int:
    now = clock.now()
    clock.to(now - timedelta(days=days_ago))
    record = start_session(user, remember=False, ip="192.0.2.1", user_agent="test").session
    if ended:
        end_session(record, EndReason.SIGNED_OUT)
    if trusted_days is not None:
        record.trust_hash, record.trusted_until = f"trust-{record.id}", clock.now() + timedelta(days=trusted_days)
    db.session.flush()
    clock.to(now)
    return record.id


def _reset(user, *, expired_days_ago: int, clock) -> int:
    reset = PasswordReset(user=user, token_hash=f"hash-{expired_days_ago}", secret=None,
                          expires_at=clock.now() - timedelta(days=expired_days_ago))
    db.session.add(reset)
    db.session.flush()
    return reset.id


def _left(model) -> set[int]:
    return set(db.session.scalars(sa.select(model.id)))


def test_only_what_protects_nobody_is_deleted(app, people, clock):
    user = people["sales"]
    keep = {
        _session(user, days_ago=0, clock=clock),                        # signed in now
        _session(user, days_ago=10, clock=clock, ended=True),           # ended, but recent
        _session(user, days_ago=36, clock=clock),                       # past its 30 days, not a week past
        _session(user, days_ago=60, clock=clock, trusted_days=90),      # long dead, its browser still trusted
    }
    gone = {
        _session(user, days_ago=38, clock=clock, ended=True),
        _session(user, days_ago=40, clock=clock),                       # never ended: dead by age alone
        _session(user, days_ago=60, clock=clock, trusted_days=30),      # trust over too
    }
    kept_resets = {_reset(user, expired_days_ago=0, clock=clock), _reset(user, expired_days_ago=6, clock=clock)}
    _reset(user, expired_days_ago=8, clock=clock)

    assert (sessions.purge(clock.now()), resets.purge(clock.now())) == (len(gone), 1)
    db.session.commit()
    assert _left(UserSession) == keep and _left(PasswordReset) == kept_resets


def test_the_job_runs_at_most_once_an_hour(app, people, clock):
    assert any(job.func is jobs.clean_up for job in registry.periodic_jobs())
    _session(people["sales"], days_ago=40, clock=clock)
    db.session.commit()
    assert jobs.clean_up() == "1 old session, 0 expired reset links deleted"
    _session(people["sales"], days_ago=40, clock=clock)
    db.session.commit()
    clock.advance(minutes=59)
    assert jobs.clean_up() == "not due"
    clock.advance(minutes=2)
    assert jobs.clean_up() == "1 old session, 0 expired reset links deleted"
