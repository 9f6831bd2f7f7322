"""Cloning a campaign through the JSON API: defaults as the form's, a new start moves the end, refusals."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock


def test_the_api_clones_with_the_form_defaults_and_moves_the_end_with_a_new_start(make_project, people, api):
    source = make_project(title="API source")
    start = source.start_date + timedelta(days=366)
    response = api(people["sales"]).post(f"/api/v1/projects/{source.id}/clone", {"start_date": start.isoformat()})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Copy of API source" and body["state"] == "draft"
    assert body["end_date"] == (source.end_date + timedelta(days=366)).isoformat()
    assert [m["due_date"] for m in body["milestones"]] == [
        (m.due_date + timedelta(days=366)).isoformat() for m in source.milestones]


def test_the_api_refuses_bad_input_and_hides_what_one_may_not_see(make_project, people, api):
    source = make_project()
    bad = api(people["sales"]).post(f"/api/v1/projects/{source.id}/clone",
                                    {"end_date": (clock.today() + timedelta(days=5)).isoformat()})
    assert bad.status_code == 400 and "end_date" in bad.get_json()["error"]["fields"]
    assert api(people["outsider"]).post(f"/api/v1/projects/{source.id}/clone", {}).status_code == 404
    assert api(people["product"]).post(f"/api/v1/projects/{source.id}/clone", {}).status_code == 403
