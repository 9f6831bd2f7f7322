"""Signing in under throttling: failures limited per account and per client address, all audited.

The account key is the email *as typed* (normalised), whether or not an account has it, so an
unknown email counts, locks and reads exactly like a known one; and an unknown email's password
is checked against a dummy hash of the same cost (``services.authenticate``). A locked key is
refused before any password is checked. Each checked failure and each lockout is an audit event;
attempts refused while locked are only counted on the throttle row (``refused``), so a flood
cannot fill the trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.accounts import services, throttle, twofactor
from app.accounts.models import Throttle, User
from app.accounts.throttle import Lock
from app.audit import services as audit
from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import NotAllowed
from app.extensions import db

MISMATCH = "That email and password do not match an active account."
_LOCK_MESSAGES = {
    throttle.SIGNIN_ACCOUNT: "Too many failed sign-ins for this email. Wait {wait} before trying again.",
    throttle.SIGNIN_ADDRESS: "Too many failed sign-ins from your network. Wait {wait} before trying again.",
    throttle.TOKEN_ADDRESS: "Too many requests with an unknown token from your address. Wait {wait} before trying again.",
    throttle.RESET_ACCOUNT: "Too many reset requests for this email. Wait {wait} before asking again.",
    throttle.RESET_ADDRESS: "Too many reset requests from your network. Wait {wait} before asking again.",
}
FAILURE_ACTIONS = ("signin.failed", "signin.locked", "signin.unlocked")


@dataclass(frozen=True)
class Refusal:
    """Why nobody was signed in: the message for the page, and for a lockout the seconds to wait."""

    message: str
    retry_after: int | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return 429 if self.retry_after is not None else 200


def refusal_for(lock: Lock) -> Refusal:
    now = clock.now()
    seconds = lock.seconds_left(now)
    return Refusal(_LOCK_MESSAGES[lock.scope].format(wait=lock.wait_text(now)), seconds,
                   {"Retry-After": str(seconds)})


def sign_in(email: str, password: str, address: str) -> User | Refusal:
    """The user these credentials sign in, or why not; a failure is counted and audited (the caller commits)."""
    throttle.prune()
    key, rows, refusal = _hold(email, address)
    if refusal is not None:
        return refusal  # no password is checked while locked
    user = services.authenticate(email, password)
    if user is not None:
        return user  # its failures are forgotten once the sign-in completes (forget_failures)
    known = services.find_by_email(key)
    return _failed(rows, key, address, known.id if known is not None else None, MISMATCH)


def _hold(email: str, address: str) -> tuple[str, list[Throttle], Refusal | None]:
    """The email's (normalised, the key) and the address's sign-in throttles, held for this
    transaction, and the refusal while either is locked: what a password or a code is checked under."""
    key = services.normalise_email(email)
    rows = throttle.hold([(throttle.SIGNIN_ACCOUNT, key), (throttle.SIGNIN_ADDRESS, address)])
    lock = throttle.first_lock(rows)
    return key, rows, refusal_for(lock) if lock is not None else None


def forget_failures(user: User) -> None:
    """A sign-in completed (the password, and the code when one is owed): the email starts afresh.

    Not before: were the right password alone to clear the count, typing it again between wrong
    codes would buy unlimited guesses at the code. Only the email's count: signing in to one's own
    account must not buy an address more guesses at others'.
    """
    row = throttle.find(throttle.SIGNIN_ACCOUNT, services.normalise_email(user.email))
    if row is not None:
        throttle.clear(row)


def check_current_password(user: User, password: str, address: str) -> Refusal | None:
    """A signed-in person proving their password again (to change it), or why not. Guesses count
    against the same limits as signing in, so a session left open is no way to guess it at leisure."""
    key, rows, refusal = _hold(user.email, address)
    if refusal is not None:
        return refusal
    if user.check_password(password):
        return None
    return _failed(rows, key, address, user.id, "That is not your current password.")


def second_factor(user: User, code: str, address: str) -> str | Refusal:
    """The code after the password: "app" or "recovery" when it is right, or why not. Wrong codes
    count against the same limits as wrong passwords, so the code cannot be guessed either."""
    key, rows, refusal = _hold(user.email, address)
    if refusal is not None:
        return refusal
    kind = twofactor.verify(user, code)
    if kind is not None:
        return kind
    return _failed(rows, key, address, user.id, twofactor.WRONG_CODE, what="Wrong two-factor code")


def _failed(rows: Sequence[Throttle], key: str, address: str, entity_id: int | None, message: str,
            what: str = "Failed sign-in") -> Refusal:
    """Count and audit a wrong password (or code) against each of ``rows``; a lockout it causes is the refusal."""
    details = {"email": key, "address": address}
    audit.record(None, "signin.failed", f"{what} as {key} from {address}", entity="user",
                 entity_id=entity_id, details=details)
    locks = [lock for row in rows if (lock := throttle.fail(row, throttle.policy(row.scope))) is not None]
    for lock in locks:
        audit.record(None, "signin.locked", _lock_summary(lock), entity="user", entity_id=entity_id,
                     details={**details, "scope": lock.scope, "until": lock.until.isoformat()})
    return refusal_for(max(locks, key=lambda lock: lock.until)) if locks else Refusal(message)


def token_refusal(address: str) -> Refusal | None:
    """Whether bearer tokens from ``address`` are refused for now (too many unknown ones)."""
    lock = throttle.lock_of(throttle.find(throttle.TOKEN_ADDRESS, address))
    return refusal_for(lock) if lock is not None else None


def token_failed(address: str) -> None:
    """Count and audit an unknown, revoked or disowned bearer token sent from ``address``."""
    (row,) = throttle.hold([(throttle.TOKEN_ADDRESS, address)])
    audit.record(None, "token.failed", f"Unknown API token from {address}", entity="api_token", entity_id=None,
                 details={"address": address})
    if (lock := throttle.fail(row, throttle.policy(row.scope))) is not None:
        audit.record(None, "token.locked", _lock_summary(lock), entity="api_token", entity_id=None,
                     details={"address": address, "scope": lock.scope, "until": lock.until.isoformat()})


def reset_request_refusal(email: str, address: str) -> Refusal | None:
    """The hook for the password-reset request: call it first, with the email as typed; every request
    counts (the page answers the same whether or not the email exists), and a refusal is shown instead."""
    key = services.normalise_email(email)
    rows = throttle.hold([(throttle.RESET_ACCOUNT, key), (throttle.RESET_ADDRESS, address)])
    if (lock := throttle.first_lock(rows)) is not None:
        return refusal_for(lock)
    for row in rows:
        if (lock := throttle.fail(row, throttle.policy(row.scope))) is not None:
            audit.record(None, "reset.locked", _lock_summary(lock), entity="user", entity_id=None,
                         details={"email": key, "address": address, "scope": lock.scope,
                                  "until": lock.until.isoformat()})
    return None


def _lock_summary(lock: Lock) -> str:
    what = "address" if lock.scope.endswith("-address") else "email"
    return f"Locked {lock.scope.split('-')[0]} for {what} {lock.key} until {lock.until:%Y-%m-%d %H:%M} UTC"


# --- what admins see and do --------------------------------------------------------------------

def account_throttle(user: User) -> Throttle | None:
    """The sign-in throttle of ``user``'s email (failures, locked until), if any attempt left one."""
    return throttle.find(throttle.SIGNIN_ACCOUNT, user.email)


def account_lock(user: User) -> Lock | None:
    return throttle.lock_of(account_throttle(user))


def recent_failures(user: User, limit: int = 10) -> Sequence[AuditEvent]:
    """The latest failed sign-ins, lockouts and unlocks of ``user``, newest first."""
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "user", AuditEvent.entity_id == user.id, AuditEvent.action.in_(FAILURE_ACTIONS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()


def unlock(actor: User, user: User) -> None:
    """An admin lifts the lock on ``user``'s email and forgets its failures (the address locks stay)."""
    if not actor.is_admin:
        raise NotAllowed("Only admins unlock accounts.")
    row = account_throttle(user)
    if row is None:
        return
    throttle.clear(row)
    audit.record(actor, "signin.unlocked", f"Unlocked sign-in for {user.email}", entity="user", entity_id=user.id)
