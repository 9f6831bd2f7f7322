"""Unknown bearer tokens are limited per client address: a JSON 429 with Retry-After, all audited."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.services import issue_token
from app.audit.models import AuditEvent
from app.extensions import db
from tests.api.helpers import assert_json_error


def me(client, token: str, address: str = "127.0.0.1"):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"},
                      environ_base={"REMOTE_ADDR": address})


def test_unknown_tokens_from_one_address_get_a_429_with_retry_after(client, clock, people):
    _token, plain = issue_token(people["sales"], "real")
    answers = [me(client, f"cs_guess-{n}").status_code for n in range(20)]

    refused = me(client, plain)  # even a good token, unchecked, from that address

    assert answers == [401] * 20
    error = assert_json_error(refused, 429, "too_many_requests")
    assert "Wait 1 minute" in error["message"]
    assert refused.headers["Retry-After"] == "60"
    assert me(client, plain, address="10.0.0.2").status_code == 200
    clock.advance(minutes=1)
    assert me(client, plain).status_code == 200


def test_token_failures_and_the_lockout_are_audited(client, people):
    for n in range(21):
        me(client, f"cs_guess-{n}")

    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("token.failed") == 20  # the 21st was refused unchecked
    assert actions.count("token.locked") == 1
