"""What a URL may hold (app/core/url_guard.py): ids read only by record_id."""

from __future__ import annotations

import pytest
from flask import url_for

from app.accounts.services import issue_token
from app.extensions import db
from tests.api.helpers import assert_json_error

#: Digits to str.isdigit() or to int(), but not how an id is written.
NOT_IDS = ["²", "①", "٣", "３", "+1", "-1", "1_0", " 1", "1.0", str(2**31), "9" * 400]


@pytest.fixture
def bearer(people):
    """Headers with a bearer token of the sales manager."""
    _token, plain = issue_token(people["sales"], "URL tests")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


# --- ids in paths -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [i for i in NOT_IDS if "." not in i and " " not in i])
def test_an_id_in_a_path_is_only_plain_digits_within_a_key(make_project, people, login, bearer, client, raw):
    project = make_project()
    assert login(people["sales"]).get(f"/campaigns/{project.id}").status_code == 200
    if raw in {"٣", "３"}:  # the campaign's own id in Arabic-Indic or full-width digits: int() reads them
        raw = "".join(chr(ord(raw) - 3 + int(d)) for d in str(project.id))
    page = login(people["sales"]).get(f"/campaigns/{raw}")
    assert page.status_code == 404 and b"Not found" in page.data
    assert_json_error(client.get(f"/api/v1/projects/{raw}", headers=bearer), 404)


def test_links_to_records_are_still_built_from_their_ids(app):
    with app.test_request_context():
        assert url_for("projects.show", project_id=3) == "/campaigns/3"


# --- ids in query strings -----------------------------------------------------------------------

@pytest.mark.parametrize("raw", NOT_IDS)
def test_a_bad_baseline_id_is_a_404_for_the_download_and_the_latest_on_the_page(make_project, people, login, raw):
    project = make_project(state="planned")  # planning takes baseline #1
    pm = login(people["pm"])
    assert pm.get(f"/campaigns/{project.id}/timeline.svg?baseline=1").status_code == 200
    assert pm.get(f"/campaigns/{project.id}/timeline.svg", query_string={"baseline": raw}).status_code == 404
    assert pm.get(f"/campaigns/{project.id}", query_string={"baseline": raw}).status_code == 200


@pytest.mark.parametrize("raw", ["²", "①", "+1", str(2**31)])
def test_a_bad_id_filter_is_a_400_naming_it_in_the_api(people, client, bearer, raw):
    error = assert_json_error(client.get("/api/v1/reports", query_string={"region_id": raw},
                                         headers=bearer), 400, "invalid")
    assert list(error["fields"]) == ["region_id"]
    error = assert_json_error(client.get("/api/v1/feedback", query_string={"product_id": raw},
                                         headers=bearer), 400, "invalid")
    assert list(error["fields"]) == ["product_id"]


def test_a_bad_project_on_the_calendar_settings_page_is_my_calendar(people, login):
    page = login(people["team"]).get("/settings/calendars?project=²")
    assert page.status_code == 200
