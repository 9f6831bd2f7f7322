"""How a secret handed to a person or a program is stored: API tokens, calendar links, sign-in
sessions and their remember tokens, password-reset links, two-factor keys."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def digest(secret: str) -> str:
    """What is stored of ``secret``, and looked up by.

    Each of these secrets carries at least 80 random bits (most 256), so a fast hash is enough:
    guessing is hopeless either way, and a slow hash would only tax every request that presents one.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def keyed(purpose: str, seed: str) -> bytes:
    """A secret derived from a stored random ``seed`` with ``SECRET_KEY``, for one ``purpose``.

    For secrets the server must be able to compute again (a reset link the outbox writes later, the
    key of a person's authenticator app), where a hash will not do: the table keeps only the seed,
    so a copy of the database without the configuration computes nothing.
    """
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, purpose.encode() + b":" + seed.encode(), hashlib.sha256).digest()
