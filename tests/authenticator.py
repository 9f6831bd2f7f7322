"""The person's authenticator app, as tests play it: the code it shows at the frozen clock's moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp

from app.core import clock


def code(key: str, moment: datetime | None = None, steps: int = 0) -> str:
    """What an app holding ``key`` shows at ``moment`` (the test's now), ``steps`` 30-second steps on."""
    at = moment or clock.now()
    return pyotp.TOTP(key).generate_otp(int(at.replace(tzinfo=UTC).timestamp()) // 30 + steps)
