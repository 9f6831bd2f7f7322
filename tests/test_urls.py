"""What a URL may hold (app/core/url_guard.py): ids read only by record_id, and no NUL or lone
surrogate anywhere in the path or the query string. Run on PostgreSQL too: that is where a NUL
used to reach the database and fail as a 500."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for

from app.accounts.services import issue_token
from app.calendars import services as calendars
from app.calendars.services import FeedInput
from app.core.url_guard import REFUSED, first_unstorable
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


# --- NUL and lone surrogates in URLs ------------------------------------------------------------

def test_a_nul_in_a_search_is_a_400_naming_the_parameter(people, login, client, bearer):
    error = assert_json_error(client.get("/api/v1/feedback?q=a%00b", headers=bearer), 400, "invalid")
    assert error["fields"] == {"q": [REFUSED]}
    page = login(people["sales"]).get("/feedback/?q=a%00b")
    assert page.status_code == 400 and b"cannot be used" in page.data and b"Not understood" in page.data


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/projects?state=%00", "state"),
    ("/api/v1/projects?%00=1", "query"),
    ("/api/v1/feedback?q=ok&q=a%00", "q"),
    ("/api/v1/projects/1/changes?milestone=%00", "milestone"),
    ("/api/v1/no%00such", "path"),
])
def test_a_nul_anywhere_in_an_api_url_is_a_400_naming_where(people, client, bearer, url, field):
    error = assert_json_error(client.get(url, headers=bearer), 400, "invalid")
    assert list(error["fields"]) == [field]


def test_signed_out_a_nul_is_still_a_400_and_never_reaches_the_database(client):
    assert_json_error(client.get("/api/v1/feedback?q=%00"), 400, "invalid")
    assert client.get("/login?next=/%00").status_code == 400
    assert client.get("/campaigns/%00").status_code == 400


def test_a_feed_url_with_a_nul_is_not_found_like_any_unknown_token(people, client):
    _feed, token = calendars.create_feed(people["team"], FeedInput(name="Mine", kind="mine"))
    db.session.commit()
    unknown = client.get(f"/calendars/v1/{'x' * len(token)}.ics")
    assert unknown.status_code == 404
    for url in (f"/calendars/v1/{token[:-1]}%00.ics", f"/calendars/v1/{'%00' * len(token)}.ics",
                f"/calendars/v1/{token}.ics?x=%00"):
        response = client.get(url)
        assert (response.status_code, response.data) == (404, unknown.data), url
    assert client.get(f"/calendars/v1/{token}.ics").status_code == 200


def test_a_lone_surrogate_is_refused_too(people, client, bearer):
    # Werkzeug decodes a URL's invalid UTF-8 (a surrogate's bytes) to U+FFFD or leaves it escaped,
    # so a surrogate could come only from a server handing str through: the rule is asked directly.
    assert first_unstorable("/api/v1/feedback", [("q", "a\ud800")]) == "q"
    assert first_unstorable("/campaigns/\udfff", []) == "path"
    assert first_unstorable("/campaigns/1", [("q", "ünïcødé ✓")]) is None
    assert client.get("/api/v1/feedback?q=%ED%A0%80", headers=bearer).status_code == 200
    assert client.get("/api/v1/feedback%ED%A0%80", headers=bearer).status_code == 404


# --- a trailing slash ---------------------------------------------------------------------------

#: Every list page, as its rule spells it: with a slash (Werkzeug sends the bare path on) or without.
LISTS = ["/commitments", "/campaigns/", "/catalog/", "/feedback/", "/briefings/", "/updates/", "/reports/",
         "/inbox/", "/my-work/", "/admin/users", "/admin/calendars", "/admin/jobs/", "/admin/regions/"]


@pytest.mark.parametrize("canonical", LISTS)
def test_a_list_answers_with_and_without_its_trailing_slash(people, login, canonical):
    admin = login(people["admin"])
    other = canonical.rstrip("/") if canonical.endswith("/") else canonical + "/"

    assert admin.get(canonical).status_code == 200
    moved = admin.get(other, query_string={"page": "2"} if canonical == "/commitments" else None)

    assert moved.status_code == 308
    assert urlsplit(moved.headers["Location"]).path == canonical  # Werkzeug's own are absolute URLs
    assert admin.get(other, follow_redirects=True).status_code == 200


def test_the_slash_goes_from_a_record_and_an_api_path_too_the_query_kept(make_project, people, login, bearer, client):
    project = make_project()

    page = login(people["sales"]).get(f"/campaigns/{project.id}/", query_string={"baseline": "1"})
    api = client.get("/api/v1/commitments/", headers=bearer)

    assert (page.status_code, page.headers["Location"]) == (308, f"/campaigns/{project.id}?baseline=1")
    assert (api.status_code, api.headers["Location"]) == (308, "/api/v1/commitments")


def test_a_slash_is_not_taken_off_a_secret_or_a_write_or_where_nothing_is(people, login, client):
    _feed, token = calendars.create_feed(people["sales"], FeedInput(name="Mine", kind="mine"))
    db.session.commit()

    assert client.get(f"/calendars/v1/{token}.ics").status_code == 200
    feed = client.get(f"/calendars/v1/{token}.ics/")
    assert feed.status_code == 404 and "Location" not in feed.headers
    assert client.get("/password/reset/some-token/").status_code == 404
    assert login(people["sales"]).post("/commitments/").status_code in {404, 405}
    assert login(people["sales"]).get("/nothing-here/").status_code == 404
