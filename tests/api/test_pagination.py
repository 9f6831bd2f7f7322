"""Every collection of the API pages the same way (app/core/pagination.py): ``limit`` (default 50,
at most 200), an opaque ``cursor``, ``next`` in the body and in an RFC 8288 ``Link`` header."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.api.helpers import assert_json_error


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_list_is_walked_page_by_page_with_next_and_the_link_header(api, people, make_project):
    made = [make_project(title=f"Campaign {n}").id for n in range(5)]
    client = api(people["admin"])

    first = client.get("/api/v1/projects?limit=2")
    body = first.get_json()
    assert [p["id"] for p in body["items"]] == made[:2]
    assert body["next"].startswith("http://localhost/api/v1/projects?") and "limit=2" in body["next"]
    assert first.headers["Link"] == f'<{body["next"]}>; rel="next"'

    seen, url = [], "/api/v1/projects?limit=2"
    while url:
        page = client.get(url).get_json()
        seen += [p["id"] for p in page["items"]]
        url = page["next"] and _path(page["next"])
    assert seen == made  # each once, in order, and the last page says there is no next


def test_a_row_added_while_paging_shifts_nothing_onto_the_wrong_page(api, people, make_project):
    made = [make_project(title=f"Campaign {n}").id for n in range(4)]
    client = api(people["admin"])
    first = client.get("/api/v1/projects?limit=2").get_json()
    added = make_project(title="Launched meanwhile").id
    second = client.get(_path(first["next"])).get_json()
    assert [p["id"] for p in second["items"]] == made[2:4]
    third = client.get(_path(second["next"])).get_json()
    assert [p["id"] for p in third["items"]] == [added] and third["next"] is None


def test_the_default_page_is_fifty_and_filters_are_kept_in_next(api, people, make_project):
    for n in range(51):
        make_project(title=f"Campaign {n}")
    client = api(people["admin"])
    body = client.get("/api/v1/projects?state=draft").get_json()
    assert len(body["items"]) == 50 and "state=draft" in body["next"]
    assert len(client.get(_path(body["next"])).get_json()["items"]) == 1


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5", "٥", "1_0", "9" * 401])
def test_a_limit_outside_1_to_200_is_a_400_naming_it(api, people, limit):
    error = assert_json_error(api(people["admin"]).get(f"/api/v1/projects?limit={limit}"), 400, "invalid")
    assert list(error["fields"]) == ["limit"]


@pytest.mark.parametrize("cursor", ["nonsense", "W1siaSIsMV0sWyJpIiwyXV0", "W1siaSIsIm9uZSJdXQ", "WyJhIl0", "%00", "W1sieCIsMV1d"])
def test_a_cursor_not_made_by_this_list_is_a_400_naming_it(api, people, cursor):
    error = assert_json_error(api(people["admin"]).get(f"/api/v1/projects?cursor={cursor}"), 400, "invalid")
    assert list(error["fields"]) == ["cursor"]
