"""What the features above notifications hand it at start-up, so that it imports none of them.

Every feature notifies, so notifications sits low: it reads ``User`` and nothing above. Three
things of its settings belong to features above it, and each hands them over in the app factory:

- :class:`Campaigns` (projects): the campaigns a person is on, which they may mute one by one;
- :class:`Reminders` (reminders): a person's coming reminders, shown beside the settings that
  time them, and what follows a change of those settings (their schedules are worked out again);
- :class:`Invitations` (calendars): the calendar invitation an email about a dated record carries.

Each is a :class:`~app.core.slots.Slot`: setting it again replaces it, and asking one nobody set
is :class:`~app.core.slots.NotRegistered`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.accounts.models import User
from app.core.pagination import Page, PageRequest
from app.core.slots import NotRegistered as NotRegistered  # asked for by name: the error of an unset slot
from app.core.slots import Slot
from workflows.reminders import ReminderPrefs


class Campaign(Protocol):
    """What notifications reads of a campaign: its id (a mute's key) and its title (said when muted)."""

    id: int
    title: str


@dataclass(frozen=True)
class Campaigns:
    #: A page of the campaigns the person belongs to (admins too: only their own), open ones first.
    of_member: Callable[[User, PageRequest], Page[Any]]
    #: The campaign of this id if the person belongs to it, else None (even one they may see).
    member_campaign: Callable[[User, int], Campaign | None]


@dataclass(frozen=True)
class Reminders:
    #: The person's next reminders, soonest first, at their local time (for the settings page).
    upcoming: Callable[[User, ReminderPrefs, datetime], Sequence[Any]]
    #: Called with the person's id in the transaction that saved their settings.
    preferences_saved: Callable[[int], None]


@dataclass(frozen=True)
class Invitation:
    """An iTIP message for one person: the event's UID, its METHOD (REQUEST or CANCEL) and its text."""

    uid: str
    method: str
    text: str


@dataclass(frozen=True)
class Invitations:
    #: The invitation to the dated record ``(kind, id, method)`` for this person (kind "task", "milestone"
    #: or "commitment"; method "REQUEST" or "CANCEL"), in the transaction that notifies them.
    request: Callable[[tuple[str, int, str], User], Invitation | None]


@dataclass
class Registry:
    campaigns: Slot[Campaigns] = field(
        default_factory=lambda: Slot("the campaigns one may mute", "app/projects/access.py"))
    reminders: Slot[Reminders] = field(default_factory=lambda: Slot("the reminders", "app/reminders/listeners.py"))
    invitations: Slot[Invitations] = field(
        default_factory=lambda: Slot("the calendar invitations", "app/calendars/listeners.py"))


_registry = Registry()


def set_campaigns(campaigns: Campaigns) -> None:
    _registry.campaigns.fill(campaigns)


def set_reminders(reminders: Reminders) -> None:
    _registry.reminders.fill(reminders)


def set_invitations(invitations: Invitations) -> None:
    _registry.invitations.fill(invitations)


def invitations() -> Invitations:
    return _registry.invitations.get()


def campaigns() -> Campaigns:
    return _registry.campaigns.get()


def reminders() -> Reminders:
    return _registry.reminders.get()
