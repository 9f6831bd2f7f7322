"""The password rules, in one place: long enough, not a common password, not the person's own
email or name. No composition rules (NIST SP 800-63B §5.1.1.2): they make passwords harder to
remember, not to guess.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercase (read once per process)."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _plain(text: str) -> str:
    """Lowercase, without spaces: "Pat Product" and "patproduct" are the same guess."""
    return "".join(text.lower().split())


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with ``password`` for the person with this email and name (empty: nothing)."""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    plain = _plain(password)
    own = {_plain(email), _plain(email.partition("@")[0]), _plain(name)} - {""}
    if plain in own:
        return ["Do not use your own email or name as your password."]
    if password.lower() in common_passwords() or plain in common_passwords():
        return ["This is one of the most common passwords: choose another."]
    return []
