"""How a secret handed to a person or a program is stored: API tokens, calendar links, sign-in
sessions and their remember tokens, password-reset links, two-factor keys.

``SECRET_KEY`` can be rotated without signing everyone out: the keys it replaced stay in
``SECRET_KEY_FALLBACKS`` for a while, and whatever was signed or derived with one of them is still
accepted (Flask checks its session cookie against them itself; :func:`secret_keys` gives the others).
New signatures and derivations always use ``SECRET_KEY``."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, Request, current_app
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer


def digest(secret: str) -> str:
    """What is stored of ``secret``, and looked up by.

    Each of these secrets carries at least 80 random bits (most 256), so a fast hash is enough:
    guessing is hopeless either way, and a slow hash would only tax every request that presents one.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_keys() -> list[str]:
    """``SECRET_KEY`` first, then the keys it replaced (``SECRET_KEY_FALLBACKS``), still accepted."""
    config = current_app.config
    return [config["SECRET_KEY"], *(key for key in config.get("SECRET_KEY_FALLBACKS") or () if key)]


def serializer_keys() -> list[str]:
    """:func:`secret_keys` in the order itsdangerous takes them: oldest first, the one it signs with last."""
    return list(reversed(secret_keys()))


def keyed(purpose: str, seed: str, key: str | None = None) -> bytes:
    """A secret derived from a stored random ``seed`` with ``SECRET_KEY`` (or ``key``, one of
    :func:`secret_keys`), for one ``purpose``.

    For secrets the server must be able to compute again (a reset link the outbox writes later, the
    key of a person's authenticator app), where a hash will not do: the table keeps only the seed,
    so a copy of the database without the configuration computes nothing.
    """
    secret = (key if key is not None else current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, purpose.encode() + b":" + seed.encode(), hashlib.sha256).digest()


class RotatingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, moved to the new key as soon as a browser comes back.

    Flask accepts a cookie signed with a key of ``SECRET_KEY_FALLBACKS``, but signs it again only when
    the session changes: a browser that only reads would keep the old signature, and be signed out
    the day the old key leaves the fallbacks. Here such a session is marked changed, so this very
    response signs it with ``SECRET_KEY``; the old key is then needed only by browsers not seen
    since the rotation (docs/operations.md says how long to keep it).
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        session = super().open_session(app, request)
        if session and app.config.get("SECRET_KEY_FALLBACKS") and not self._signed_with_secret_key(app, request):
            session.modified = True
        return session

    def _signed_with_secret_key(self, app: Flask, request: Request) -> bool:
        current = URLSafeTimedSerializer(app.secret_key, salt=self.salt, serializer=self.serializer,  # type: ignore[arg-type]
                                         signer_kwargs={"key_derivation": self.key_derivation,
                                                        "digest_method": self.digest_method})
        try:
            current.loads(request.cookies.get(self.get_cookie_name(app), ""),
                          max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return False
        return True
