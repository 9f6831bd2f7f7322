"""Sales teams in the JSON API: everyone signed in reads them; admins create, edit and delete them and
choose their members."""

from __future__ import annotations

from typing import TypedDict

from flask import Response, abort, jsonify
from flask_login import current_user

from app.accounts.models import User
from app.api import PersonRef, api_blueprint, json_body, page_json, person, validated
from app.api.openapi import NEW_ID, Body, follow, from_path, operation
from app.core.errors import NotAllowed
from app.core.pagination import page_request
from app.core.views import commit
from app.extensions import db
from app.teams import services
from app.teams.forms import MembersForm, TeamForm
from app.teams.models import Team

bp = api_blueprint("teams", __name__)


class TeamJson(TypedDict):
    id: int
    name: str
    region_id: int
    region: str
    member_count: int  # active members


class MembersAdded(TypedDict):
    added: list[PersonRef]


def team_json(team: Team) -> TeamJson:
    """``team`` as read by services.teams or services.team_with_count (with its member count)."""
    return {"id": team.id, "name": team.name, "region_id": team.region_id, "region": team.region.name,
            "member_count": team.member_count or 0}


def _team_or_404(team_id: int) -> Team:
    return services.team_with_count(team_id) or abort(404)


def _saved(team: Team) -> Team:
    """The team as it stands after the commit, with its member count."""
    return services.team_with_count(team.id) or abort(404)


def _admin() -> None:
    if not current_user.is_admin:
        raise NotAllowed("Only admins manage sales teams.")


@bp.get("/teams")
@operation(TeamJson, paged=True)
def list_teams() -> Response:
    """Sales teams by name, with their region and how many active members each has."""
    return page_json(services.teams(page_request()), team_json)


@bp.post("/teams")
@operation(TeamJson, status=201, body=TeamForm, errors=(403,),
           links=follow("api_teams.get_team", "api_teams.update_team", "api_teams.list_members",
                        "api_teams.add_members", team_id=NEW_ID))
def create_team() -> tuple[Response, int]:
    """Create a team (admins): ``name`` (unique) and ``region_id``."""
    _admin()
    form = validated(TeamForm, json_body())
    team = services.save_team(current_user, None, form.name.data or "", form.region_id.data)
    commit("team")
    return jsonify(team_json(_saved(team))), 201


@bp.get("/teams/<int:team_id>")
@operation(TeamJson)
def get_team(team_id: int) -> Response:
    """One team."""
    return jsonify(team_json(_team_or_404(team_id)))


@bp.patch("/teams/<int:team_id>")
@operation(TeamJson, body=Body(TeamForm, partial=True), errors=(403,))
def update_team(team_id: int) -> Response:
    """Rename a team or move it to another region (its members move with it): any subset of its fields."""
    team = _team_or_404(team_id)
    _admin()
    form = validated(TeamForm, {"name": team.name, "region_id": team.region_id, **json_body()}, team=team)
    services.save_team(current_user, team, form.name.data or "", form.region_id.data)
    commit("team")
    return jsonify(team_json(_saved(team)))


@bp.delete("/teams/<int:team_id>")
@operation(status=204, errors=(403,))
def delete_team(team_id: int) -> tuple[str, int]:
    """Delete a team: its members stay in its region without a team; briefings given to it keep its name."""
    team = _team_or_404(team_id)
    _admin()
    services.delete_team(current_user, team)
    commit("team")
    return "", 204


@bp.get("/teams/<int:team_id>/members")
@operation(PersonRef, paged=True)
def list_members(team_id: int) -> Response:
    """A team's members, by name."""
    return page_json(services.members(_team_or_404(team_id), page_request()), person)


@bp.post("/teams/<int:team_id>/members")
@operation(MembersAdded, body=MembersForm, errors=(403,),
           links=follow("api_teams.list_members", team_id=from_path("team_id")))
def add_members(team_id: int) -> Response:
    """Add sellers (``user_ids``) to a team; someone in another team moves to this one, and into its region."""
    team = _team_or_404(team_id)
    _admin()
    form = validated(MembersForm, json_body())
    added = services.add_members(current_user, team, form.user_ids.data or [])
    commit("team")
    body: MembersAdded = {"added": [{"id": u.id, "name": u.name} for u in added]}
    return jsonify(body)


@bp.delete("/teams/<int:team_id>/members/<int:user_id>")
@operation(status=204, errors=(403,))
def remove_member(team_id: int, user_id: int) -> tuple[str, int]:
    """Take someone out of a team: they stay in its region, without a team."""
    team = _team_or_404(team_id)
    user = db.get_or_404(User, user_id)
    _admin()
    services.remove_member(current_user, team, user)
    commit("team")
    return "", 204
