"""Two-factor sign-in: an authenticator app (TOTP, RFC 6238), recovery codes, trusted browsers.

Optional per person, and required of every role an admin ticks (``role_policies``). Whoever has
it on signs in with their password and then a code (``signin.second_factor``, throttled like a
password). Whoever's role requires it but has not set it up signs in to a session that reaches
only the set-up page (``UserSession.needs_two_factor``, enforced in app/accounts/auth.py).

Enrolment: :func:`begin` keeps a fresh key (unconfirmed) and draws its QR code here, as SVG;
:func:`confirm` turns it on once the person types a code from their app back, and issues ten
recovery codes, shown once and kept as salted SHA-256 (79 random bits each). A code is accepted once:
``last_step`` remembers the newest time step used, so neither it nor an older one passes again.

"Trust this browser" skips the code at later sign-ins from the same browser for
``TRUST_BROWSER_DAYS``: a random cookie whose hash sits on the session it came with
(``UserSession.trust_hash``), listed on the security page and forgotten with it, or with any
password change, reset or sign-out-everywhere (``sessions.forget_trusted``).
"""

from __future__ import annotations

import base64
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from app.accounts.models import RecoveryCode, Role, RolePolicy, TwoFactor, User
from app.accounts.sessions import EndReason, UserSession, end_sessions, forget_trusted
from app.audit import services as audit
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import total
from app.core.tokens import digest, keyed, secret_keys
from app.extensions import db

#: Codes from an app whose clock is this many 30-second steps off either way are still accepted.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
#: Recovery codes are written in this alphabet (no 0/o, 1/l/i to misread): 16 characters, 79 bits.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_CODE_LENGTH = 16
#: An enrolment begun and left unconfirmed this long is started afresh (a new key, a new QR code).
ENROLMENT_KEEPS = timedelta(hours=1)
WRONG_CODE = "That code is not right. Type the 6 digits your app shows now, or a recovery code."


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the key as a QR code and as text to type in by hand."""

    key: str
    uri: str
    qr: Markup

    @property
    def key_groups(self) -> str:
        return " ".join(self.key[i:i + 4] for i in range(0, len(self.key), 4))


# --- who has it, who must have it -----------------------------------------------------------------

def record_of(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_on(user: User) -> bool:
    record = record_of(user)
    return record is not None and record.is_on


def required_roles() -> set[Role]:
    return set(db.session.scalars(sa.select(RolePolicy.role).where(RolePolicy.two_factor_required)))


def is_required(user: User) -> bool:
    return bool(db.session.scalar(
        sa.select(RolePolicy.two_factor_required).where(RolePolicy.role == user.role)))


def needs_setting_up(user: User) -> bool:
    """Whether ``user``'s role requires two-factor and they have not set it up (one query): their
    password-only sessions and their API tokens reach nothing but the set-up page."""
    enrolled = sa.exists().where(TwoFactor.user_id == user.id, TwoFactor.confirmed_at.is_not(None))
    return bool(db.session.scalar(sa.select(RolePolicy.two_factor_required).where(
        RolePolicy.role == user.role, RolePolicy.two_factor_required, ~enrolled)))


def require_for_roles(actor: User, roles: set[Role]) -> set[Role]:
    """An admin decides which roles must sign in with a code; returns the roles that changed.

    Sessions already open follow at once: those of people in a newly required role without the
    app reach only the set-up page from their next request; a role no longer required frees them.
    """
    if not actor.is_admin:
        raise NotAllowed("Only admins decide who must use two-factor sign-in.")
    before = required_roles()
    changed = before ^ roles
    for role in changed:
        policy = db.session.get(RolePolicy, role) or RolePolicy(role=role)
        policy.two_factor_required = role in roles
        db.session.add(policy)
    if not changed:
        return changed
    enrolled = sa.select(TwoFactor.user_id).where(TwoFactor.confirmed_at.is_not(None))
    for required in (True, False):
        affected = [role for role in changed if (role in roles) is required]
        if affected:
            people = sa.select(User.id).where(User.role.in_(affected), User.id.not_in(enrolled))
            db.session.execute(sa.update(UserSession)
                               .where(UserSession.user_id.in_(people), UserSession.ended_at.is_(None))
                               .values(needs_two_factor=required).execution_options(synchronize_session="fetch"))
    names = ", ".join(sorted(role.label for role in roles)) or "no role"
    audit.record(actor, "two_factor.policy", f"Two-factor sign-in required for: {names}", entity="role_policy",
                 entity_id=None, details={"required": sorted(role.value for role in roles)})
    db.session.flush()
    return changed


def adoption() -> dict[Role, tuple[int, int]]:
    """Per role: (people active, of whom with two-factor on), for the admin's policy page; one query."""
    rows = db.session.execute(
        sa.select(User.role, sa.func.count(User.id), sa.func.count(TwoFactor.confirmed_at))
        .outerjoin(TwoFactor, TwoFactor.user_id == User.id).where(User.active).group_by(User.role))
    counts = {role: (0, 0) for role in Role}
    counts.update({role: (people, enrolled) for role, people, enrolled in rows})
    return counts


# --- enrolment ------------------------------------------------------------------------------------

def _key(record: TwoFactor, secret_key: str | None = None) -> str:
    """The base32 key the app holds: 160 bits derived from the row's seed with SECRET_KEY (or
    ``secret_key``: an app set up before a rotation holds the key derived with the one it replaced)."""
    return base64.b32encode(keyed("totp", record.seed, secret_key)[:20]).decode()


def begin(user: User, here: UserSession) -> Enrolment:
    """The key to scan in the browser of session ``here``: the one it began within the hour, or a
    fresh one (the caller commits).

    A key belongs to the session that began it: another session of the person (another browser,
    or someone else's with the password alone) that opens the page gets a fresh key, which voids
    the first, so nobody learns the key the person ends up confirming.
    """
    record = record_of(user)
    if record is not None and record.is_on:
        raise InvalidInput("Two-factor sign-in is already on.")
    if record is None or record.session_id != here.id or clock.now() - record.created_at > ENROLMENT_KEEPS:
        if record is not None:
            db.session.delete(record)
            db.session.flush()
        record = TwoFactor(user_id=user.id, seed=secrets.token_urlsafe(32), created_at=clock.now(), session_id=here.id)
        db.session.add(record)
        db.session.flush()
    key = _key(record)
    issuer = current_app.config["TWO_FACTOR_ISSUER"]
    uri = pyotp.TOTP(key).provisioning_uri(name=user.email, issuer_name=issuer)
    qr = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#111827", light="#ffffff",
                                               svgclass="qr-code", title=f"QR code for {issuer}")
    return Enrolment(key, uri, Markup(qr))  # noqa: S704 - segno's own SVG, with no text of ours in it


def confirm(user: User, here: UserSession, code: str) -> list[str]:
    """Turn two-factor on, in the session that began it, with a code from the app just set up;
    returns the recovery codes, to show once.

    Every other session of the person ends: each signed in with the password alone, which no
    longer signs anyone in (and one may be someone else's, confined to the set-up page).
    """
    record = record_of(user)
    if record is None or record.is_on or record.session_id != here.id:
        raise InvalidInput("Start again: scan the new QR code.",
                           {"code": ["That set-up was replaced or has expired: scan the QR code shown now."]})
    if not _accept_app_code(record, code):
        raise InvalidInput("Two-factor sign-in is not on yet.", {"code": ["That code is not right. Check the "
                                                                          "time on your phone and type the newest one."]})
    record.confirmed_at, record.session_id = clock.now(), None
    here.needs_two_factor = False
    end_sessions(user, keep=here, reason=EndReason.TWO_FACTOR_ON)
    audit.record(user, "two_factor.enabled", "Turned on two-factor sign-in", entity="user", entity_id=user.id)
    return _issue_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes; the old ones stop working. Shown once (the caller commits)."""
    if not is_on(user):
        raise InvalidInput("Two-factor sign-in is off: there are no recovery codes to replace.")
    audit.record(user, "two_factor.recovery_codes", "Made new recovery codes", entity="user", entity_id=user.id)
    return _issue_recovery_codes(user)


def _issue_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_salted(secrets.token_hex(4), code)) for code in codes)
    db.session.flush()
    return [format_recovery_code(code) for code in codes]


def _salted(salt: str, code: str) -> str:
    """``salt$sha256(salt + code)``: a 32-bit salt of its own per code, as ASVS 2.6.2 asks of look-up
    secrets under 112 bits, so one precomputed table cannot serve every row."""
    return f"{salt}${digest(salt + code)}"


def format_recovery_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def turn_off_own(user: User) -> User:
    """The person turns two-factor off (the caller has checked their password), unless their role
    requires it. Returns ``user``."""
    if is_required(user):
        raise InvalidInput("Your role requires two-factor sign-in: it stays on. Make new recovery codes "
                           "or ask an admin if you changed phones.")
    if _remove(user):
        audit.record(user, "two_factor.disabled", "Turned off two-factor sign-in", entity="user", entity_id=user.id)
    return user


def reset(actor: User | None, user: User) -> User:
    """An admin (``actor`` None: the command line) turns two-factor off for someone who lost their
    phone and codes, which ends every session of theirs; their own goes through :func:`turn_off_own`,
    which asks for the password. Returns ``user``."""
    if actor is not None and not actor.is_admin:
        raise NotAllowed("Only admins turn off someone else's two-factor sign-in.")
    if actor is not None and actor.id == user.id:
        raise InvalidInput("Turn off your own two-factor sign-in under Settings → Security: it asks for your password.")
    if _remove(user):
        end_sessions(user, except_current=False, reason=EndReason.TWO_FACTOR_RESET)
        audit.record(actor, "two_factor.disabled", f"Turned off two-factor sign-in for {user.email}",
                     entity="user", entity_id=user.id)
    return user


def _remove(user: User) -> bool:
    """Forget ``user``'s app, recovery codes and trusted browsers; False if there was nothing to forget."""
    record = record_of(user)
    if record is None:
        return False
    db.session.delete(record)
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    forget_trusted(user)
    db.session.flush()
    return True


# --- codes at sign-in -----------------------------------------------------------------------------

def _normalise(code: str) -> str:
    """The code as typed, without spaces or dashes, in ASCII: full-width digits from an input method
    become ordinary ones (NFKC); anything else that is not a letter or digit of ours is dropped."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code).lower() if ch.isascii() and ch.isalnum())


def verify(user: User, code: str) -> str | None:
    """Whether ``code`` is a code of ``user``'s: "app" or "recovery" (now used up), else None."""
    record = record_of(user)
    if record is None or not record.is_on:
        return None
    typed = _normalise(code)
    if len(typed) == 6 and typed.isdigit():
        return "app" if _accept_app_code(record, typed) else None
    if len(typed) != _CODE_LENGTH:
        return None
    unused = db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                               RecoveryCode.used_at.is_(None))).all()
    match = next((row for row in unused
                  if hmac.compare_digest(row.code_hash, _salted(row.code_hash.partition("$")[0], typed))), None)
    # Marked used only if still unused: of two requests racing with one code, one signs in.
    if match is None or not db.session.execute(
        sa.update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now()).execution_options(synchronize_session="fetch")
    ).rowcount:  # type: ignore[attr-defined]
        return None
    audit.record(user, "two_factor.recovery_used", "Signed in with a recovery code", entity="user", entity_id=user.id)
    return "recovery"


def _step(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp()) // 30


def _accept_app_code(record: TwoFactor, code: str) -> bool:
    typed = _normalise(code)
    # SECRET_KEY first, then the keys it replaced (SECRET_KEY_FALLBACKS): the app keeps the key it was
    # given at set-up, derived with the SECRET_KEY of that day.
    apps = [pyotp.TOTP(_key(record, secret_key)) for secret_key in secret_keys()]
    now = _step(clock.now())
    for step in (now, *(now + d for d in range(-DRIFT_STEPS, DRIFT_STEPS + 1) if d)):
        if record.last_step is not None and step <= record.last_step:
            continue  # used already, or older than a code used already: a replay
        if any(hmac.compare_digest(totp.generate_otp(step), typed) for totp in apps):
            record.last_step = step
            return True
    return False


# --- trusted browsers -----------------------------------------------------------------------------

def trust_lifetime() -> timedelta:
    return timedelta(days=current_app.config["TRUST_BROWSER_DAYS"])


def trust(record: UserSession) -> str:
    """Trust the browser of ``record`` to skip the code; returns its cookie's value (never stored)."""
    token = secrets.token_urlsafe(32)
    record.trust_hash, record.trusted_until = digest(token), clock.now() + trust_lifetime()
    audit.record(record.user, "two_factor.trusted", f"Trusted {record.device} to skip the code",
                 entity="user_session", entity_id=record.id)
    db.session.flush()
    return token


def trusted_session(user: User, token: str) -> UserSession | None:
    """The session that left this trust cookie, if it is ``user``'s and its trust still holds."""
    return db.session.scalar(sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.trust_hash == digest(token), UserSession.trusted_until > clock.now()))


def move_trust(old: UserSession, new: UserSession) -> str:
    """A trusted browser signed in again: the trust moves to the new session, with a new cookie and
    its old end (trust is never extended by use)."""
    token = secrets.token_urlsafe(32)
    until = old.trusted_until
    old.trust_hash = old.trusted_until = None
    db.session.flush()  # the unique hash must leave the old row first
    new.trust_hash, new.trusted_until = digest(token), until
    db.session.flush()
    return token


def _trusted_of(user: User) -> sa.Select[tuple[UserSession]]:
    return sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.trusted_until > clock.now())


def trusted_browsers(user: User, limit: int = 20) -> Sequence[UserSession]:
    """The browsers that skip the code, the most recently trusted first (bounded: "forget all" covers the rest)."""
    return db.session.scalars(_trusted_of(user).order_by(UserSession.trusted_until.desc(), UserSession.id.desc())
                              .limit(limit)).all()


def count_trusted_browsers(user: User) -> int:
    return total(_trusted_of(user))


def trusted_browser_of(user: User, session_id: int) -> UserSession | None:
    return db.session.scalar(_trusted_of(user).where(UserSession.id == session_id))


def forget_browser(user: User, record: UserSession) -> None:
    record.trust_hash = record.trusted_until = None
    audit.record(user, "two_factor.forgotten", f"{record.device} must type a code again",
                 entity="user_session", entity_id=record.id)
    db.session.flush()


def forget_all_browsers(user: User) -> int:
    forgotten = forget_trusted(user)
    if forgotten:
        audit.record(user, "two_factor.forgotten", "Every browser must type a code again",
                     entity="user", entity_id=user.id)
    return forgotten
