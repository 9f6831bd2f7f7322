"""Bad input gets a JSON 4xx that names what is wrong: never HTML, never a 500, never a partial write."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Expense, Project
from tests.api.helpers import assert_json_error, count

JSON = {"Content-Type": "application/json"}


def _raw(client, method: str, url: str, body: bytes | str):
    """Send ``body`` verbatim as application/json (the test client's json= would encode it)."""
    return getattr(client.client, method)(url, data=body, headers=client.headers(JSON))


# --- bodies that are not a JSON object ------------------------------------------------------

NOT_AN_OBJECT = [
    pytest.param(b'{"title": "Acme", ', id="truncated"),
    pytest.param(b"{'title': 'Acme'}", id="single-quotes"),
    pytest.param(b'{"title": "Acme",}', id="trailing-comma"),
    pytest.param(b"", id="empty"),
    pytest.param(b"\xff\xfe\x00{", id="not-utf8"),
    pytest.param(b'[{"title": "Acme"}]', id="array"),
    pytest.param(b'"Acme"', id="string"),
    pytest.param(b"42", id="number"),
    pytest.param(b"null", id="null"),
]


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_a_create_whose_body_is_not_a_json_object_is_a_400(api, people, body):
    response = _raw(api(people["sales"]), "post", "/api/v1/projects", body)

    error = assert_json_error(response, 400, "invalid")
    assert error["message"] == "The body must be a JSON object."
    assert count(Project) == 0


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_edits_and_transitions_whose_body_is_not_a_json_object_are_a_400(api, people, make_project, body):
    project = make_project()
    client = api(people["sales"])
    milestone = project.milestones[0]

    for method, url in (
        ("patch", f"/api/v1/projects/{project.id}"),
        ("post", f"/api/v1/projects/{project.id}/transitions"),
        ("post", f"/api/v1/projects/{project.id}/actuals"),
        ("post", f"/api/v1/projects/{project.id}/milestones"),
        ("patch", f"/api/v1/projects/{project.id}/milestones/{milestone.id}"),
        ("post", f"/api/v1/projects/{project.id}/milestones/{milestone.id}/move"),
    ):
        error = assert_json_error(_raw(client, method, url, body), 400, "invalid")
        assert error["message"] == "The body must be a JSON object.", url
    saved = db.session.get(Project, project.id)
    assert (saved.state, saved.version, saved.title) == ("draft", 1, "Upgrade campaign")
    assert count(Milestone) == 5


def test_a_deeply_nested_body_is_a_400_not_a_500(api, people):
    body = "[" * 100_000 + "]" * 100_000  # 200 kB: well under the size limit

    response = _raw(api(people["sales"]), "post", "/api/v1/projects", body)

    assert_json_error(response, 400, "invalid")


# --- values of the wrong type or shape -------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"goal_target": "lots"}, {"goal_target"}, id="target-not-a-number"),
        pytest.param({"goal_target": True}, {"goal_target"}, id="target-boolean"),
        pytest.param({"budget": "a lot"}, {"budget"}, id="budget-not-a-number"),
        pytest.param({"budget": -1}, {"budget"}, id="budget-negative"),
        pytest.param({"start_date": "not a date"}, {"start_date"}, id="start-not-a-date"),
        pytest.param({"start_date": "2026-02-30"}, {"start_date"}, id="start-impossible-date"),
        pytest.param({"end_date": "04/01/2029"}, {"end_date"}, id="end-wrong-format"),
        pytest.param({"start_date": 20270104}, {"start_date"}, id="start-a-number"),
        pytest.param({"region_ids": ["x"]}, {"region_ids"}, id="region-ids-not-ints"),
        pytest.param({"region_ids": [987654]}, {"region_ids"}, id="region-ids-unknown"),
        pytest.param({"region_ids": [{"id": 1}]}, {"region_ids"}, id="region-ids-objects"),
        pytest.param({"title": {"en": "Acme"}}, {"title"}, id="title-object"),
        pytest.param({"title": ""}, {"title"}, id="title-empty"),
        pytest.param({"title": None}, {"title"}, id="title-null"),
        pytest.param({"title": "x" * 161}, {"title"}, id="title-too-long"),
        pytest.param({"currency": "EURO"}, {"currency"}, id="currency-not-three-letters"),
        pytest.param({"project_manager_id": "abc"}, {"project_manager_id"}, id="pm-not-an-int"),
        pytest.param({"project_manager_id": 10**30}, {"project_manager_id"}, id="pm-huge-int"),
        pytest.param({"member_ids": [123456]}, {"member_ids"}, id="member-unknown"),
        pytest.param(
            {"title": {"x": 1}, "goal_metric": ["a", {"b": 2}]}, {"title", "goal_metric"}, id="two-nested-fields"
        ),
    ],
)
def test_wrong_types_are_a_400_naming_exactly_the_bad_fields(api, people, campaign_payload, overrides, fields):
    payload = campaign_payload(template="upgrade_campaign", **overrides)

    response = api(people["sales"]).post("/api/v1/projects", json=payload)

    error = assert_json_error(response, 400, "invalid")
    assert set(error["fields"]) == fields
    assert all(isinstance(m, str) and m for messages in error["fields"].values() for m in messages)
    assert count(Project) == 0 and count(Milestone) == 0


def test_a_person_of_the_wrong_role_is_refused_by_the_form(api, people, campaign_payload):
    payload = campaign_payload(project_manager_id=people["sales2"].id, product_manager_ids=[people["team"].id])

    error = assert_json_error(api(people["sales"]).post("/api/v1/projects", json=payload), 400, "invalid")

    assert set(error["fields"]) == {"project_manager_id", "product_manager_ids"}
    assert count(Project) == 0


@pytest.mark.parametrize("end", ["2027-01-03", "2027-01-04"], ids=["before-start", "same-day"])
def test_an_end_date_not_after_the_start_is_a_400_on_end_date(api, people, campaign_payload, end):
    payload = campaign_payload(template="upgrade_campaign", start_date="2027-01-04", end_date=end)

    error = assert_json_error(api(people["sales"]).post("/api/v1/projects", json=payload), 400, "invalid")

    assert error["fields"] == {"end_date": ["The end date must be after the start date."]}
    assert count(Project) == 0 and count(Milestone) == 0


def test_a_target_equal_to_the_baseline_is_a_400_on_goal_target(api, people, campaign_payload):
    payload = campaign_payload(goal_baseline=10, goal_target="10.0")

    error = assert_json_error(api(people["sales"]).post("/api/v1/projects", json=payload), 400, "invalid")

    assert error["fields"] == {"goal_target": ["The target must differ from the baseline."]}
    assert count(Project) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"goal_target": "lots"}, "goal_target"),
        ({"end_date": "2000-01-01"}, "end_date"),
        ({"title": {"nested": True}}, "title"),
        ({"region_ids": ["x"]}, "region_ids"),
    ],
)
def test_a_bad_patch_changes_nothing_even_in_the_valid_fields(api, people, make_project, overrides, field):
    project = make_project()

    response = api(people["sales"]).patch(
        f"/api/v1/projects/{project.id}", json={"version": 1, "goal_statement": "Should not stick", **overrides}
    )

    error = assert_json_error(response, 400, "invalid")
    assert field in error["fields"]
    saved = db.session.get(Project, project.id)
    assert (saved.goal_statement, saved.version, saved.title) == ("", 1, "Upgrade campaign")


# --- numbers the database or JSON cannot hold ------------------------------------------------


@pytest.mark.parametrize("value", ["Infinity", "-inf", "NaN"])
def test_a_non_finite_goal_target_is_a_400(api, people, campaign_payload, value):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(goal_target=value))

    error = assert_json_error(response, 400, "invalid")
    assert "goal_target" in error["fields"]
    assert count(Project) == 0


@pytest.mark.parametrize("where", ["budget", "expense"])
def test_a_signalling_nan_amount_is_a_400_not_a_500(api, people, make_project, campaign_payload, where):
    client = api(people["pm"])
    if where == "budget":
        response = client.post("/api/v1/projects", json=campaign_payload(budget="sNaN"))
        field = "budget"
    else:
        project = make_project(state="active")
        response = client.post(
            f"/api/v1/projects/{project.id}/expenses",
            json={"amount": "sNaN", "spent_on": "2026-03-01", "description": "Ads"},
        )
        field = "amount"

    error = assert_json_error(response, 400, "invalid")
    assert field in error["fields"]


@pytest.mark.parametrize("amount", ["1000000000000", "Infinity"])
def test_an_amount_beyond_the_money_column_is_a_400(api, people, campaign_payload, amount):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(budget=amount))

    error = assert_json_error(response, 400, "invalid")
    assert "budget" in error["fields"]
    assert count(Project) == 0


def test_the_largest_budget_the_column_holds_is_accepted(api, people, campaign_payload):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(budget="999999999999.99"))

    assert response.status_code == 201
    assert response.get_json()["budget"] == "999999999999.99"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/{big}",
        "/api/v1/projects/{big}/history",
        "/api/v1/projects/{project}/milestones/{big}",
        "/api/v1/projects/{project}/tasks/{big}",
    ],
)
def test_an_id_too_large_for_the_database_is_a_404(api, people, make_project, url):
    project = make_project()
    client = api(people["sales"])
    target = url.format(big=2**64, project=project.id)

    response = client.delete(target) if "tasks" in target else client.get(target)

    assert_json_error(response, 404, "not_found")


# --- size ------------------------------------------------------------------------------------


def test_a_body_over_one_mebibyte_is_a_413_json_error(api, people, campaign_payload):
    payload = campaign_payload(goal_statement="x" * (1024 * 1024))
    body = json.dumps(payload)
    assert len(body) > 1024 * 1024

    response = _raw(api(people["sales"]), "post", "/api/v1/projects", body)

    assert_json_error(response, 413, "request_entity_too_large")
    assert count(Project) == 0


def test_an_oversized_patch_or_expense_is_a_413_and_writes_nothing(api, people, make_project):
    project = make_project(state="active")
    client = api(people["pm"])
    filler = "y" * (1024 * 1024 + 1)
    version = project.version

    patch = client.patch(f"/api/v1/projects/{project.id}", json={"version": version, "goal_statement": filler})
    expense = client.post(
        f"/api/v1/projects/{project.id}/expenses", json={"amount": "5", "spent_on": "2026-01-05", "description": filler}
    )

    assert_json_error(patch, 413, "request_entity_too_large")
    assert_json_error(expense, 413, "request_entity_too_large")
    saved = db.session.get(Project, project.id)
    assert (saved.goal_statement, saved.version) == ("", version)
    assert count(Expense) == 0


def test_a_body_just_under_the_limit_is_read(api, people, make_project):
    """The limit is on the body, not on what is valid: a big-but-allowed body gets a field error."""
    project = make_project()
    body = json.dumps({"version": 1, "goal_statement": "z" * (1024 * 1024 - 100)})
    assert len(body) < 1024 * 1024

    response = _raw(api(people["sales"]), "patch", f"/api/v1/projects/{project.id}", body)

    error = assert_json_error(response, 400, "invalid")
    assert list(error["fields"]) == ["goal_statement"]  # longer than 2000 characters


# --- list filters in the query string ---------------------------------------------------------

@pytest.mark.parametrize("url, field", [
    ("/api/v1/briefings?region_id=%C2%B2", "region_id"),  # "²": a digit to str.isdigit(), not to int()
    ("/api/v1/feedback?product_id=%C2%B2", "product_id"),
    ("/api/v1/product-updates?product_id=%C2%B2", "product_id"),
])
def test_a_filter_id_that_is_not_a_plain_number_is_a_400_naming_it(api, people, url, field):
    error = assert_json_error(api(people["sales"]).get(url), 400, "invalid")
    assert field in error["fields"]
