"""Sales teams through the JSON API: everyone reads them, admins change them; updates to a team; coverage."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.notifications.models import Notification
from app.teams.models import Placement, Team
from tests.api.helpers import assert_json_error, count, items
from tests.factories import RegionFactory, UserFactory


def _region(name="Southern Europe"):
    region = RegionFactory(name=name)
    db.session.commit()
    return region


def test_an_admin_creates_edits_fills_and_deletes_a_team(api, people):
    south, dach = _region(), _region("DACH")
    admin = api(people["admin"])

    created = admin.post("/api/v1/teams", json={"name": "Milan field sales", "region_id": south.id})
    assert created.status_code == 201, created.get_json()
    team = created.get_json()
    assert team == {"id": team["id"], "name": "Milan field sales", "region_id": south.id, "region": "Southern Europe",
                    "member_count": 0}

    added = admin.post(f"/api/v1/teams/{team['id']}/members", json={"user_ids": [people["sales"].id]})
    assert added.get_json() == {"added": [{"id": people["sales"].id, "name": "Sam Seller"}]}
    assert items(admin.get(f"/api/v1/teams/{team['id']}/members")) == [{"id": people["sales"].id, "name": "Sam Seller"}]

    moved = admin.patch(f"/api/v1/teams/{team['id']}", json={"region_id": dach.id})
    assert moved.get_json()["region"] == "DACH" and moved.get_json()["member_count"] == 1
    assert db.session.get(Placement, people["sales"].id).region_id == dach.id
    assert items(api(people["team"]).get("/api/v1/teams"))[0]["name"] == "Milan field sales"

    assert admin.delete(f"/api/v1/teams/{team['id']}/members/{people['sales'].id}").status_code == 204
    assert admin.delete(f"/api/v1/teams/{team['id']}").status_code == 204
    assert count(Team) == 0
    assert_json_error(admin.get(f"/api/v1/teams/{team['id']}"), 404)


def test_others_read_but_may_not_change_teams(api, people):
    south = _region()
    team = api(people["admin"]).post("/api/v1/teams", json={"name": "Milan", "region_id": south.id}).get_json()
    sales = api(people["sales"])
    assert_json_error(sales.post("/api/v1/teams", json={"name": "Rome", "region_id": south.id}), 403, "forbidden")
    assert_json_error(sales.patch(f"/api/v1/teams/{team['id']}", json={"name": "Mine"}), 403)
    assert_json_error(sales.post(f"/api/v1/teams/{team['id']}/members", json={"user_ids": [people["sales"].id]}), 403)
    assert_json_error(sales.delete(f"/api/v1/teams/{team['id']}"), 403)
    assert count(Team) == 1 and count(Placement) == 0


def test_bad_input_names_the_field(api, people):
    south = _region()
    admin = api(people["admin"])
    admin.post("/api/v1/teams", json={"name": "Milan", "region_id": south.id})
    error = assert_json_error(admin.post("/api/v1/teams", json={"name": "MILAN", "region_id": south.id}), 400)
    assert "name" in error["fields"]
    error = assert_json_error(admin.post("/api/v1/teams", json={"name": "Rome\u0000", "region_id": south.id}), 400)
    assert "name" in error["fields"]
    team_id = db.session.scalar(sa.select(Team.id))
    error = assert_json_error(admin.post(f"/api/v1/teams/{team_id}/members", json={"user_ids": [people["pm"].id]}), 400)
    assert "user_ids" in error["fields"]


def test_an_update_to_a_team_reaches_only_its_members(api, people, make_product):
    south = _region()
    rita = UserFactory(role=Role.TEAM_MEMBER, sales_rep=True, name="Rita Rep")
    db.session.commit()
    admin = api(people["admin"])
    team = admin.post("/api/v1/teams", json={"name": "Milan", "region_id": south.id}).get_json()
    admin.post(f"/api/v1/teams/{team['id']}/members", json={"user_ids": [rita.id]})

    response = api(people["product"]).post("/api/v1/product-updates", json={
        "product_id": make_product().id, "kind": "pricing", "title": "Milan prices", "requires_ack": True,
        "audience_team_id": team["id"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["audience_team_id"], body["audience_region_id"], body["audience"]) == (team["id"], south.id, "Milan")
    assert body["acknowledgements"]["pending"] == [{"id": rita.id, "name": "Rita Rep"}]
    assert set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "product_update"))) \
        == {rita.id}
    assert_json_error(api(people["sales"]).post(f"/api/v1/product-updates/{body['id']}/acknowledge", json={}), 403)
    assert api(rita).post(f"/api/v1/product-updates/{body['id']}/acknowledge", json={}).status_code == 200


def test_the_team_coverage_report(api, people):
    south = _region()
    admin = api(people["admin"])
    team = admin.post("/api/v1/teams", json={"name": "Milan", "region_id": south.id}).get_json()
    admin.post(f"/api/v1/teams/{team['id']}/members", json={"user_ids": [people["sales"].id]})
    rows = items(api(people["sales"]).get("/api/v1/reports/team-coverage"))
    assert rows == [{"team_id": team["id"], "team": "Milan", "region": "Southern Europe", "sellers": 1, "briefed": 0,
                     "coverage_percent": 0.0}]
    assert_json_error(api(people["team"]).get("/api/v1/reports/team-coverage"), 404)
    assert_json_error(api(people["sales"]).get("/api/v1/reports/team-coverage?date_from=x"), 400)
