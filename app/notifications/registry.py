"""What the features above notifications hand it at start-up, so that it imports none of them.

Every feature notifies, so notifications sits low: it reads ``User`` and nothing above. Three
things of its settings belong to features above it, and each hands them over in the app factory:

- :class:`Campaigns` (projects): the campaigns a person is on, which they may mute one by one;
- :class:`Reminders` (reminders): a person's coming reminders, shown beside the settings that
  time them, and what follows a change of those settings (their schedules are worked out again).

Setting either again replaces it (the tests build several apps, each setting its features up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.accounts.models import User
from app.core.pagination import Page, PageRequest
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


class NotRegistered(LookupError):
    """Asked for something no feature registered: the app factory did not set the feature up."""


@dataclass
class Registry:
    campaigns: Campaigns | None = None
    reminders: Reminders | None = None


_registry = Registry()


def set_campaigns(campaigns: Campaigns) -> None:
    _registry.campaigns = campaigns


def set_reminders(reminders: Reminders) -> None:
    _registry.reminders = reminders


def campaigns() -> Campaigns:
    if _registry.campaigns is None:
        raise NotRegistered("no feature registered the campaigns one may mute (app/projects/access.py does)")
    return _registry.campaigns


def reminders() -> Reminders:
    if _registry.reminders is None:
        raise NotRegistered("no feature registered the reminders (app/reminders/listeners.py does)")
    return _registry.reminders
