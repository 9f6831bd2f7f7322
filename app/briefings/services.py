"""Briefing rules: product managers (and admins) log the sessions they gave sales teams; everyone reads them.

A briefing is kept by whoever logged it, by the product managers of its products and by admins.
Its date may lie ahead (a session planned and logged in advance) but not more than
:data:`MAX_DAYS_AHEAD` days, nor more than :data:`MAX_DAYS_BACK` days in the past: further
than that is a typo in the year, not a briefing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from werkzeug.datastructures import FileStorage

from app.accounts.models import Role, User
from app.audit import services as audit
from app.briefings import uploads
from app.briefings.models import Briefing, BriefingMaterial, briefing_attendees, briefing_products
from app.catalog.models import Product
from app.core import clock, events
from app.core.errors import InvalidInput, NotAllowed, StaleEdit
from app.core.models import touch
from app.core.pagination import FIRST_PAGE, Page, PageRequest, desc, paginate
from app.core.text import date_label
from app.events import BriefingLogged, BriefingUpdated
from app.extensions import db
from app.regions.models import Region
from app.teams.models import Team

MAX_DURATION_MINUTES = 24 * 60
MAX_DAYS_AHEAD = 365
MAX_DAYS_BACK = 10 * 365
MAX_GUESTS = 200


@dataclass(frozen=True)
class BriefingInput:
    title: str
    region_id: int
    sales_team: str
    held_on: date
    duration_minutes: int
    presenter_id: int
    product_ids: Sequence[int] = field(default_factory=tuple)
    attendee_ids: Sequence[int] = field(default_factory=tuple)
    guest_names: str = ""
    key_points: str = ""
    notes: str = ""
    material_url: str = ""
    team_id: int | None = None


def can_log(user: User) -> bool:
    return user.role in {Role.PRODUCT_MANAGER, Role.ADMIN}


def can_edit(user: User, briefing: Briefing) -> bool:
    """Whoever logged it, the product managers of its products, and admins."""
    if user.is_admin or briefing.created_by_id == user.id:
        return True
    return user.role is Role.PRODUCT_MANAGER and any(p.is_owned_by(user) for p in briefing.products)


@dataclass(frozen=True)
class BriefingFilters:
    region_id: int | None = None
    product_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class BriefingTotals:
    count: int
    minutes: int
    attendees: int  # people who use Countersign and guests

    @property
    def hours(self) -> float:
        return self.minutes / 60


def briefings(filters: BriefingFilters = BriefingFilters(), asked: PageRequest = FIRST_PAGE) -> Page[Briefing]:
    """A page of briefings, newest first, with what the list shows loaded in a handful of queries."""
    query = _filtered(sa.select(Briefing), filters).options(
        so.joinedload(Briefing.region), so.joinedload(Briefing.presenter), so.joinedload(Briefing.team), so.selectinload(Briefing.products),
        so.selectinload(Briefing.attendees), so.selectinload(Briefing.materials))
    return paginate(query, [desc(Briefing.held_on), desc(Briefing.id)], asked)


def totals(filters: BriefingFilters = BriefingFilters()) -> BriefingTotals:
    """How many briefings match, their hours and attendees in all: aggregates, no rows read."""
    # Guests are stored one per line, blank lines dropped (see _check), so lines = newlines + 1.
    guests = sa.case((Briefing.guest_names == "", 0),
                     else_=sa.func.length(Briefing.guest_names)
                     - sa.func.length(sa.func.replace(Briefing.guest_names, "\n", "")) + 1)
    matching = _filtered(sa.select(Briefing.id), filters)
    count, minutes, guest_total = db.session.execute(_filtered(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Briefing.duration_minutes), 0),
                  sa.func.coalesce(sa.func.sum(guests), 0)).select_from(Briefing), filters)).one()
    users = db.session.scalar(sa.select(sa.func.count()).select_from(briefing_attendees)
                              .where(briefing_attendees.c.briefing_id.in_(matching))) or 0
    return BriefingTotals(count, int(minutes), int(guest_total) + users)


def _filtered(query: sa.Select[Any], filters: BriefingFilters) -> sa.Select[Any]:
    region_id, product_id, date_from, date_to = filters.region_id, filters.product_id, filters.date_from, filters.date_to
    if region_id is not None:
        query = query.where(Briefing.region_id == region_id)
    if product_id is not None:
        query = query.where(Briefing.id.in_(
            sa.select(briefing_products.c.briefing_id).where(briefing_products.c.product_id == product_id)))
    if date_from is not None:
        query = query.where(Briefing.held_on >= date_from)
    if date_to is not None:
        query = query.where(Briefing.held_on <= date_to)
    return query


def log_briefing(actor: User, data: BriefingInput) -> Briefing:
    """Record a briefing; the attendees who use Countersign are told, with a link to it."""
    if not can_log(actor):
        raise NotAllowed("Briefings are logged by product managers and admins.")
    briefing = Briefing(created_by=actor)
    _apply(briefing, data)
    db.session.add(briefing)
    db.session.flush()
    audit.record(actor, "briefing.logged", f"Logged briefing “{briefing.title}” for {briefing.sales_team} "
                 f"({briefing.region.name}, {date_label(briefing.held_on)})", entity="briefing", entity_id=briefing.id)
    events.emit(BriefingLogged(briefing.id, actor.id))
    return briefing


def update_briefing(actor: User, briefing: Briefing, data: BriefingInput, expected_version: int) -> Briefing:
    """Change a briefing; people newly added as attendees are told."""
    require_editor(actor, briefing)
    if expected_version != briefing.version:
        raise StaleEdit("briefing")
    before = _snapshot(briefing)
    attended = {u.id for u in briefing.attendees}
    _apply(briefing, data)
    changed = audit.changes(before, _snapshot(briefing))
    if changed:
        touch(briefing)  # products and attendees live in other tables: still bump the version
        db.session.flush()
        audit.record(actor, "briefing.updated", f"Edited briefing “{briefing.title}”: {audit.describe(changed)}",
                     entity="briefing", entity_id=briefing.id, details={"changes": changed})
        events.emit(BriefingUpdated(briefing.id, actor.id,
                                    tuple(u.id for u in briefing.attendees if u.id not in attended)))
    return briefing


def delete_briefing(actor: User, briefing: Briefing) -> None:
    """Remove a briefing and, once that commits, the files of its decks."""
    require_editor(actor, briefing)
    for material in briefing.materials:
        uploads.delete_after_commit(db.session(), material.stored_name)
    audit.record(actor, "briefing.deleted", f"Deleted briefing “{briefing.title}” ({date_label(briefing.held_on)})",
                 entity="briefing", entity_id=briefing.id)
    db.session.delete(briefing)
    db.session.flush()


def add_material(actor: User, briefing: Briefing, upload: FileStorage) -> BriefingMaterial:
    """Attach an uploaded deck; a refused file is never written, and a file whose row does not commit is removed."""
    require_editor(actor, briefing)
    stored = uploads.store(db.session(), upload, current_app.config["MAX_UPLOAD_BYTES"])
    material = BriefingMaterial(
        briefing=briefing, filename=stored.filename, stored_name=stored.stored_name,
        content_type=stored.content_type, size_bytes=stored.size_bytes, sha256=stored.sha256, uploaded_by=actor,
    )
    db.session.add(material)
    db.session.flush()
    audit.record(actor, "briefing.material_added",
                 f"Added deck “{material.filename}” ({uploads.size_text(material.size_bytes)}) to “{briefing.title}”",
                 entity="briefing", entity_id=briefing.id)
    return material


def remove_material(actor: User, briefing: Briefing, material: BriefingMaterial) -> None:
    """Detach a deck; its file is deleted once that commits."""
    require_editor(actor, briefing)
    uploads.delete_after_commit(db.session(), material.stored_name)
    audit.record(actor, "briefing.material_removed", f"Removed deck “{material.filename}” from “{briefing.title}”",
                 entity="briefing", entity_id=briefing.id)
    briefing.materials.remove(material)
    db.session.flush()


def require_editor(actor: User, briefing: Briefing) -> None:
    if not can_edit(actor, briefing):
        raise NotAllowed("Only whoever logged this briefing, the product managers of its products "
                         "(or an admin) change it.")


def _apply(briefing: Briefing, data: BriefingInput) -> None:
    """Check everything, then assign: a refused briefing is left exactly as it was."""
    errors: dict[str, list[str]] = {}
    title, team = data.title.strip(), data.sales_team.strip()
    if not title:
        errors["title"] = ["Name the briefing, e.g. “Northwind Pro pricing for Q3”."]
    team_record = db.session.get(Team, data.team_id) if data.team_id else None
    if data.team_id and team_record is None:
        errors["team_id"] = ["Choose a team from the list, or write the team's name."]
    if team_record is not None:  # the text is for a team not on record; a chosen team's name is its own
        team = team_record.name
    if not team:
        errors["sales_team"] = ["Choose the sales team briefed, or write its name, e.g. “Milan field sales”."]
    region = db.session.get(Region, data.region_id) if data.region_id else None
    # A region, presenter or attendee deactivated since stays on the briefing that names them.
    if region is None or not (region.active or region.id == briefing.region_id):
        errors["region_id"] = ["Choose an active region."]
    elif team_record is not None and team_record.region_id != region.id:
        errors["region_id"] = [f"{team_record.name} is in {team_record.region.name}."]
    today = clock.today()
    if data.held_on > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["held_on"] = [f"That is more than {MAX_DAYS_AHEAD} days ahead: check the year."]
    elif data.held_on < today - timedelta(days=MAX_DAYS_BACK):
        errors["held_on"] = ["That is more than ten years ago: check the year."]
    if not 1 <= data.duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = [f"Between 1 and {MAX_DURATION_MINUTES} minutes (a day)."]
    presenter = db.session.get(User, data.presenter_id) if data.presenter_id else None
    if presenter is None or not (presenter.active or presenter.id == briefing.presenter_id):
        errors["presenter_id"] = ["Choose the presenter among the active users."]
    product_ids = set(data.product_ids)
    products = list(db.session.scalars(sa.select(Product).where(Product.id.in_(product_ids)).order_by(Product.name)))
    if not product_ids:
        errors["product_ids"] = ["Name at least one product the briefing was about."]
    elif len(products) != len(product_ids):
        errors["product_ids"] = ["Choose products from the catalog."]
    attendee_ids = set(data.attendee_ids)
    kept = {u.id for u in briefing.attendees}
    attendees = list(db.session.scalars(sa.select(User).where(User.id.in_(attendee_ids)).order_by(User.name)))
    if len(attendees) != len(attendee_ids) or any(not u.active and u.id not in kept for u in attendees):
        errors["attendee_ids"] = ["Attendees must be active users; write anyone else under guests."]
    guests = [line.strip() for line in data.guest_names.splitlines() if line.strip()]
    if len(guests) > MAX_GUESTS:
        errors["guest_names"] = [f"At most {MAX_GUESTS} guests."]
    elif any(len(name) > 120 for name in guests):
        errors["guest_names"] = ["One guest per line, each at most 120 characters."]
    url = data.material_url.strip()
    parsed = urlparse(url)
    if url and (parsed.scheme not in {"http", "https"} or not parsed.netloc):
        errors["material_url"] = ["Use a full web address starting with https://"]
    if errors:
        raise InvalidInput("The briefing was not saved.", errors)
    assert region is not None and presenter is not None  # checked above
    briefing.title, briefing.sales_team, briefing.region, briefing.team = title, team, region, team_record
    briefing.held_on, briefing.duration_minutes, briefing.presenter = data.held_on, data.duration_minutes, presenter
    briefing.products, briefing.attendees = products, attendees
    briefing.guest_names = "\n".join(guests)
    briefing.key_points, briefing.notes, briefing.material_url = data.key_points.strip(), data.notes.strip(), url


def _snapshot(briefing: Briefing) -> dict[str, object]:
    return {
        "title": briefing.title, "region": briefing.region.name, "sales_team": briefing.sales_team,
        "team": briefing.team.name if briefing.team is not None else None,
        "held_on": briefing.held_on, "duration_minutes": briefing.duration_minutes,
        "presenter": briefing.presenter.name, "products": sorted(p.id for p in briefing.products),
        "attendees": sorted(u.id for u in briefing.attendees), "guest_names": briefing.guest_names,
        "key_points": briefing.key_points, "notes": briefing.notes, "material_url": briefing.material_url,
    }


def link_to_team(team_id: int, name: str, region_id: int) -> int:
    """Give a team the briefings written to it by name: those of its region whose team text is exactly
    its name and that name no team yet (a name that differs by a letter stays text). How many."""
    result = db.session.execute(
        sa.update(Briefing).where(Briefing.team_id.is_(None), Briefing.region_id == region_id,
                                  Briefing.sales_team == name)
        .values(team_id=team_id).execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]
