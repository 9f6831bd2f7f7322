"""The one value rule (app/core/values.py), as the API applies it: every value outside it is a
400 naming the field, nothing is written, and the same rule refuses it on the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import GoalActual, Project
from tests.api.helpers import assert_json_error, count
from tests.api.test_briefings_api import _payload as briefing_payload
from tests.api.test_commitments_api import terms, world  # noqa: F401 (the fixture)
from tests.factories import RegionFactory

HUGE = int("9" * 401)


def _refused(response, field: str, words: str = "") -> dict:
    error = assert_json_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert words in " ".join(error["fields"][field]), error
    return error


# --- text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    pytest.param("Acme\ud800", "not valid Unicode", id="lone-surrogate"),
    pytest.param("Acme\x00Pro", "U+0000 (NUL)", id="nul"),
    pytest.param("Acme\x1bPro", "U+001B", id="escape"),
    pytest.param("Acme\u0085Pro", "U+0085", id="c1-control"),
    pytest.param("Acme\nPro", "on one line", id="line-break-in-a-one-line-field"),
])
def test_a_one_line_text_with_a_broken_or_control_character_is_refused(api, people, campaign_payload, text, words):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(title=text))

    _refused(response, "title", words)
    assert count(Project) == 0


def test_a_multi_line_text_keeps_its_line_breaks_and_tabs_but_no_other_control(api, people, campaign_payload):
    client = api(people["sales"])

    refused = client.post("/api/v1/projects", json=campaign_payload(goal_statement="Line one\x00"))
    created = client.post("/api/v1/projects", json=campaign_payload(goal_statement="Line one\r\n\tLine two\rthree"))

    _refused(refused, "goal_statement", "NUL")
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["goal_statement"] == "Line one\n\tLine two\nthree"  # stored with \n only


def test_every_text_the_api_stores_is_checked_including_transition_reasons(api, people, make_project):
    project = make_project()
    client = api(people["sales"])
    milestone = project.milestones[0]

    for url, body, field in (
        (f"/api/v1/projects/{project.id}/transitions", {"event": "submit", "reason": "x\x00"}, "reason"),
        (f"/api/v1/projects/{project.id}/milestones/{milestone.id}/transitions",
         {"event": "cancel", "reason": "\ud800"}, "reason"),
        (f"/api/v1/projects/{project.id}/actuals", {"value": 1, "note": "\x07"}, "note"),
        (f"/api/v1/projects/{project.id}/expenses", {"amount": "1.00", "description": "\x00"}, "description"),
        (f"/api/v1/projects/{project.id}/milestones", {"title": "a\ud800", "due_date": "2027-01-01"}, "title"),
        (f"/api/v1/projects/{project.id}/replan", {"reason": "\x00", "milestones": [
            {"id": milestone.id, "due_date": "2027-01-01", "version": milestone.version}]}, "reason"),
    ):
        _refused(client.post(url, json=body), field)
    db.session.refresh(project)
    assert project.state == "draft" and count(GoalActual) == 0


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [1e308, -1e308, 1e13, HUGE, "1e400"])
def test_an_actual_outside_the_goal_range_is_refused(api, people, make_project, value):
    project = make_project(state="active")

    response = api(people["product"]).post(f"/api/v1/projects/{project.id}/actuals", json={"value": value})

    _refused(response, "value")
    assert count(GoalActual) == 0


def test_a_negative_actual_is_refused_unless_the_goal_itself_goes_below_zero(api, people, make_project):
    counted = make_project(state="active")
    net = make_project(title="Net churn", state="active", goal_baseline=-5.0, goal_target=0.0)
    client = api(people["product"])

    refused = client.post(f"/api/v1/projects/{counted.id}/actuals", json={"value": -3})
    allowed = client.post(f"/api/v1/projects/{net.id}/actuals", json={"value": -3})

    _refused(refused, "value", "zero or more")
    assert allowed.status_code == 201, allowed.get_json()


@pytest.mark.parametrize("field, value", [
    ("goal_target", 1e308), ("goal_baseline", -1e308), ("goal_target", HUGE), ("goal_target", "Infinity"),
])
def test_a_goal_outside_its_range_is_refused(api, people, campaign_payload, field, value):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(**{field: value}))

    _refused(response, field)
    assert count(Project) == 0


def test_whole_numbers_are_parsed_as_written_never_through_a_float(api, people, world, make_product):  # noqa: F811
    client = api(people["sales"])
    product_client = api(people["product"])

    for value in (HUGE, "٣", "1_000", "1.5", " 7x"):
        _refused(client.post(f"/api/v1/projects/{world['project'].id}/commitments",
                             json=terms(world, quantity=value)), "quantity")
        _refused(product_client.post("/api/v1/briefings", json=briefing_payload(
            RegionFactory(), world["product"], duration_minutes=value)), "duration_minutes")


def test_a_replan_target_of_four_hundred_digits_is_refused(api, people, make_project):
    project = make_project(state="planned")
    milestone = project.milestones[0]

    response = api(people["pm"]).post(f"/api/v1/projects/{project.id}/replan", json={"reason": "Later", "milestones": [
        {"id": milestone.id, "target_value": HUGE, "version": milestone.version}]})

    _refused(response, f"target_{milestone.id}", "within")


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, words", [
    ("end_date", "9999-12-31", "between 1970 and 2200"),
    ("start_date", "0001-01-01", "between 1970 and 2200"),
    ("end_date", "2040-01-05", "at most 10 years"),
])
def test_campaign_dates_stay_in_range_and_within_ten_years(api, people, campaign_payload, field, value, words):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(**{field: value}))

    _refused(response, field, words)
    assert count(Project) == 0


def test_milestones_and_promises_fall_at_most_five_years_after_the_campaign(api, people, world):  # noqa: F811
    project = world["project"]
    too_late = (project.end_date + timedelta(days=5 * 366)).isoformat()
    client = api(people["pm"])
    milestone = project.milestones[0]

    _refused(client.post(f"/api/v1/projects/{project.id}/milestones",
                         json={"title": "Far", "due_date": "9999-12-31"}), "due_date", "between 1970 and 2200")
    _refused(client.post(f"/api/v1/projects/{project.id}/milestones",
                         json={"title": "Far", "due_date": too_late}), "due_date", "after the campaign ends")
    _refused(client.post(f"/api/v1/projects/{project.id}/replan", json={"reason": "Later", "milestones": [
        {"id": milestone.id, "due_date": too_late, "version": milestone.version}]}), f"due_{milestone.id}", "5 years")
    _refused(api(people["sales"]).post(f"/api/v1/projects/{project.id}/commitments",
                                       json=terms(world, promised_date=too_late)), "promised_date", "5 years")
    assert count(Milestone) == len(project.milestones)


# --- the pages share the rule -------------------------------------------------------------------

def test_a_page_form_states_every_broken_rule_at_once(login, people, make_project):
    project = make_project(state="active")
    page = login(people["product"])

    response = page.post(f"/campaigns/{project.id}/actuals", data={
        "value": "1e308", "measured_on": "9999-12-31", "note": "bad\x01"}, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Value: Enter a number between" in html
    assert "Measured on: Pick a date between 1970 and 2200." in html
    assert "Note: Remove the control character U+0001" in html
    assert count(GoalActual) == 0


def test_a_campaign_form_keeps_what_was_typed_and_names_the_goal_range(login, people, make_project):
    project = make_project()
    page = login(people["sales"])

    response = page.post(f"/campaigns/{project.id}/edit", data={
        "title": "Upgrade campaign", "goal_metric": "Customers", "goal_target": "1e308", "currency": "EUR",
        "start_date": project.start_date.isoformat(), "end_date": "9999-12-31", "version": project.version})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a number between -1,000,000,000,000 and 1,000,000,000,000." in html
    assert "Pick a date between 1970 and 2200." in html
    db.session.refresh(project)
    assert project.goal_target == 50.0
