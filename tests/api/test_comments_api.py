"""Comments through the JSON API: each kind's thread, posting with mentions, editing within the window,
removing, and who may do what (another campaign's record is a 404)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.comments.models import Comment
from app.extensions import db
from app.notifications.models import Notification
from tests.api.helpers import assert_json_error, count, items


@pytest.fixture
def project(make_project):
    return make_project(state="planned")


def test_post_and_read_a_campaign_comment_with_a_mention(api, project, people):
    pm = api(people["pm"])
    response = pm.post(f"/api/v1/campaigns/{project.id}/comments",
                       json={"body": "Plan ready, @Sam Seller and @Oscar Outsider",
                             "mention_ids": [people["sales"].id, people["outsider"].id]})
    assert response.status_code == 201, response.get_data(as_text=True)
    posted = response.get_json()
    assert posted["mentions"] == [{"id": people["sales"].id, "name": "Sam Seller"}]
    assert posted["unreached"] == ["Oscar Outsider"]
    assert posted["can_edit"] and posted["editable_until"] == "2026-11-17T09:40:00Z"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == "mention", Notification.user_id == people["sales"].id)) == 1
    [read] = items(api(people["sales"]).get(f"/api/v1/campaigns/{project.id}/comments"))
    assert read["body"] == "Plan ready, @Sam Seller and @Oscar Outsider"
    assert read["author"]["name"] == "Priya Planner" and not read["can_edit"]


@pytest.mark.parametrize("collection", ["milestones", "commitments", "feedback"])
def test_every_kind_hides_what_the_reader_may_not_see(api, project, people, collection):
    record_id = project.milestones[0].id if collection == "milestones" else 999999
    outsider = api(people["outsider"])
    assert_json_error(outsider.get(f"/api/v1/{collection}/{record_id}/comments"), 404)
    assert_json_error(outsider.post(f"/api/v1/{collection}/{record_id}/comments", json={"body": "hi"}), 404)


def test_a_milestone_thread_pages_newest_first(api, project, people):
    milestone = project.milestones[0]
    pm = api(people["pm"])
    for n in range(3):
        assert pm.post(f"/api/v1/milestones/{milestone.id}/comments", json={"body": f"n{n}"}).status_code == 201
    first = pm.get(f"/api/v1/milestones/{milestone.id}/comments?limit=2").get_json()
    assert [c["body"] for c in first["items"]] == ["n2", "n1"] and first["next"]


def test_bad_bodies_name_the_field_and_save_nothing(api, project, people):
    pm = api(people["pm"])
    url = f"/api/v1/campaigns/{project.id}/comments"
    assert "body" in assert_json_error(pm.post(url, json={"body": ""}), 400)["fields"]
    assert "body" in assert_json_error(pm.post(url, json={"body": "x" * 4001}), 400)["fields"]
    assert "mention_ids" in assert_json_error(pm.post(url, json={"body": "x", "mention_ids": ["a"]}), 400)["fields"]
    assert "mention_ids" in assert_json_error(
        pm.post(url, json={"body": "x", "mention_ids": list(range(1, 30))}), 400)["fields"]
    assert count(Comment) == 0


def test_edit_within_the_window_then_403_and_remove(api, project, people, clock):
    pm = api(people["pm"])
    comment = pm.post(f"/api/v1/campaigns/{project.id}/comments", json={"body": "draft"}).get_json()
    edited = pm.patch(f"/api/v1/comments/{comment['id']}", json={"body": "final"})
    assert edited.status_code == 200 and edited.get_json()["edited_at"] == "2026-11-17T09:30:00Z"
    assert_json_error(api(people["sales"]).patch(f"/api/v1/comments/{comment['id']}", json={"body": "mine"}), 403)
    clock.advance(minutes=11)
    assert_json_error(pm.patch(f"/api/v1/comments/{comment['id']}", json={"body": "later"}), 403)
    assert_json_error(pm.delete(f"/api/v1/comments/{comment['id']}"), 403)
    assert api(people["admin"]).delete(f"/api/v1/comments/{comment['id']}").status_code == 204
    [read] = items(pm.get(f"/api/v1/campaigns/{project.id}/comments"))
    assert read["removed"] and read["body"] == "" and read["removed_at"]
    assert_json_error(api(people["outsider"]).delete(f"/api/v1/comments/{comment['id']}"), 404)
