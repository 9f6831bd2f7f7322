"""API authentication: a session cookie or a personal bearer token, and JSON answers only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import ApiToken
from app.accounts.services import issue_token, revoke_token
from app.extensions import db
from app.projects.models import Project
from tests.api.helpers import assert_json_error, count, items


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/templates"),
        ("get", "/api/v1/projects"),
        ("post", "/api/v1/projects"),
        ("get", "/api/v1/projects/1"),
        ("patch", "/api/v1/projects/1"),
        ("post", "/api/v1/projects/1/transitions"),
        ("get", "/api/v1/projects/1/milestones/1"),
        ("delete", "/api/v1/projects/1/tasks/1"),
    ],
)
def test_no_credentials_gets_a_401_json_error_never_the_login_page(client, people, method, url):
    kwargs = {"json": {}} if method in {"post", "patch"} else {}
    response = getattr(client, method)(url, headers={"Accept": "text/html"}, **kwargs)

    error = assert_json_error(response, 401, "unauthorized")
    assert "Bearer" in error["message"]
    assert "Location" not in response.headers
    assert b"<html" not in response.data.lower()


def test_a_bearer_token_identifies_its_user(api, people):
    sales = api(people["sales"])

    response = sales.get("/api/v1/me")

    assert response.status_code == 200
    assert response.get_json() == {
        "id": people["sales"].id, "email": people["sales"].email, "name": "Sam Seller", "role": "sales_manager",
        "two_factor": False, "two_factor_required": False,
    }
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == people["sales"].id))
    assert token.last_used_at is not None  # the request loader stamps the token
    assert "Set-Cookie" not in response.headers  # a token never turns into a session


def test_each_token_speaks_for_its_own_user(api, people):
    assert api(people["pm"]).get("/api/v1/me").get_json()["id"] == people["pm"].id
    assert api(people["admin"]).get("/api/v1/me").get_json()["role"] == "admin"


def test_the_scheme_name_is_case_insensitive(client, people):
    _token, plain = issue_token(people["team"], "lowercase")

    response = client.get("/api/v1/me", headers={"Authorization": f"bearer {plain}"})

    assert response.status_code == 200
    assert response.get_json()["id"] == people["team"].id


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cs_this-token-was-never-issued",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Token {plain}",  # the right secret under the wrong scheme
        "{plain}",  # the right secret without a scheme
    ],
)
def test_unknown_or_malformed_credentials_get_401(client, people, header):
    _token, plain = issue_token(people["sales"], "real")

    response = client.get("/api/v1/me", headers={"Authorization": header.format(plain=plain)})

    assert_json_error(response, 401, "unauthorized")


def test_a_revoked_token_stops_working(client, people):
    token, plain = issue_token(people["sales"], "laptop script")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    revoke_token(people["sales"], token.id)
    response = client.get("/api/v1/me", headers=headers)

    assert_json_error(response, 401, "unauthorized")
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_the_token_of_a_deactivated_user_stops_working(client, people):
    _token, plain = issue_token(people["sales"], "integration")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    people["sales"].active = False
    response = client.get("/api/v1/me", headers=headers)

    assert_json_error(response, 401, "unauthorized")


def test_the_session_cookie_of_a_signed_in_user_works(login, people, make_project):
    project = make_project()
    browser = login(people["pm"])

    me = browser.get("/api/v1/me")
    listed = browser.get("/api/v1/projects")

    assert me.status_code == 200 and me.get_json()["id"] == people["pm"].id
    assert [p["id"] for p in items(listed)] == [project.id]


def test_the_session_of_a_deactivated_user_gets_401(login, people):
    browser = login(people["sales"])
    people["sales"].active = False

    assert_json_error(browser.get("/api/v1/me"), 401, "unauthorized")


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ({"title": "Form post"}, None),  # application/x-www-form-urlencoded, what an HTML form sends
        ('{"title": "Sneaky"}', "text/plain"),  # JSON text under a type a cross-site form may use
    ],
)
def test_writes_that_are_not_application_json_get_415(api, login, people, data, content_type):
    kwargs = {"data": data} if content_type is None else {"data": data, "content_type": content_type}

    for response in (
        api(people["sales"]).post("/api/v1/projects", **kwargs),
        login(people["sales"]).post("/api/v1/projects", **kwargs),
    ):
        assert_json_error(response, 415, "unsupported_media_type")
    assert count(Project) == 0


def test_a_patch_with_a_form_body_gets_415_and_changes_nothing(api, people, make_project):
    project = make_project(title="Unchanged")

    response = api(people["sales"]).patch(
        f"/api/v1/projects/{project.id}", data={"version": "1", "title": "Changed"}
    )

    assert_json_error(response, 415, "unsupported_media_type")
    assert db.session.get(Project, project.id).title == "Unchanged"


def test_json_writes_need_no_csrf_token_even_with_csrf_protection_on(
    app, api, login, people, campaign_payload, make_project, monkeypatch
):
    existing = make_project(title="Existing")
    browser = login(people["sales"])  # signs in while CSRF is off (the testing config)
    token_client = api(people["sales"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    # The HTML pages do enforce CSRF now: a form post without a token is refused.
    page = browser.post(f"/campaigns/{existing.id}/transition", data={"event": "submit"})
    assert page.status_code == 400
    assert db.session.get(Project, existing.id).state == "draft"

    by_token = token_client.post("/api/v1/projects", json=campaign_payload(title="By token"))
    by_cookie = browser.post("/api/v1/projects", json=campaign_payload(title="By cookie"))

    assert by_token.status_code == 201, by_token.get_data(as_text=True)
    assert by_cookie.status_code == 201, by_cookie.get_data(as_text=True)
    titles = set(db.session.scalars(sa.select(Project.title)))
    assert titles == {"Existing", "By token", "By cookie"}
