"""The admins' team pages: the list, a team with its members, and a seller's place (from their user page)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.models import User
from app.core.pagination import page_request
from app.core.views import admins_only, press, save_form
from app.extensions import db
from app.teams import services
from app.teams.forms import MembersForm, PlacementForm, TeamForm
from app.teams.models import Team

bp = Blueprint("teams", __name__, url_prefix="/admin/teams")


def placement_form(user: User) -> PlacementForm:
    """The form of where ``user`` stands, filled in: the user admin page (accounts, a lower layer) shows it
    through this template global, and posts it to :func:`place`."""
    placement = services.placement_of(user)
    form = PlacementForm(formdata=None, data={"region_id": placement.region_id if placement else None,
                                              "team_id": placement.team_id if placement else None})
    form.placement = placement  # type: ignore[attr-defined]
    return form


bp.add_app_template_global(placement_form, "seller_placement_form")


admins_only(bp)


@bp.route("/", methods=["GET", "POST"])
def index() -> str | Response:
    form = TeamForm()
    team = save_form(form, lambda: services.save_team(current_user, None, form.name.data or "", form.region_id.data),
                     "team")
    if team is not None:
        flash(f"Team {team.name} created: add its members.", "success")
        return redirect(url_for(".edit", team_id=team.id))
    page = services.teams(page_request())
    return render_template("teams/index.html", teams=page.items, page=page, form=form)


@bp.route("/<int:team_id>", methods=["GET", "POST"])
def edit(team_id: int) -> str | Response:
    team = db.session.get(Team, team_id) or abort(404)
    form = TeamForm(obj=team, team=team)
    if save_form(form, lambda: services.save_team(current_user, team, form.name.data or "", form.region_id.data),
                 "team") is not None:
        flash(f"Team {team.name} saved.", "success")
        return redirect(url_for(".edit", team_id=team.id))
    return _team_page(team, form, MembersForm())


@bp.post("/<int:team_id>/members")
def add_members(team_id: int) -> str | Response:
    team = db.session.get(Team, team_id) or abort(404)
    form = MembersForm()
    added = save_form(form, lambda: services.add_members(current_user, team, form.user_ids.data or []), "team")
    if added is not None:
        flash(f"Added {', '.join(u.name for u in added)} to {team.name}." if added else "They were in the team already.",
              "success" if added else "info")
        return redirect(url_for(".edit", team_id=team.id))
    return _team_page(team, TeamForm(obj=team, team=team), form)


def _team_page(team: Team, form: TeamForm, members_form: MembersForm) -> str:
    search = request.args.get("q", "")[:100]
    members = services.members(team, page_request())
    return render_template("teams/edit.html", team=team, form=form, members_form=members_form, members=members,
                           search=search, candidates=services.candidates(team, search),
                           search_limit=services.SEARCH_LIMIT, max_members=services.MAX_MEMBERS)


@bp.post("/<int:team_id>/members/<int:user_id>/remove")
def remove_member(team_id: int, user_id: int) -> Response:
    team = db.session.get(Team, team_id) or abort(404)
    user = db.session.get(User, user_id) or abort(404)
    return press(lambda: services.remove_member(current_user, team, user),
                 f"{user.name} left {team.name}; they stay in {team.region.name}.", url_for(".edit", team_id=team.id))


@bp.post("/<int:team_id>/delete")
def delete(team_id: int) -> Response:
    team = db.session.get(Team, team_id) or abort(404)
    name = team.name
    return press(lambda: services.delete_team(current_user, team),
                 f"Team {name} deleted; its members stay in its region.", url_for(".index"))


@bp.post("/people/<int:user_id>")
def place(user_id: int) -> Response:
    """A seller's region and team, set from their user page."""
    user = db.session.get(User, user_id) or abort(404)
    form = PlacementForm()
    if save_form(form, lambda: services.place(current_user, user, form.region_id.data, form.team_id.data)) is None:
        for field in (form.region_id, form.team_id):
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
    else:
        flash(f"Region and team of {user.name} saved.", "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id) + "#placement")
