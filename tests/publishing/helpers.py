"""What the publishing tests share: a publishing token made through the service."""

from __future__ import annotations

from app.accounts.models import User
from app.extensions import db
from app.publishing import services


def publishing_token(admin: User, name: str = "Intranet") -> str:
    """A fresh working token (committed), as the admin's page shows it once."""
    _token, secret = services.create_token(admin, name)
    db.session.commit()
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
