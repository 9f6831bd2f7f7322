"""Users and tokens: creating and editing accounts, signing in, personal API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import ApiToken, PasswordReset, Role, User
from app.accounts.passwords import password_problems
from app.accounts.sessions import EndReason, end_sessions
from app.audit import services as audit
from app.core import clock
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, desc, ordered, paginate
from app.core.tokens import digest
from app.extensions import db

TOKEN_PREFIX = "cs_"


@dataclass(frozen=True)
class UserInput:
    email: str
    name: str
    role: Role
    active: bool = True
    sales_rep: bool = False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_rules(password: str, *, email: str = "", name: str = "") -> list[str]:
    """The password rules (``passwords.password_problems``) for the person with this email and name."""
    return password_problems(password, email=normalise_email(email), name=name.strip())


def create_user(actor: User | None, data: UserInput, password: str) -> User:
    """Create an account; ``actor`` is None when the CLI or the demo loader creates it."""
    email = normalise_email(data.email)
    errors: dict[str, list[str]] = {}
    if find_by_email(email) is not None:
        errors["email"] = ["An account with this email already exists."]
    if problems := check_password_rules(password, email=email, name=data.name):
        errors["password"] = problems
    if not data.name.strip():
        errors["name"] = ["Enter the person's name."]
    if errors:
        raise InvalidInput("The account was not created.", errors)
    user = User(email=email, name=data.name.strip(), role=data.role, active=data.active, sales_rep=data.sales_rep)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.created", f"Created account {email} ({data.role.label})", entity="user", entity_id=user.id)
    return user


def update_user(actor: User, user: User, data: UserInput, new_password: str = "") -> User:
    """An admin edits an account: name, email, role, active, and optionally a new password.

    What changes who may do what ends the person's sessions (see :func:`_end_sessions_after`).
    """
    if not actor.is_admin:
        raise NotAllowed("Only admins manage accounts.")
    email = normalise_email(data.email)
    errors: dict[str, list[str]] = {}
    other = find_by_email(email)
    if other is not None and other.id != user.id:
        errors["email"] = ["Another account uses this email."]
    if new_password and (problems := check_password_rules(new_password, email=email, name=data.name)):
        errors["password"] = problems
    if user.id == actor.id and (data.role is not Role.ADMIN or not data.active):
        errors["role"] = ["You cannot remove your own admin access or deactivate yourself."]
    if errors:
        raise InvalidInput("The account was not saved.", errors)
    before = {"email": user.email, "name": user.name, "role": user.role.value, "active": user.active,
              "sells": user.sales_rep}
    user.email, user.name, user.role, user.active = email, data.name.strip(), data.role, data.active
    user.sales_rep = data.sales_rep
    if new_password:
        user.set_password(new_password)
    after = {"email": user.email, "name": user.name, "role": user.role.value, "active": user.active,
             "sells": user.sales_rep}
    changed = audit.changes(before, after)
    if new_password:
        changed["password"] = ["", "changed"]
    db.session.flush()
    if changed:
        audit.record(actor, "user.updated", f"Edited account {user.email}: {audit.describe(changed)}",
                     entity="user", entity_id=user.id, details={"changes": changed})
    _end_sessions_after(actor, user, changed)
    return user


def _end_sessions_after(actor: User | None, user: User, changed: dict[str, list[object]]) -> None:
    """End the sessions an account change makes stale.

    A new password set by someone else (an admin, the command line) is a reset: every session and
    API token goes, since it is what one does when an account may be in someone else's hands. A
    change of one's own password, a deactivation, a new role or the "sells" flag end every other
    session; the browser that made the change stays signed in.
    """
    if "password" in changed:
        end_reset_links(user, "password_changed")
    reset = "password" in changed and (actor is None or actor.id != user.id)
    if reset:
        end_sessions(user, except_current=False, reason=EndReason.PASSWORD_RESET)
        revoke_all_tokens(actor, user)
    elif "active" in changed and not user.active:
        end_sessions(user, except_current=False, reason=EndReason.DEACTIVATED)
    elif "password" in changed:
        end_sessions(user, except_current=True, reason=EndReason.PASSWORD_CHANGED)
    elif "role" in changed or "sells" in changed:
        end_sessions(user, except_current=True, reason=EndReason.ROLE_CHANGED)


def set_password(actor: User | None, user: User, password: str) -> None:
    """Set a new password (``actor`` None: the command line); someone else's is a reset, see
    :func:`_end_sessions_after`."""
    if problems := check_password_rules(password, email=user.email, name=user.name):
        raise InvalidInput("The password was not changed.", {"password": problems})
    user.set_password(password)
    changed: dict[str, list[object]] = {"password": ["", "changed"]}
    own = actor is not None and actor.id == user.id
    audit.record(actor, "user.updated", "Changed their password" if own else f"Set a new password for {user.email}",
                 entity="user", entity_id=user.id, details={"changes": changed})
    _end_sessions_after(actor, user, changed)
    db.session.flush()


def change_password(user: User, current: str, new: str) -> User:
    """Settings → Security: the person changes their own password, proving the current one; every
    other session of theirs ends, this one stays."""
    if not user.check_password(current):
        raise InvalidInput("The password was not changed.", {"current_password": ["That is not your current password."]})
    return replace_own_password(user, current, new)


def replace_own_password(user: User, current: str, new: str) -> User:
    """The change itself, once the current password is proven: the page proves it through
    ``signin.check_current_password``, which counts wrong guesses, so it is hashed only once."""
    if new == current:
        raise InvalidInput("The password was not changed.", {"new_password": ["Choose a password you do not use now."]})
    try:
        set_password(user, user, new)
    except InvalidInput as refused:
        raise InvalidInput(refused.message, {"new_password": refused.fields["password"]}) from None
    return user


def end_reset_links(user: User, reason: str) -> int:
    """End every reset link of ``user`` still open (the password changed, or one of them was used)."""
    ended: int = db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.ended_at.is_(None))
        .values(ended_at=clock.now(), ended_reason=reason, secret=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount  # type: ignore[attr-defined]
    return ended


def revoke_all_tokens(actor: User | None, user: User) -> int:
    """Revoke every API token of ``user`` still working; returns how many."""
    revoked: int = db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now()).execution_options(synchronize_session="fetch")
    ).rowcount  # type: ignore[attr-defined]
    if revoked:
        audit.record(actor, "token.revoked", f"Revoked every API token of {user.email} ({revoked})",
                     entity="user", entity_id=user.id)
    return revoked


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (the same answer for every failure)."""
    user = find_by_email(email)
    if user is None:
        # Spend the same time as a real check, so timing does not reveal which emails exist.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = clock.now()
    return user


_USER_ORDER = [desc(User.active), asc(User.name), asc(User.id)]


def list_users() -> Sequence[User]:
    """Every account, active ones first (``flask users list``)."""
    return db.session.scalars(ordered(sa.select(User), _USER_ORDER)).all()


def user_page(asked: PageRequest = FIRST_PAGE) -> Page[User]:
    """A page of the accounts, active ones first, by name."""
    return paginate(sa.select(User), _USER_ORDER, asked)


def active_users(role: Role | None = None) -> Sequence[User]:
    query = sa.select(User).where(User.active).order_by(User.name, User.id)
    if role is not None:
        query = query.where(User.role == role)
    return db.session.scalars(query).all()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the plain token is returned once and never stored."""
    if not name.strip():
        raise InvalidInput("Name the token.", {"name": ["Say what the token is for."]})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip()[:80], token_hash=digest(plain), prefix=plain[:8])
    db.session.add(token)
    db.session.flush()
    audit.record(user, "token.created", f"Created API token “{token.name}”", entity="api_token", entity_id=token.id)
    return token, plain


def user_tokens(user: User) -> Sequence[ApiToken]:
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise InvalidInput("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        audit.record(user, "token.revoked", f"Revoked API token “{token.name}”", entity="api_token", entity_id=token.id)
    return token


def user_for_token(plain: str) -> User | None:
    """The active owner of a valid, unrevoked token."""
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        token.last_used_at = now  # committed with the request, or by the loader for reads
    return token.user


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method="scrypt")
