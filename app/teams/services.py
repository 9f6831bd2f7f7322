"""Sales teams and where sellers stand: admins name teams in regions and place sellers in them.

The rule (see :mod:`app.teams.models`): a seller has one region and at most one team. In a team,
their region is the team's, always: placing someone in a team sets their region, and moving a team
to another region moves its members. A seller without a team may still have a region of their own
(a country manager who sells alone). Only active people who sell are placed; someone who stops
selling keeps their row, but no audience, count or report counts them (they all ask for active
sellers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit import services as audit
from app.core import events
from app.core.errors import InvalidInput, NotAllowed
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, paginate
from app.events import TeamSaved
from app.extensions import db
from app.regions.models import Region
from app.teams.models import Placement, Team

#: A team larger than this is several teams: it keeps the members page and every picker bounded.
MAX_MEMBERS = 200
#: How many teams a picker (a briefing's team, an update's audience) offers, by name.
MAX_PICKED_TEAMS = 500
#: How many sellers the members page's search offers at once.
SEARCH_LIMIT = 20

_BY_NAME = [asc(Team.name), asc(Team.id)]


def _admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins manage sales teams.")


def is_seller(user: User) -> bool:
    return user.active and user.sells


def seller_condition() -> sa.ColumnElement[bool]:
    """SQL for "an active seller" on ``User``: sales managers, and team members who sell."""
    return sa.and_(User.active, sa.or_(User.role == Role.SALES_MANAGER, User.sales_rep))


# --- reading ------------------------------------------------------------------------------------

def _with_count() -> Any:
    """The loader option that reads a team's active members with it, as a correlated count."""
    count = (sa.select(sa.func.count(Placement.user_id)).join(User, User.id == Placement.user_id)
             .where(Placement.team_id == Team.id, User.active).correlate(Team).scalar_subquery())
    return so.with_expression(Team.member_count, count)


def teams(asked: PageRequest = FIRST_PAGE, region_id: int | None = None) -> Page[Team]:
    """A page of teams by name, each with its region and member count, in one query."""
    query = sa.select(Team).options(so.joinedload(Team.region), _with_count())
    if region_id is not None:
        query = query.where(Team.region_id == region_id)
    return paginate(query, _BY_NAME, asked)


def team_with_count(team_id: int) -> Team | None:
    """One team with its region and member count (read afresh: a count read before a change is stale)."""
    return db.session.scalar(sa.select(Team).where(Team.id == team_id)
                             .options(so.joinedload(Team.region), _with_count())
                             .execution_options(populate_existing=True))


def pickable_teams() -> Sequence[Team]:
    """Teams for a picker, by name, with their region: at most :data:`MAX_PICKED_TEAMS`."""
    return db.session.scalars(
        sa.select(Team).options(so.joinedload(Team.region)).order_by(Team.name, Team.id).limit(MAX_PICKED_TEAMS)
    ).all()


def members(team: Team, asked: PageRequest = FIRST_PAGE) -> Page[User]:
    """A page of a team's members (active or not), by name."""
    query = sa.select(User).join(Placement, Placement.user_id == User.id).where(Placement.team_id == team.id)
    return paginate(query, [asc(User.name), asc(User.id)], asked)


def candidates(team: Team, text: str) -> Sequence[tuple[User, Placement | None]]:
    """Active sellers not in ``team`` whose name or email contains ``text`` (ignoring case), with where
    they stand now: at most :data:`SEARCH_LIMIT`, by name. Nothing for an empty search: people are many."""
    text = text.strip().lower()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.session.execute(
        sa.select(User, Placement).outerjoin(Placement, Placement.user_id == User.id)
        .options(so.joinedload(Placement.team), so.joinedload(Placement.region))
        .where(seller_condition(), sa.or_(Placement.team_id.is_(None), Placement.team_id != team.id),
               sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"),
                      sa.func.lower(User.email).like(pattern, escape="\\")))
        .order_by(User.name, User.id).limit(SEARCH_LIMIT)
    ).tuples().all()
    return rows


def placement_of(user: User) -> Placement | None:
    """Where ``user`` stands (region and team), with both loaded."""
    return db.session.scalar(sa.select(Placement).where(Placement.user_id == user.id)
                             .options(so.joinedload(Placement.region), so.joinedload(Placement.team)))


def audience_ids(region_id: int | None, team_id: int | None) -> sa.Select[Any]:
    """The ids of the active sellers a team, a region or (neither) everyone makes: a subquery."""
    query = sa.select(User.id).where(seller_condition())
    if team_id is not None:
        return query.where(User.id.in_(sa.select(Placement.user_id).where(Placement.team_id == team_id)))
    if region_id is not None:
        return query.where(User.id.in_(sa.select(Placement.user_id).where(Placement.region_id == region_id)))
    return query


def reaches(user_id: int, region_id: Any, team_id: Any) -> sa.ColumnElement[bool]:
    """SQL for "a record addressed to ``region_id``/``team_id`` (columns; both NULL: everyone) reaches this
    person": the person's own placement, read by its primary key."""
    mine = sa.select(Placement.region_id, Placement.team_id).where(Placement.user_id == user_id).subquery()
    return sa.or_(
        sa.and_(region_id.is_(None), team_id.is_(None)),
        team_id.in_(sa.select(mine.c.team_id)),
        sa.and_(team_id.is_(None), region_id.in_(sa.select(mine.c.region_id))),
    )


# --- changing -----------------------------------------------------------------------------------

def save_team(actor: User, team: Team | None, name: str, region_id: int | None) -> Team:
    """Create (``team`` None) or edit a team; names are unique. A team moved to another region takes its members."""
    _admin(actor)
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Name the team, e.g. “Milan field sales”."]
    else:
        clash = db.session.scalar(sa.select(Team).where(sa.func.lower(Team.name) == name.lower()))
        if clash is not None and clash is not team:
            errors["name"] = ["Another team already has this name."]
    region = db.session.get(Region, region_id) if region_id else None
    if region is None or (not region.active and (team is None or team.region_id != region.id)):
        errors["region_id"] = ["Choose an active region."]
    if errors:
        raise InvalidInput("The team was not saved.", errors)
    assert region is not None
    created = team is None
    before = None if team is None else (team.name, team.region.name)
    if team is None:
        team = Team(name=name, region=region)
        db.session.add(team)
    else:
        if team.region_id != region.id:
            db.session.execute(sa.update(Placement).where(Placement.team_id == team.id).values(region_id=region.id))
        team.name, team.region = name, region
    db.session.flush()
    summary = (f"Created team {name} in {region.name}" if before is None
               else f"Edited team {before[0]} ({before[1]}) → {name} ({region.name})")
    audit.record(actor, "team.created" if created else "team.updated", summary, entity="team", entity_id=team.id)
    events.emit(TeamSaved(team.id, actor.id, team.name, region.id))
    return team


def delete_team(actor: User, team: Team) -> None:
    """Delete a team: its members stay in its region, without a team; briefings given to it keep its name as text."""
    _admin(actor)
    db.session.execute(sa.update(Placement).where(Placement.team_id == team.id).values(team_id=None))
    audit.record(actor, "team.deleted", f"Deleted team {team.name} ({team.region.name})",
                 entity="team", entity_id=team.id)
    db.session.delete(team)
    db.session.flush()


def add_members(actor: User, team: Team, user_ids: Sequence[int]) -> list[User]:
    """Put sellers in ``team`` (leaving any other team): their region becomes the team's."""
    _admin(actor)
    ids = sorted(set(user_ids))
    if not ids:
        raise InvalidInput("Nobody was added.", {"user_ids": ["Choose at least one seller."]})
    people = db.session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    found = {u.id: u for u in people}
    wrong = [i for i in ids if i not in found or not is_seller(found[i])]
    if wrong:
        raise InvalidInput("Nobody was added.", {"user_ids": [
            "Only active people who sell join a sales team (sales managers, and team members who sell)."]})
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Placement)
                              .where(Placement.team_id == team.id, Placement.user_id.not_in(ids))) or 0
    if count + len(ids) > MAX_MEMBERS:
        raise InvalidInput("Nobody was added.", {"user_ids": [
            f"A team has at most {MAX_MEMBERS} members: split it into several teams."]})
    placements = {p.user_id: p for p in db.session.scalars(sa.select(Placement).where(Placement.user_id.in_(ids)))}
    added = []
    for user_id in ids:
        placement = placements.get(user_id) or Placement(user_id=user_id)
        if placement.team_id == team.id:
            continue
        placement.team, placement.region = team, team.region
        db.session.add(placement)
        added.append(found[user_id])
    db.session.flush()
    if added:
        audit.record(actor, "team.members_added", f"Added {', '.join(u.name for u in added)} to team {team.name}",
                     entity="team", entity_id=team.id)
    return added


def remove_member(actor: User, team: Team, user: User) -> None:
    """Take someone out of ``team``: they stay in its region, without a team."""
    _admin(actor)
    placement = db.session.get(Placement, user.id)
    if placement is None or placement.team_id != team.id:
        raise InvalidInput(f"{user.name} is not in {team.name}.")
    placement.team = None
    db.session.flush()
    audit.record(actor, "team.member_removed", f"Took {user.name} out of team {team.name}",
                 entity="team", entity_id=team.id)


def place(actor: User, user: User, region_id: int | None, team_id: int | None) -> Placement | None:
    """Set where a seller stands: a team (its region comes with it), a region alone, or nowhere (both None)."""
    _admin(actor)
    errors: dict[str, list[str]] = {}
    team = db.session.get(Team, team_id) if team_id else None
    region = db.session.get(Region, region_id) if region_id else None
    if team_id and team is None:
        errors["team_id"] = ["Choose a team from the list."]
    if region_id and region is None:
        errors["region_id"] = ["Choose a region from the list."]
    if team is not None and region is not None and region.id != team.region_id:
        errors["region_id"] = [f"{team.name} is in {team.region.name}: a seller in a team is in its region."]
    if (team is not None or region is not None) and not is_seller(user):
        errors["team_id" if team is not None else "region_id"] = [
            "Only active people who sell are placed in a region or team (tick “sells” first)."]
    if team is not None and team.id != _team_of(user) and _size(team) >= MAX_MEMBERS:
        errors["team_id"] = [f"{team.name} has {MAX_MEMBERS} members already, the most a team has."]
    if errors:
        raise InvalidInput("Nothing was changed.", errors)
    placement = db.session.get(Placement, user.id)
    if team is None and region is None:
        if placement is not None:
            db.session.delete(placement)
            db.session.flush()
            audit.record(actor, "user.placed", f"{user.name} is in no region or team now", entity="user",
                         entity_id=user.id)
        return None
    placement = placement or Placement(user=user)
    placement.team = team
    placement.region = team.region if team is not None else region  # type: ignore[assignment]
    db.session.add(placement)
    db.session.flush()
    where = f"team {team.name} ({team.region.name})" if team is not None else f"region {region.name}"  # type: ignore[union-attr]
    audit.record(actor, "user.placed", f"{user.name} is in {where}", entity="user", entity_id=user.id)
    return placement


def _team_of(user: User) -> int | None:
    return db.session.scalar(sa.select(Placement.team_id).where(Placement.user_id == user.id))


def _size(team: Team) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Placement).where(Placement.team_id == team.id)) or 0
