"""Users, their global role, and personal API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.core import clock
from app.core.models import str_enum
from app.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    SALES_MANAGER = "sales_manager"
    PROJECT_MANAGER = "project_manager"
    PRODUCT_MANAGER = "product_manager"
    TEAM_MEMBER = "team_member"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.SALES_MANAGER: "Sales manager",
    Role.PROJECT_MANAGER: "Project manager",
    Role.PRODUCT_MANAGER: "Product manager",
    Role.TEAM_MEMBER: "Team member",
}


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[Role] = so.mapped_column(str_enum(Role))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # A team member who sells: may record customer commitments like a sales manager.
    sales_rep: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    last_login_at: so.Mapped[datetime | None]

    tokens: so.WriteOnlyMapped[ApiToken] = so.relationship(back_populates="user")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in and sessions of deactivated users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def sells(self) -> bool:
        return self.role is Role.SALES_MANAGER or self.sales_rep

    @property
    def role_label(self) -> str:
        return self.role.label

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(80))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(12))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    last_used_at: so.Mapped[datetime | None]
    revoked_at: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Throttle(db.Model):  # type: ignore[name-defined,misc]
    """Failed attempts counted against one key (an email as typed, a client address) and its lock.

    In the database rather than process memory or Redis, so every worker and machine agrees, a
    development server without Redis has it too, tests move its clock, and an admin's unlock and
    the audit events commit with it (app/accounts/throttle.py).
    """

    __tablename__ = "throttles"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    scope: so.Mapped[str] = so.mapped_column(sa.String(20))  # which limit: "signin-account", "token-address", ...
    key: so.Mapped[str] = so.mapped_column(sa.String(254))
    failures: so.Mapped[int] = so.mapped_column(default=0)  # since window_start
    window_start: so.Mapped[datetime | None]
    lockouts: so.Mapped[int] = so.mapped_column(default=0)  # in a row: picks the length of the next one
    locked_until: so.Mapped[datetime | None]
    # Attempts refused while locked: counted here, not audited one by one (a flood would fill the trail).
    refused: so.Mapped[int] = so.mapped_column(default=0)
    seen_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, index=True)


class PasswordReset(db.Model):  # type: ignore[name-defined,misc]
    """One "forgot your password?" email: a single-use, short-lived link (app/accounts/resets.py).

    The link's token is never stored: only its SHA-256, to find the row, and ``secret``, a random
    value the token is derived from with ``SECRET_KEY`` so the outbox can build the email when it
    sends it (a copy of the table alone opens nothing). ``secret`` is wiped when the link ends.
    """

    __tablename__ = "password_resets"
    __table_args__ = (sa.Index("ix_password_resets_user_id_ended_at", "user_id", "ended_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The outbox row that carries the email (no foreign key: accounts does not depend on notifications).
    notification_id: so.Mapped[int | None] = so.mapped_column(index=True)
    address: so.Mapped[str] = so.mapped_column(sa.String(45), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    expires_at: so.Mapped[datetime]
    ended_at: so.Mapped[datetime | None]
    # "used", or "password_changed" when the password changed some other way first.
    ended_reason: so.Mapped[str | None] = so.mapped_column(sa.String(20))

    user: so.Mapped[User] = so.relationship()


class TwoFactor(db.Model):  # type: ignore[name-defined,misc]
    """A person's authenticator app (TOTP, RFC 6238), from enrolment on (app/accounts/twofactor.py).

    The app's key is derived from ``seed`` with ``SECRET_KEY`` (``app.core.tokens.keyed``): the
    server must compute codes, so it cannot keep only a hash, but a copy of the table alone computes
    none. ``confirmed_at`` is None while the person has scanned the code but not yet typed one back.
    """

    __tablename__ = "two_factor"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    seed: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    confirmed_at: so.Mapped[datetime | None]
    # The time step of the last code accepted: a code (and any older one) is accepted once.
    last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    # While unconfirmed: the sign-in session that began the enrolment, the only one that may confirm it.
    session_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user_sessions.id", ondelete="SET NULL"))

    user: so.Mapped[User] = so.relationship()

    @property
    def is_on(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    """One of the ten one-time codes that stand in for the authenticator app; only ``salt$SHA-256`` is kept."""

    __tablename__ = "recovery_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(80))
    created_at: so.Mapped[datetime] = so.mapped_column(default=clock.now)
    used_at: so.Mapped[datetime | None]


class RolePolicy(db.Model):  # type: ignore[name-defined,misc]
    """What an admin requires of everyone with a role; a role without a row requires nothing."""

    __tablename__ = "role_policies"

    role: so.Mapped[Role] = so.mapped_column(str_enum(Role), primary_key=True)
    two_factor_required: so.Mapped[bool] = so.mapped_column(default=False)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=clock.now, onupdate=clock.now)
