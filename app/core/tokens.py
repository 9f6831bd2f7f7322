"""How a secret handed to a person or a program is stored: API tokens, calendar links, sign-in
sessions and their remember tokens, password-reset links."""

from __future__ import annotations

import hashlib


def digest(secret: str) -> str:
    """What is stored of ``secret``, and looked up by.

    Each of these secrets carries at least 256 random bits, so a fast hash is enough: guessing is
    hopeless either way, and a slow hash would only tax every request that presents one.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
