"""The large data set's organisation: people of every role, their settings, regions and the catalog."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.catalog.models import MarketCoverage, PriceBand, Product, product_owners
from app.demo import vocabulary as words
from app.demo.large_world import Band, Person, World, audit_row
from app.demo.large_world import Product as ProductRecord
from app.extensions import db
from app.notifications.models import DEFAULTS, NotificationPreference
from app.regions.models import Region
from app.teams.models import Placement, Team
from workflows.reminders import lead_text

#: Each role's share of the people; the rest are team members.
ROLE_SHARES = ((Role.ADMIN, 0.01), (Role.SALES_MANAGER, 0.15), (Role.PROJECT_MANAGER, 0.10),
               (Role.PRODUCT_MANAGER, 0.08))
#: The fewest of each role any size gets, so every role's pages have someone to show them to.
ROLE_MINIMUM = {Role.ADMIN: 1, Role.SALES_MANAGER: 2, Role.PROJECT_MANAGER: 2, Role.PRODUCT_MANAGER: 2}
#: Team members who sell (record commitments, file feedback), and team members who have left:
#: deactivated, but still on their old campaigns (nobody reminds them of anything).
SALES_REP_SHARE = 0.35
INACTIVE_SHARE = 0.02
#: People who changed their notification settings; the rest keep the defaults (no row).
SETTINGS_SHARE = 0.3
TIME_ZONES = ("Europe/Rome", "Europe/Berlin", "Europe/London", "Europe/Paris", "Europe/Madrid", "Europe/Stockholm",
              "Europe/Warsaw", "America/New_York", "America/Chicago", "America/Sao_Paulo", "Asia/Dubai",
              "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney")
#: (quiet from, quiet until): none of them holds the reminder hours below (8 to 10).
QUIET_HOURS = ((21, 8), (22, 7), (20, 7), (0, 0))
LEAD_DAYS = ((7, 1), (14, 7, 1), (3, 1), (1,), (30, 7))
#: Variants that name further products once the vocabulary's own are used up (a huge set has more).
PRODUCT_VARIANTS = ("", " Edge", " Lite", " Plus", " for Retail", " for Banks")
PEOPLE_PER_PRODUCT = 25


def build_people(world: World, count: int, password_hash: str, busy_email: str, busy_name: str) -> None:
    """``count`` people of every role; the first is the project manager on many campaigns."""
    taken = set(db.session.scalars(sa.select(User.email)))
    roles = _roles(count)
    people: list[Person] = []
    for index, role in enumerate(roles):
        if index == 0:
            email, name = busy_email, busy_name
        else:
            first, last = world.pick(words.FIRST_NAMES), world.pick(words.LAST_NAMES)
            name, email = f"{first} {last}", _email(first, last, taken)
        taken.add(email)
        team = role is Role.TEAM_MEMBER
        first_of_team = team and people[-1].role is not Role.TEAM_MEMBER  # always one who sells, however small
        people.append(Person(world.bulk.next_id(User.__table__), email, name, role,
                             sales_rep=team and (first_of_team or world.chance(SALES_REP_SHARE)),
                             active=not (team and not first_of_team and world.chance(INACTIVE_SHARE))))
    world.people = people
    world.busy_pm = people[0]
    created = {p.id: world.now - world.days(1200, 1800) for p in people}  # before the oldest campaign
    world.bulk.insert(User.__table__, ({
        "id": p.id, "email": p.email, "name": p.name, "password_hash": password_hash, "role": p.role,
        "active": p.active, "sales_rep": p.sales_rep, "created_at": created[p.id],
        "last_login_at": world.now - timedelta(minutes=world.number(1, 60 * 24 * 20)) if p.active else None,
    } for p in people))
    admin = world.with_role(Role.ADMIN)[0]
    world.audit(audit_row(created[p.id], admin, "user.created", f"Created account {p.email} ({p.role.label})",
                          "user", p.id) for p in people)


def _roles(count: int) -> list[Role]:
    """The busy project manager first, then every role by its share (at least its minimum)."""
    roles = [Role.PROJECT_MANAGER]
    for role, share in ROLE_SHARES:
        wanted = max(ROLE_MINIMUM[role], round(count * share)) - (1 if role is Role.PROJECT_MANAGER else 0)
        roles += [role] * wanted
    return roles + [Role.TEAM_MEMBER] * max(2, count - len(roles))


def _email(first: str, last: str, taken: set[str]) -> str:
    """first.last@example.com in plain ASCII (Chloé → chloe), numbered when already taken."""
    stem = ".".join(_ascii(part) for part in (first, last))
    email, number = f"{stem}@example.com", 1
    while email in taken:
        number += 1
        email = f"{stem}{number}@example.com"
    return email


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o"))  # ø does not decompose
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def build_preferences(world: World) -> None:
    """Notification settings for some people: time zones around the world, other lead times, digests.

    Every value is one the settings form accepts (tests check them with ``workflows.reminders.problems``).
    """
    rows: dict[int, dict[str, Any]] = {}
    for person in world.people:
        if person is not world.busy_pm and not world.chance(SETTINGS_SHARE):
            continue
        quiet_start, quiet_end = world.pick(QUIET_HOURS)
        rows[person.id] = {
            **DEFAULTS, "user_id": person.id, "time_zone": world.pick(TIME_ZONES),
            "reminder_hour": world.pick((8, 9, 9, 10)), "quiet_start": quiet_start, "quiet_end": quiet_end,
            "lead_days": lead_text(world.pick(LEAD_DAYS)), "on_the_day": world.chance(0.9),
            "overdue_every": world.pick((3, 3, 7, 0)), "reminders_email": world.chance(0.85),
            "email_digest": world.chance(0.1), "updated_at": world.now - world.days(1, 300),
        }
    world.bulk.insert(NotificationPreference.__table__, rows.values())
    world.prefs = rows


def build_regions(world: World) -> None:
    """The regions already there (the demo's), and the vocabulary's that are not yet."""
    existing = db.session.execute(sa.select(Region.id, Region.code, Region.name, Region.active)).all()
    codes, names = {r.code for r in existing}, {r.name for r in existing}
    world.regions = {r.id: r.name for r in existing if r.active}
    new = [(world.bulk.next_id(Region.__table__), code, name) for code, name in words.REGIONS
           if code not in codes and name not in names]
    world.bulk.insert(Region.__table__, ({"id": i, "code": code, "name": name, "active": True} for i, code, name in new))
    world.regions.update({i: name for i, _, name in new})


#: About this many sellers to a sales team; the rest of a region's sellers are in the region without a team.
SELLERS_PER_TEAM = 8


def build_teams(world: World) -> None:
    """Sales teams in every region for the sellers of the large set: most in a team, one in eight in a
    region alone. Demo sellers (already placed by the demo) keep their place."""
    placed = set(db.session.scalars(sa.select(Placement.user_id)))
    taken = set(db.session.scalars(sa.select(Team.name)))
    sellers = [p for p in world.sellers() if p.id not in placed]
    regions = sorted(world.regions)
    if not sellers or not regions:
        return
    teams: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    per_region = max(1, len(sellers) // (SELLERS_PER_TEAM * len(regions)))
    for region_id in regions:
        for number in range(per_region):
            name = f"{world.regions[region_id]} sales {number + 1}"
            if name not in taken:
                teams.append({"id": world.bulk.next_id(Team.__table__), "name": name, "region_id": region_id,
                              "created_at": world.now - world.days(30, 400)})
    for index, seller in enumerate(sellers):
        alone = index % SELLERS_PER_TEAM == 0 or not teams
        team = teams[index % len(teams)] if teams else None
        region_id = world.pick(regions) if alone or team is None else team["region_id"]
        placements.append({"user_id": seller.id, "region_id": region_id,
                           "team_id": None if alone or team is None else team["id"], "placed_at": world.now})
    world.bulk.insert(Team.__table__, teams)
    world.bulk.insert(Placement.__table__, placements)


def build_catalog(world: World) -> None:
    """Products of the vocabulary (more of them for more people), each with owners, bands and coverage.

    The demo's own products are left to the demo's people, so the demo tour reads as before.
    """
    managers = world.with_role(Role.PRODUCT_MANAGER)
    taken = set(db.session.scalars(sa.select(Product.name)))
    wanted = max(len(words.PRODUCTS), min(len(world.people) // PEOPLE_PER_PRODUCT,
                                          len(words.PRODUCTS) * len(PRODUCT_VARIANTS)))
    specs = [(name + variant, *rest) for variant in PRODUCT_VARIANTS for name, *rest in words.PRODUCTS]
    specs = [spec for spec in specs if spec[0] not in taken][:wanted]
    product_rows: list[dict[str, Any]] = []
    for index, (name, status, summary, tiers) in enumerate(specs):
        # Round robin, so every product manager owns something (a sign-off queue, a triage queue).
        count = min(len(managers), world.pick((1, 2, 2, 3)))
        owners = [managers[(index * 2 + k) % len(managers)] for k in range(count)]
        product = _product(world, name, status, owners, tiers)
        ready = world.today + world.days(45, 200) if status in {"planned", "beta"} else None
        product_rows.append({
            "id": product.id, "name": name, "summary": summary, "key_traits": words.TRAITS,
            "differences": words.DIFFERENCES, "status": status, "available_from": ready, "currency": "EUR",
            "updated_at": world.now - world.days(1, 200), "version": 1,
        })
    world.bulk.insert(Product.__table__, product_rows)
    world.bulk.insert(product_owners, ({"product_id": p.id, "user_id": o.id}
                                       for p in world.products for o in p.owners))
    world.bulk.insert(PriceBand.__table__, ({
        "id": b.id, "product_id": p.id, "tier": b.tier, "list_price": b.list_price, "minimum_price": b.minimum,
        "unit": "per seat / month",
    } for p in world.products for b in p.bands))
    world.bulk.insert(MarketCoverage.__table__, _coverage(world))


def _product(world: World, name: str, status: str, owners: list[Person],
             tiers: tuple[tuple[str, int, int], ...]) -> ProductRecord:
    """A product record with its bands (priced a little differently per variant)."""
    factor = Decimal(world.pick(("0.9", "1", "1", "1.1", "1.25")))
    bands = [Band(world.bulk.next_id(PriceBand.__table__), tier, (Decimal(high) * factor).quantize(Decimal("0.01")),
                  (Decimal(low) * factor).quantize(Decimal("0.01"))) for tier, high, low in tiers]
    product = ProductRecord(world.bulk.next_id(Product.__table__), name, status, owners, bands, set())
    world.products.append(product)
    return product


def _coverage(world: World) -> Iterator[dict[str, Any]]:
    """Sellable in most regions, not allowed in a few (and why), planned in others from a date."""
    for product in world.products:
        for region_id in world.regions:
            roll = world.rng.random()
            if product.status == "retired":
                status = "sellable" if roll < 0.3 else "not_allowed"
            elif product.status == "available":
                status = "sellable" if roll < 0.8 else "not_allowed" if roll < 0.9 else "planned"
            else:
                status = "planned" if roll < 0.85 else "not_allowed"
            if status == "sellable" and product.status == "available":
                product.sellable.add(region_id)
            yield {
                "product_id": product.id, "region_id": region_id, "status": status,
                "reason": "Local certification still pending" if status == "not_allowed" else "",
                "planned_from": world.today + world.days(30, 240) if status == "planned" else None,
            }
