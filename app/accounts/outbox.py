"""The one email accounts sends itself (a password reset link), handed to whichever outbox is set.

The email outbox is the notifications feature's (``notifications.services.send_email``), and
notifications sits above accounts: it reads ``User`` everywhere. So accounts names only what it
needs — a function that writes one outbox row for a person and says its id — and notifications
sets it at start-up (``app/notifications/jobs.py``, from the app factory). No event carries the
request: a reset link is a secret, never part of the public contract of ``app/events.py``.
"""

from __future__ import annotations

from typing import Protocol

from app.accounts.models import User
from app.core.slots import NotRegistered, Slot


class Sender(Protocol):
    def __call__(self, user: User, kind: str, subject: str) -> int:
        """Write one outbox row for ``user`` in the current transaction (it is sent after the
        commit, whatever their settings) and answer its id."""


#: No outbox was set: the app factory did not set up the notifications feature.
NotSet = NotRegistered

_sender: Slot[Sender] = Slot("the outbox of accounts' emails", "app/notifications/jobs.py")


def set_sender(sender: Sender) -> None:
    """Name the outbox accounts' emails go through (setting it again replaces it)."""
    _sender.fill(sender)


def send(user: User, kind: str, subject: str) -> int:
    """Queue one email to ``user`` through the outbox; the id of its row (the email's content is
    built when it is sent, by the feature that knows ``kind``)."""
    return _sender.get()(user, kind, subject)
