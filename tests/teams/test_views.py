"""The team pages: the admins' list, a team with its members, a seller's place on their user page;
the update form's audience and the briefing form's team."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.briefings.models import Briefing
from app.extensions import db
from app.teams import services
from app.teams.models import Placement, Team
from app.updates.models import ProductUpdate
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def south(app):
    region = RegionFactory(name="Southern Europe")
    db.session.commit()
    return region


def test_an_admin_creates_a_team_and_adds_sellers_found_by_search(people, login, south):
    client = login(people["admin"])
    assert "Teams</a>" in client.get("/").get_data(as_text=True)  # in the Admin menu
    response = client.post("/admin/teams/", data={"name": "Milan field sales", "region_id": south.id})
    team = db.session.scalar(sa.select(Team))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/teams/{team.id}"

    html = client.get(f"/admin/teams/{team.id}?q=sam").get_data(as_text=True)
    assert "Sam Seller" in html and "Pat Product" not in html
    client.post(f"/admin/teams/{team.id}/members", data={"user_ids": [people["sales"].id]})
    html = client.get("/admin/teams/").get_data(as_text=True)
    assert "Milan field sales" in html and '<td class="num" data-label="Members">1</td>' in html

    client.post(f"/admin/teams/{team.id}/members/{people['sales'].id}/remove")
    assert db.session.get(Placement, people["sales"].id).team_id is None
    client.post(f"/admin/teams/{team.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0


def test_a_refused_team_shows_the_message_beside_the_field(people, login, south):
    client = login(people["admin"])
    client.post("/admin/teams/", data={"name": "Milan field sales", "region_id": south.id})
    html = client.post("/admin/teams/", data={"name": "milan field sales", "region_id": south.id}).get_data(as_text=True)
    assert "Another team already has this name." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 1


@pytest.mark.parametrize("who", ["sales", "pm", "product", "team"])
def test_the_team_pages_are_not_found_for_anyone_but_admins(people, login, who):
    assert login(people[who]).get("/admin/teams/").status_code == 404


def test_the_user_page_shows_and_sets_a_sellers_region_and_team(people, login, south):
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    db.session.commit()
    client = login(people["admin"])
    url = f"/admin/users/{people['sales'].id}"
    assert "Not placed" in client.get(url).get_data(as_text=True)

    response = client.post(f"/admin/teams/people/{people['sales'].id}", data={"team_id": team.id, "region_id": ""})
    assert response.headers["Location"] == url + "#placement"
    assert "In Milan field sales (Southern Europe)" in client.get(url).get_data(as_text=True)

    client.post(f"/admin/teams/people/{people['pm'].id}", data={"region_id": south.id})  # does not sell
    assert db.session.get(Placement, people["pm"].id) is None
    assert "Only active people who sell" in client.get(f"/admin/users/{people['pm'].id}").get_data(as_text=True)


def test_the_update_form_sends_to_a_team(people, login, south, make_product):
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    services.add_members(people["admin"], team, [people["sales"].id])
    product = make_product()
    db.session.commit()
    client = login(people["product"])
    assert "Milan field sales (Southern Europe)" in client.get("/updates/new").get_data(as_text=True)
    response = client.post("/updates/new", data={"product_id": product.id, "kind": "pricing",
                                                 "title": "Milan prices", "audience_team_id": team.id,
                                                 "requires_ack": "y"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Update published: 1 seller told, each asked to acknowledge it." in html
    assert "sent to Milan field sales" in html and "0 of 1 acknowledged" in html
    assert db.session.scalar(sa.select(ProductUpdate.audience_team_id)) == team.id


def test_a_briefing_names_a_team_on_record_and_old_text_is_linked_by_exact_name(people, login, south, make_product):
    product = make_product()
    client = login(people["product"])
    form = {"title": "Pro pricing", "region_id": south.id, "held_on": "2026-11-10", "duration_minutes": 60,
            "presenter_id": people["product"].id, "product_ids": [product.id]}
    client.post("/briefings/new", data={**form, "sales_team": "Milan field sales"})
    client.post("/briefings/new", data={**form, "sales_team": "Milan field sales team"})  # not exact: stays text
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    db.session.commit()
    linked = dict(db.session.execute(sa.select(Briefing.sales_team, Briefing.team_id)).tuples().all())
    assert linked == {"Milan field sales": team.id, "Milan field sales team": None}

    response = client.post("/briefings/new", data={**form, "team_id": team.id, "sales_team": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    newest = db.session.scalars(sa.select(Briefing).order_by(Briefing.id.desc())).first()
    assert (newest.team, newest.sales_team) == (team, "Milan field sales")
    other = RegionFactory(name="DACH")
    db.session.commit()
    html = client.post("/briefings/new", data={**form, "region_id": other.id, "team_id": team.id}).get_data(as_text=True)
    assert "Milan field sales is in Southern Europe." in html
    html = client.post("/briefings/new", data={**form, "sales_team": ""}).get_data(as_text=True)
    assert "Choose the sales team briefed, or write its name" in html


def test_a_team_with_many_members_pages_them(people, login, south):
    team = services.save_team(people["admin"], None, "Milan field sales", south.id)
    reps = [UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name=f"Rep {n:02}") for n in range(60)]
    services.add_members(people["admin"], team, [r.id for r in reps])
    db.session.commit()
    html = login(people["admin"]).get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert "Rep 49" in html and "Rep 50" not in html and "Next 50 members" in html
