"""Sales teams: naming them, their members, where a seller stands, who may do it, and the audiences."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.teams import services
from app.teams.models import Placement, Team
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def regions(app):
    milan, dach = RegionFactory(name="Southern Europe"), RegionFactory(name="DACH")
    db.session.commit()
    return milan, dach


def _rep(name: str):
    return UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name=name)


def test_an_admin_creates_a_team_with_a_unique_name(people, regions):
    south, _ = regions
    team = services.save_team(people["admin"], None, "  Milan field sales ", south.id)
    assert (team.name, team.region) == ("Milan field sales", south)
    with pytest.raises(InvalidInput) as refused:
        services.save_team(people["admin"], None, "milan FIELD sales", south.id)
    assert refused.value.fields == {"name": ["Another team already has this name."]}
    assert db.session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "team.created")) \
        == "Created team Milan field sales in Southern Europe"


@pytest.mark.parametrize(("name", "region", "field"), [("", "ok", "name"), ("Rome desk", None, "region_id"),
                                                       ("Rome desk", "inactive", "region_id")])
def test_a_team_needs_a_name_and_an_active_region(people, regions, name, region, field):
    inactive = RegionFactory(active=False)
    region_id = {"ok": regions[0].id, "inactive": inactive.id, None: None}[region]
    with pytest.raises(InvalidInput) as refused:
        services.save_team(people["admin"], None, name, region_id)
    assert field in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0


@pytest.mark.parametrize("who", ["sales", "pm", "product", "team"])
def test_only_admins_manage_teams(people, regions, who):
    with pytest.raises(NotAllowed):
        services.save_team(people[who], None, "Milan field sales", regions[0].id)
    team = services.save_team(people["admin"], None, "Milan field sales", regions[0].id)
    for change in (lambda: services.add_members(people[who], team, [people["sales"].id]),
                   lambda: services.delete_team(people[who], team),
                   lambda: services.place(people[who], people["sales"], regions[0].id, None)):
        with pytest.raises(NotAllowed):
            change()


def test_members_join_with_the_teams_region_and_leave_for_no_team_in_it(people, regions):
    south, dach = regions
    milan = services.save_team(people["admin"], None, "Milan field sales", south.id)
    munich = services.save_team(people["admin"], None, "Munich desk", dach.id)
    rita = _rep("Rita Rep")

    assert services.add_members(people["admin"], milan, [rita.id, people["sales"].id]) == [people["sales"], rita]
    assert services.add_members(people["admin"], milan, [rita.id]) == []  # already in: nothing changes
    placement = db.session.get(Placement, rita.id)
    assert (placement.team, placement.region) == (milan, south)

    services.add_members(people["admin"], munich, [rita.id])  # at most one team: she moves
    assert (placement.team, placement.region) == (munich, dach)

    services.remove_member(people["admin"], munich, rita)
    assert (placement.team, placement.region) == (None, dach)
    with pytest.raises(InvalidInput):
        services.remove_member(people["admin"], munich, rita)


@pytest.mark.parametrize("who", ["pm", "product", "team", "inactive"])
def test_only_active_sellers_join_a_team(people, regions, who):
    team = services.save_team(people["admin"], None, "Milan field sales", regions[0].id)
    person = UserFactory(role=Role.SALES_MANAGER, active=False) if who == "inactive" else people[who]
    with pytest.raises(InvalidInput) as refused:
        services.add_members(people["admin"], team, [people["sales"].id, person.id])
    assert "user_ids" in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0  # nobody: not half


def test_a_team_has_at_most_max_members(people, regions, monkeypatch):
    monkeypatch.setattr(services, "MAX_MEMBERS", 2)
    team = services.save_team(people["admin"], None, "Milan field sales", regions[0].id)
    services.add_members(people["admin"], team, [people["sales"].id, people["sales2"].id])
    with pytest.raises(InvalidInput):
        services.add_members(people["admin"], team, [_rep("Rita Rep").id])
    with pytest.raises(InvalidInput):
        services.place(people["admin"], _rep("Rob Rep"), None, team.id)


def test_moving_a_team_moves_its_members_and_deleting_it_leaves_them_in_its_region(people, regions):
    south, dach = regions
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    services.add_members(people["admin"], team, [people["sales"].id])
    services.save_team(people["admin"], team, "Alpine sales", dach.id)
    placement = db.session.get(Placement, people["sales"].id)
    db.session.refresh(placement)
    assert placement.region == dach

    services.delete_team(people["admin"], team)
    db.session.commit()
    db.session.refresh(placement)
    assert (placement.team_id, placement.region_id) == (None, dach.id)


def test_placing_a_seller_a_team_brings_its_region_and_a_region_alone_needs_no_team(people, regions):
    south, dach = regions
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    seller = people["sales"]

    placement = services.place(people["admin"], seller, None, team.id)
    assert (placement.team, placement.region) == (team, south)
    with pytest.raises(InvalidInput) as refused:
        services.place(people["admin"], seller, dach.id, team.id)
    assert refused.value.fields["region_id"] == ["Milan field sales is in Southern Europe: a seller in a team is in its region."]

    placement = services.place(people["admin"], seller, dach.id, None)
    assert (placement.team, placement.region) == (None, dach)
    assert services.place(people["admin"], seller, None, None) is None
    assert db.session.get(Placement, seller.id) is None
    with pytest.raises(InvalidInput):
        services.place(people["admin"], people["pm"], south.id, None)  # does not sell


def test_audiences_are_the_active_sellers_of_a_team_a_region_or_everyone(people, regions):
    south, dach = regions
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    rita, rob, gone = _rep("Rita Rep"), _rep("Rob Rep"), _rep("Gone Rep")
    services.add_members(people["admin"], team, [rita.id, gone.id])
    services.place(people["admin"], rob, south.id, None)
    services.place(people["admin"], people["sales2"], dach.id, None)
    gone.active = False
    db.session.flush()

    def ids(region_id, team_id):
        return set(db.session.scalars(services.audience_ids(region_id, team_id)))

    assert ids(None, team.id) == {rita.id}
    assert ids(south.id, None) == {rita.id, rob.id}
    assert ids(None, None) == {rita.id, rob.id, people["sales"].id, people["sales2"].id}


def test_the_list_has_member_counts_in_one_query(people, regions):
    from tests.queries import counting

    for number in range(30):
        team = services.save_team(people["admin"], None, f"Team {number:02}", regions[number % 2].id)
        if number % 4:
            services.add_members(people["admin"], team, [_rep(f"Rep {number}-{i}").id for i in range(number % 4)])
    db.session.commit()
    db.session.expire_all()
    with counting() as statements:
        page = services.teams()
        shown = [(t.name, t.region.name, t.member_count) for t in page.items]
    assert len(statements) == 1
    assert shown[:4] == [("Team 00", "Southern Europe", 0), ("Team 01", "DACH", 1), ("Team 02", "Southern Europe", 2),
                         ("Team 03", "DACH", 3)]


def test_the_search_offers_active_sellers_outside_the_team_bounded(people, regions):
    team = services.save_team(people["admin"], None, "Milan field sales", regions[0].id)
    services.add_members(people["admin"], team, [people["sales"].id])
    for number in range(services.SEARCH_LIMIT + 5):
        _rep(f"Sara {number:02}")
    assert services.candidates(team, "") == []
    found = services.candidates(team, "SA")
    assert len(found) == services.SEARCH_LIMIT
    assert people["sales"] not in [u for u, _ in found]  # in the team already
    assert [u.name for u, _ in services.candidates(team, "sue")] == ["Sue Second"]
    assert services.candidates(team, "100%_") == []  # wildcards are text
