"""``Idempotency-Key`` on every POST of the API, so a client may retry a write it is unsure of.

As Stripe does, and as the IETF draft "The Idempotency-Key HTTP Header Field" describes: the first
request with a key runs and its response is kept for :data:`KEPT_FOR`; a retry with the same key,
method, path and body gets that response again, with ``Idempotent-Replayed: true``, and the view
does not run. :func:`api_blueprint` hooks :func:`claim` and :func:`store` onto every API blueprint,
so no view knows of it; a request without the header is untouched.

How far the guarantee goes, given that views commit their change before they build the response:

1. The claim (user, key, fingerprint) is inserted and committed before the view runs. The unique
   (user, key) pair decides a race: the loser answers 409 while the first still runs.
2. The view's commit also marks the claim ``applied`` (a before-commit hook of
   app/core/transactions.py): the change and the mark are saved together or not at all.
3. The response is written to the claim as soon as the view returned, in a transaction of its own.

So a change is never made twice for one key. A 5xx is kept only when the change was committed
(running again would make it twice); otherwise the claim is let go and a retry runs afresh, as it
does after a claim whose request died before committing (older than :data:`CLAIM_TIMEOUT`). Should
the process die between steps 2 and 3, the retry is told the change was saved but its response was
lost (409 ``idempotency_response_lost``), and can read the record instead.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, current_app, g, has_app_context, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.api.models import IdempotencyKey
from app.core import clock, transactions
from app.errors import json_error
from app.extensions import db

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
#: How long a key and its response are kept: a retry later than this runs again (the hourly clean-up deletes it).
KEPT_FOR = timedelta(hours=24)
#: A claim this old whose change never committed belongs to a request that died: a retry takes it over.
#: Far beyond any request's time (gunicorn ends a worker after 30 seconds of silence).
CLAIM_TIMEOUT = timedelta(minutes=5)
#: The headers of a response that a replay repeats; the others (security headers, cookies) are made afresh.
KEPT_HEADERS = ("Content-Type", "Location", "ETag")
#: 1 to 255 printable ASCII characters (spaces too): a UUID, or the draft's quoted string, fits.
VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")

_HELD = "idempotency_claim"
_APPLIED = "idempotency.applied"


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What a retry must repeat exactly: the sha256 of method, path (with its query) and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # lengths first, so no two splits hash alike
        digest.update(part)
    return digest.hexdigest()


def claim() -> tuple[Response, int] | Response | None:
    """Before a POST's view: claim its key, or answer for it (a replay, 400, 409 or 422)."""
    if request.method != "POST" or HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    if not VALID_KEY.fullmatch(key):
        return json_error(400, "invalid", f"The {HEADER} header is invalid.",
                          {HEADER: ["Send 1 to 255 printable ASCII characters, the same for every retry."]})
    query = request.query_string.decode("latin-1")
    digest = fingerprint(request.method, request.path + (f"?{query}" if query else ""), request.get_data(cache=True))
    user_id: int = current_user.id
    now = clock.now()
    db.session.commit()  # what signing in wrote: the claim is a transaction of its own
    row = IdempotencyKey(user_id=user_id, key=key, fingerprint=digest, created_at=now)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _claimed_before(user_id, key, digest, now)
    _hold(sa.inspect(row).identity[0])
    return None


def _claimed_before(user_id: int, key: str, digest: str, now: datetime) -> tuple[Response, int] | Response | None:
    row = db.session.scalars(sa.select(IdempotencyKey).filter_by(user_id=user_id, key=key)).one_or_none()
    if row is None:  # let go (a failed first try) or cleaned up since our insert: the client may simply retry
        return _in_progress()
    if row.created_at <= now - KEPT_FOR:
        return _take_over(row, digest, now)
    if row.fingerprint != digest:
        return json_error(422, "idempotency_key_reused", f"This {HEADER} was used for another request.",
                          {HEADER: ["Already used with another method, path or body: use a new key."]})
    if row.status is not None:
        return _replay(row)
    if row.created_at > now - CLAIM_TIMEOUT:
        return _in_progress()
    if row.applied:
        return json_error(409, "idempotency_response_lost",
                          f"The request with this {HEADER} was saved, but its response was lost.",
                          {HEADER: ["Read the record instead of retrying: its change was made."]})
    return _take_over(row, digest, now)


def _in_progress() -> tuple[Response, int]:
    return json_error(409, "idempotency_in_progress", f"A request with this {HEADER} is still running.",
                      {HEADER: ["Retry once the first request has answered."]})


def _take_over(row: IdempotencyKey, digest: str, now: datetime) -> tuple[Response, int] | None:
    """Claim a key again whose response expired, or whose request died before committing anything.

    Only if nobody else did meanwhile: the row must still be as it was read."""
    claimed = db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.id == row.id, IdempotencyKey.created_at == row.created_at)
        .values(fingerprint=digest, created_at=now, applied=False, status=None, body=None, headers=None)
    ).rowcount
    db.session.commit()
    if not claimed:
        return _in_progress()
    _hold(row.id)
    return None


def _replay(row: IdempotencyKey) -> Response:
    response = current_app.response_class(row.body or b"", status=row.status)
    kept = row.headers or {}
    if "Content-Type" not in kept:
        del response.headers["Content-Type"]
    for name, value in kept.items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def _hold(claim_id: int) -> None:
    g.setdefault(_HELD, claim_id)
    transactions.before_commit(db.session, _APPLIED, _mark_applied)


def _mark_applied(session: so.Session) -> None:
    # Not once the response is stored: a commit then is that of the claim itself.
    claim_id = g.get(_HELD) if has_app_context() else None
    if claim_id is not None:
        session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.id == claim_id).values(applied=True))


def store(response: Response) -> Response:
    """After a claimed POST's view: keep its response for the retries (a 5xx before any commit: let the key go)."""
    claim_id = g.pop(_HELD, None)
    if claim_id is None:
        return response
    # Whatever the view left uncommitted is no part of its outcome (without the header, the end of
    # the request would roll it back too): only the claim is written now.
    db.session.rollback()
    found = sa.select(IdempotencyKey.applied).where(IdempotencyKey.id == claim_id)
    if response.status_code >= 500 and not db.session.scalar(found):
        db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))
    else:
        db.session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.id == claim_id).values(
            status=response.status_code, body=response.get_data(),
            headers={name: response.headers[name] for name in KEPT_HEADERS if name in response.headers},
        ))
    db.session.commit()
    return response


def purge(now: datetime) -> int:
    """Delete the keys older than :data:`KEPT_FOR`; how many."""
    gone = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - KEPT_FOR))
    return gone.rowcount  # type: ignore[attr-defined,no-any-return]
