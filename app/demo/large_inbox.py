"""The large data set's inboxes, calendar links, muted campaigns and reminder schedules.

The schedules are derived data: one row per (open milestone or task, person owed its reminders)
of every campaign under way, exactly as ``app.reminders.services`` would sync them today, so the
sweep finds what it expects and a later sync changes nothing (tests/demo checks both).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from app.accounts.models import Role
from app.calendars.models import CalendarFeed
from app.calendars.services import ALARMS
from app.core.text import date_label, weekday_date_label
from app.core.tokens import digest
from app.demo import vocabulary as words
from app.demo.large_world import Campaign, Milestone, Person, World
from app.milestones.listeners import assignment_text
from app.notifications.models import ProjectMute
from app.notifications.services import preferences_for
from app.reminders.models import ReminderSchedule, milestone_key, task_key
from workflows import reminders
from workflows.milestone import MilestoneState
from workflows.project import PROJECT_WORKFLOW, REMINDING_STATES, STATES

#: Reminders and updates from their campaigns per person, on top of what the builders told them
#: (decisions, briefings): one per campaign they are on, up to this many.
NOTES_CAP = 100
#: Of the tasks given to someone, those whose assignment is still in their inbox.
ASSIGNED_TOLD = 0.1
#: The slots a reminder in the inbox was written for, in days from the due date (the defaults).
SLOTS = (-7, -1, 0, 3, 6)
MUTED_SHARE = 0.03
SUBSCRIBED_SHARE = 0.15


def build_inboxes(world: World) -> None:
    """Every person's notifications: what the builders told them, then reminders and news of their campaigns."""
    seen: set[tuple[int, str]] = set()  # (person, dedupe key): a reminder slot is written once
    for task in world.tasks:
        lead = task.milestone.campaign.pm or task.milestone.campaign.owner
        if task.assignee is not None and task.assignee is not lead and world.chance(ASSIGNED_TOLD):
            campaign, milestone = task.milestone.campaign, task.milestone
            world.tell(task.assignee, world.between(campaign.created_at, campaign.created_at + timedelta(days=20)),
                       "task_assigned", f"{lead.name} gave you “{task.title}” — {campaign.title}",
                       assignment_text(task.due, milestone.title, milestone.due), milestone.path,
                       campaign.id)
    moves: dict[int, list[tuple[datetime, Milestone, Any, Any, str]]] = {}
    for move in world.moves:
        moves.setdefault(move[1].campaign.id, []).append(move)
    for person in world.people:
        for _ in range(min(NOTES_CAP, len(person.campaigns))):
            _campaign_news(world, person, world.pick(person.campaigns), moves, seen)
    world.flush_notes()


def _campaign_news(world: World, person: Person, campaign: Campaign,
                   moves: dict[int, list[tuple[datetime, Milestone, Any, Any, str]]], seen: set[tuple[int, str]]) -> None:
    """A reminder of one of its milestones, a lifecycle step, or a milestone a re-plan moved."""
    roll = world.rng.random()
    if roll < 0.2 and campaign.steps:
        event, at = world.pick(list(campaign.steps.items()))
        state = next(t.target for t in PROJECT_WORKFLOW.transitions if t.event == event)
        actor = campaign.owner if event in {"submit", "cancel"} or campaign.pm is None else campaign.pm
        if person is not actor:
            world.tell(person, at + timedelta(seconds=1), f"project_{event}",
                       f"“{campaign.title}” is now {STATES[state].lower()}",
                       f"{actor.name}: {next(t.label for t in PROJECT_WORKFLOW.transitions if t.event == event)}",
                       campaign.path, campaign.id)
    elif roll < 0.3 and campaign.id in moves:
        at, milestone, old, new, reason = world.pick(moves[campaign.id])
        lead = campaign.pm or campaign.owner
        if person is not lead:
            world.tell(person, at, "milestone_moved", f"“{milestone.title}” moved to {date_label(new)} — {campaign.title}",
                       f"{lead.name} moved it from {date_label(old)} to {date_label(new)}: {reason}", milestone.path,
                       campaign.id)
    elif campaign.milestones:
        _reminder(world, person, world.pick(campaign.milestones), seen)


def _reminder(world: World, person: Person, milestone: Milestone, seen: set[tuple[int, str]]) -> None:
    """A reminder the sweep wrote for a slot already past, with the sweep's own subject and dedupe key."""
    past = [offset for offset in SLOTS if world.at(milestone.due + timedelta(days=offset), 9) < world.now]
    if not past or "launch" not in milestone.campaign.steps:
        return
    offset = past[-1]
    key = f"reminder:{milestone_key(milestone.id)}:{milestone.due.isoformat()}/{offset:+d}"
    if (person.id, key) in seen:
        return
    seen.add((person.id, key))
    day = milestone.due + timedelta(days=offset)
    when = reminders.phrase(milestone.due, day)
    campaign = milestone.campaign
    world.tell(person, datetime.combine(day, datetime.min.time()) + timedelta(hours=9), "reminder",
               f"“{milestone.title}” is {when} — {campaign.title}",
               f"The milestone “{milestone.title}” of “{campaign.title}” is {when} ({weekday_date_label(milestone.due)}).",
               milestone.path, campaign.id, key)


def build_mutes(world: World) -> None:
    """A few team members muted a campaign or two they are only loosely on."""
    world.bulk.insert(ProjectMute.__table__, ({
        "user_id": person.id, "project_id": campaign.id, "created_at": world.between(campaign.created_at, world.now),
    } for person in world.people if person.role is Role.TEAM_MEMBER
        for campaign in dict.fromkeys(person.campaigns) if world.chance(MUTED_SHARE)))


def build_calendars(world: World) -> None:
    """Calendar links for some people (the busy project manager among them), a few since revoked.

    The tokens are in the format of ``calendars.services.create_feed``; the
    busy project manager's are kept in ``world.feed_tokens`` so benchmarks can fetch the feeds.
    """
    rows = []
    for person in world.people:
        busy = person is world.busy_pm
        if not person.active or not (busy or world.chance(SUBSCRIBED_SHARE)):
            continue
        kinds = ["mine", "project"] if busy else [world.pick(_kinds(person))]
        for kind in kinds:
            if kind == "project" and not person.campaigns:
                continue
            selector, secret = _token(world)
            project = world.pick(person.campaigns) if kind == "project" else None
            created = world.now - world.days(1, 300)
            rows.append({
                "user_id": person.id, "name": world.pick(words.CALENDAR_NAMES), "kind": kind,
                "project_id": project.id if project else None, "only_mine": kind == "mine" and world.chance(0.3),
                "alarm_minutes": world.pick(list(ALARMS)), "selector": selector, "secret_hash": digest(secret),
                "created_at": created,
                "last_fetched_at": world.between(created, world.now) if world.chance(0.7) else None,
                "revoked_at": world.between(created, world.now) if not busy and world.chance(0.05) else None,
            })
            if busy:
                world.feed_tokens[kind] = selector + secret
    world.bulk.insert(CalendarFeed.__table__, rows)


def _kinds(person: Person) -> list[str]:
    """The calendars a person may subscribe to: everyone's, and their role's."""
    kinds = ["mine", "mine", "project"]
    if person.role is Role.PRODUCT_MANAGER:
        kinds.append("signoff")
    if person.sells:
        kinds.append("promises")
    return kinds


def _token(world: World) -> tuple[str, str]:
    """A selector (16 characters, from the seeded dice) and a secret (43) from ``secrets``: a
    calendar link is its own password, so nobody who knows the seed may work one out."""
    selector = base64.urlsafe_b64encode(world.rng.randbytes(12)).rstrip(b"=").decode()
    return selector, secrets.token_urlsafe(32)


def build_schedules(world: World) -> None:
    """The reminder schedules of every live milestone and task, as the sync would write them now.

    Who: of a milestone of a campaign under way, its owner and everyone on the campaign; of a task,
    its assignee; never a deactivated person, nor a done or cancelled item. Each starts now (the
    inbox already holds the reminders of slots past), its next slot worked out with the person's settings.
    """
    now = world.now
    # The same settings are shared by many (most keep the defaults): work each due date out once per
    # kind of settings, not once per person.
    kinds: dict[reminders.ReminderPrefs, int] = {}
    kind_of = {uid: kinds.setdefault(prefs.reminder_prefs, len(kinds))
               for uid, prefs in preferences_for(p.id for p in world.people).items()}
    settings = {index: prefs for prefs, index in kinds.items()}
    slots: dict[tuple[Any, int], datetime | None] = {}

    def next_at(user_id: int, due: Any) -> datetime | None:
        key = (due, kind_of[user_id])
        if key not in slots:
            slot = reminders.next_slot(due, settings[key[1]], now)
            slots[key] = slot.at if slot else None
        return slots[key]

    def rows() -> Iterator[dict[str, Any]]:
        for campaign in world.campaigns:
            if campaign.state not in REMINDING_STATES:
                continue
            people = {p.id: p for p in campaign.people if p.active}
            for milestone in campaign.milestones:
                if milestone.state != MilestoneState.OPEN:
                    continue
                owed = dict(people)
                if milestone.owner is not None and milestone.owner.active:
                    owed[milestone.owner.id] = milestone.owner
                for user_id in owed:
                    yield {"user_id": user_id, "item_key": milestone_key(milestone.id), "milestone_id": milestone.id,
                           "task_id": None, "due_date": milestone.due, "cursor": now,
                           "next_at": next_at(user_id, milestone.due), "last_sent_at": None}
                for task in milestone.tasks:
                    if task.done or task.assignee is None or not task.assignee.active:
                        continue
                    yield {"user_id": task.assignee.id, "item_key": task_key(task.id), "milestone_id": milestone.id,
                           "task_id": task.id, "due_date": task.effective_due, "cursor": now,
                           "next_at": next_at(task.assignee.id, task.effective_due), "last_sent_at": None}

    world.bulk.insert(ReminderSchedule.__table__, rows())
