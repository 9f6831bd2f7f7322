"""What briefings do when events happen: their attendees hear of them; a team saved takes the briefings written to its name.

Each handler runs in the transaction of its event (:mod:`app.core.events`), so the notifications
exist exactly when the change does, and their emails leave only after the commit
(:func:`app.notifications.services.notify`).
"""

from __future__ import annotations

from app.accounts.models import User
from app.briefings.models import Briefing
from app.briefings.services import link_to_team
from app.core import events
from app.core.text import date_label
from app.events import BriefingLogged, BriefingUpdated, TeamSaved
from app.notifications.services import notify


def briefing_logged(event: BriefingLogged) -> None:
    """Its attendees who use Countersign."""
    briefing = events.named(Briefing, event.briefing_id)
    _tell_attendees(briefing, events.named(User, event.actor_id), briefing.attendees)


def briefing_updated(event: BriefingUpdated) -> None:
    """Only the people newly listed as attendees."""
    briefing = events.named(Briefing, event.briefing_id)
    added = set(event.added_attendee_ids)
    _tell_attendees(briefing, events.named(User, event.actor_id), [u for u in briefing.attendees if u.id in added])


def _tell_attendees(briefing: Briefing, actor: User, people: list[User]) -> None:
    if not people:
        return
    products = ", ".join(p.name for p in briefing.products)
    notify(people, "briefing_logged", f"Briefing: {briefing.title} — {date_label(briefing.held_on)}",
           f"{briefing.presenter.name} briefed {briefing.team_name} ({briefing.region.name}) on {products}. "
           "You are listed as an attendee.", briefing.path, skip=actor)


def team_saved(event: TeamSaved) -> None:
    """Briefings logged before the team existed, written to exactly its name in its region, become its own."""
    link_to_team(event.team_id, event.name, event.region_id)


def init_app() -> None:
    """Subscribe the handlers, in the transaction of their events (subscribing again adds nothing)."""
    events.subscribe(BriefingLogged, briefing_logged)
    events.subscribe(BriefingUpdated, briefing_updated)
    events.subscribe(TeamSaved, team_saved)
