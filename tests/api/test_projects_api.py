"""Campaigns through the JSON API: templates, launching, listing, editing, lifecycle, actuals, spend, history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.core import clock
from app.extensions import db
from app.milestones.models import Milestone
from app.projects.models import Expense, GoalActual, Project, ProjectRole
from tests.api.helpers import START, assert_json_error, count, items


def _actions(project_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.project_id == project_id).order_by(AuditEvent.id)
    ))


# --- templates -------------------------------------------------------------------------------


def test_templates_lists_the_four_campaign_templates_in_display_order(api, people):
    response = api(people["team"]).get("/api/v1/templates")

    assert response.status_code == 200
    templates = response.get_json()
    assert [t["key"] for t in templates] == ["upgrade_campaign", "quota_push", "client_pursuit", "product_launch"]
    upgrade = templates[0]
    assert upgrade["name"] == "Upgrade campaign"
    assert upgrade["duration_months"] == 24
    assert upgrade["goal"] == {"metric": "Current customers on the new tier", "unit": "%", "baseline": 0.0, "target": 50.0}
    assert len(upgrade["milestones"]) == 5
    assert upgrade["milestones"][0] == "Upgrade offer and price band agreed with product"


# --- launching -------------------------------------------------------------------------------


def test_creating_from_a_template_makes_a_draft_with_the_templates_milestones(api, people, campaign_payload):
    payload = campaign_payload(template="upgrade_campaign")

    response = api(people["sales"]).post("/api/v1/projects", json=payload)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["state"] == "draft" and body["kind"] == "upgrade_campaign"
    assert body["version"] == 1
    assert body["owner_id"] == people["sales"].id
    assert body["budget"] == "120000.00" and body["currency"] == "EUR"
    dues = [(m["title"], m["due_date"], m["target_value"], m["position"]) for m in body["milestones"]]
    assert dues == [
        ("Upgrade offer and price band agreed with product", "2027-01-18", None, 0),  # +2 weeks
        ("12-week email series launched", "2027-02-01", None, 1),  # +4 weeks
        ("12-week email series completed", "2027-04-26", None, 2),  # +16 weeks
        ("First-year checkpoint: 30% of customers upgraded", "2028-01-04", 30.0, 3),  # +12 months, 60% of 50
        ("Campaign goal: 50% of customers upgraded", "2029-01-04", 50.0, 4),  # +24 months
    ]
    assert all(m["owner_id"] == people["pm"].id and m["state"] == "open" for m in body["milestones"])

    project = db.session.get(Project, body["id"])
    assert project.title == "Acme Pro upgrade" and project.start_date == START
    assert [m.id for m in project.milestones] == [m["id"] for m in body["milestones"]]
    roles = {m.user_id: m.role for m in project.memberships}
    assert roles == {
        people["sales"].id: ProjectRole.OWNER,
        people["pm"].id: ProjectRole.PROJECT_MANAGER,
        people["product"].id: ProjectRole.PRODUCT_MANAGER,
        people["team"].id: ProjectRole.MEMBER,
    }
    assert _actions(project.id) == ["project.created"]
    # The owner is offered exactly the next step of the lifecycle.
    assert [(t["event"], t["allowed"]) for t in body["transitions"]] == [("submit", True), ("cancel", True)]


def test_creating_without_a_template_makes_a_blank_draft(api, people, campaign_payload):
    response = api(people["pm"]).post("/api/v1/projects", json=campaign_payload(title="Blank one"))

    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] is None and body["milestones"] == [] and body["state"] == "draft"
    assert db.session.get(Project, body["id"]).title == "Blank one"
    assert count(Milestone) == 0


def test_an_unknown_template_is_refused_naming_the_field(api, people, campaign_payload):
    response = api(people["sales"]).post("/api/v1/projects", json=campaign_payload(template="moon_landing"))

    error = assert_json_error(response, 400, "invalid")
    assert list(error["fields"]) == ["template"]
    assert "upgrade_campaign" in error["fields"]["template"][0]
    assert count(Project) == 0


def test_a_campaign_launches_with_only_the_documented_required_fields(api, people):
    payload = {"title": "Minimal", "start_date": "2027-01-04", "end_date": "2027-07-04",
               "goal_metric": "Deals signed", "goal_target": 10}

    response = api(people["sales"]).post("/api/v1/projects", json=payload)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["goal_baseline"], body["budget"], body["currency"]) == (0.0, "0.00", "EUR")
    assert count(Project) == 1


@pytest.mark.parametrize("who", ["team", "product", "outsider"])
def test_people_who_may_not_launch_campaigns_cannot_create_one(api, people, campaign_payload, who):
    response = api(people[who]).post("/api/v1/projects", json=campaign_payload(template="quota_push"))

    assert 400 <= response.status_code < 500  # a refusal by the service (ServiceError), not a crash
    error = assert_json_error(response, response.status_code)
    assert error["message"] == "Only sales managers, project managers and admins start campaigns."
    assert count(Project) == 0 and count(Milestone) == 0
    assert db.session.scalars(sa.select(AuditEvent.action)).all() == ["token.created"]  # the fixture's token only


# --- listing and reading ---------------------------------------------------------------------


def test_the_list_shows_only_the_callers_campaigns_and_admins_see_all(api, people, make_project):
    mine = make_project(title="Mine")
    theirs = make_project(title="Theirs", owner=people["sales2"], project_manager_id=None, member_ids=[])

    def listed(who: str) -> list[int]:
        response = api(people[who]).get("/api/v1/projects")
        assert response.status_code == 200
        return [p["id"] for p in items(response)]

    assert listed("sales") == [mine.id]
    assert listed("sales2") == [theirs.id]
    assert listed("team") == [mine.id]  # a member of "Mine" only
    assert listed("outsider") == []
    assert listed("admin") == [mine.id, theirs.id]


def test_the_list_filters_by_state(api, people, make_project):
    draft = make_project(title="Draft")
    active = make_project(title="Running", state="active")
    client = api(people["sales"])

    assert [p["id"] for p in items(client.get("/api/v1/projects?state=active"))] == [active.id]
    assert [p["id"] for p in items(client.get("/api/v1/projects?state=draft"))] == [draft.id]
    assert items(client.get("/api/v1/projects?state=completed")) == []
    assert [p["state"] for p in items(client.get("/api/v1/projects"))] == ["draft", "active"]


def test_an_unknown_state_filter_is_a_400_naming_the_field(api, people, make_project):
    make_project()

    error = assert_json_error(api(people["sales"]).get("/api/v1/projects?state=bogus"), 400, "invalid")

    assert list(error["fields"]) == ["state"]
    assert "bogus" in error["message"]


def test_a_campaign_reads_in_full_for_its_members(api, people, make_project):
    project = make_project(budget=Decimal("1000.00"))

    response = api(people["team"]).get(f"/api/v1/projects/{project.id}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == project.id and body["uuid"] == str(project.uuid)
    assert body["budget"] == "1000.00" and body["spent"] == "0.00"
    assert len(body["milestones"]) == 5
    assert {m["user_id"] for m in body["members"]} == {
        people["sales"].id, people["pm"].id, people["product"].id, people["team"].id,
    }
    assert body["transitions"] == []  # a plain team member may not move a draft on


@pytest.mark.parametrize("who", ["outsider", "sales2"])
def test_another_users_campaign_is_404_not_403(api, people, make_project, who):
    project = make_project()
    client = api(people[who])

    for response in (
        client.get(f"/api/v1/projects/{project.id}"),
        client.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "title": "Mine now"}),
        client.post(f"/api/v1/projects/{project.id}/transitions", json={"event": "submit"}),
        client.get(f"/api/v1/projects/{project.id}/history"),
        client.get(f"/api/v1/projects/{project.id}/actuals"),
        client.post(f"/api/v1/projects/{project.id}/expenses", json={"amount": "5", "spent_on": "2026-01-01", "description": "x"}),
    ):
        assert_json_error(response, 404, "not_found")
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Upgrade campaign"
    assert db.session.get(Project, project.id).state == "draft"
    assert count(Expense) == 0


def test_a_campaign_that_does_not_exist_is_404(api, people):
    assert_json_error(api(people["admin"]).get("/api/v1/projects/4242"), 404, "not_found")


# --- editing ---------------------------------------------------------------------------------


def test_patch_with_the_current_version_updates_and_bumps_the_version(api, people, make_project):
    project = make_project()

    response = api(people["sales"]).patch(
        f"/api/v1/projects/{project.id}", json={"version": 1, "title": "Acme Pro upgrade 2027", "budget": "9000.5"}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["title"] == "Acme Pro upgrade 2027" and body["budget"] == "9000.50"
    assert body["version"] == 2
    # Fields not sent keep their values.
    assert body["goal_metric"] == "Customers on the new tier" and body["member_ids"] == [people["team"].id]
    saved = db.session.get(Project, project.id)
    assert (saved.title, saved.budget, saved.version) == ("Acme Pro upgrade 2027", Decimal("9000.50"), 2)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.updated"))
    assert set(event.details["changes"]) == {"title", "budget"}


def test_patch_with_an_old_version_is_a_409_conflict_and_changes_nothing(api, people, make_project):
    project = make_project()
    client = api(people["sales"])
    assert client.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "title": "First edit"}).status_code == 200

    response = client.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "title": "Stale edit"})

    error = assert_json_error(response, 409, "conflict")
    assert "changed by someone else" in error["message"]
    saved = db.session.get(Project, project.id)
    assert (saved.title, saved.version) == ("First edit", 2)
    assert _actions(project.id).count("project.updated") == 1


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_patch_without_an_integer_version_is_a_400_on_the_version_field(api, people, make_project, version):
    project = make_project()
    payload = {"title": "No version"} if version is None else {"title": "No version", "version": version}

    error = assert_json_error(api(people["sales"]).patch(f"/api/v1/projects/{project.id}", json=payload), 400, "invalid")

    assert list(error["fields"]) == ["version"]
    assert db.session.get(Project, project.id).title == "Upgrade campaign"


def test_patch_cannot_set_state_owner_or_outcome(api, people, make_project):
    project = make_project()

    response = api(people["sales"]).patch(f"/api/v1/projects/{project.id}", json={
        "version": 1, "state": "completed", "outcome": "achieved", "owner_id": people["sales2"].id,
        "kind": "quota_push", "title": "Renamed",
    })

    assert response.status_code == 200
    saved = db.session.get(Project, project.id)
    assert (saved.title, saved.state, saved.outcome, saved.owner_id, saved.kind) == (
        "Renamed", "draft", None, people["sales"].id, "upgrade_campaign",
    )


def test_a_team_member_cannot_edit_the_campaign(api, people, make_project):
    project = make_project()

    response = api(people["team"]).patch(f"/api/v1/projects/{project.id}", json={"version": 1, "title": "Hijacked"})

    error = assert_json_error(response, 403, "forbidden")
    assert error["message"] == "Only the campaign's owner, project manager or an admin can change its plan."
    saved = db.session.get(Project, project.id)
    assert (saved.title, saved.version) == ("Upgrade campaign", 1)


def test_a_stale_edit_of_the_members_is_a_409_not_a_lost_update(api, people, make_project):
    project = make_project()
    first, second = api(people["sales"]), api(people["pm"])
    # Both opened the campaign at version 1. The first removes the team member...
    assert first.patch(f"/api/v1/projects/{project.id}", json={"version": 1, "member_ids": []}).status_code == 200

    # ...the second, still on version 1, adds the outsider and would put the team member back.
    response = second.patch(
        f"/api/v1/projects/{project.id}", json={"version": 1, "member_ids": [people["team"].id, people["outsider"].id]}
    )

    assert_json_error(response, 409, "conflict")
    saved = db.session.get(Project, project.id)
    assert people["team"].id not in {m.user_id for m in saved.memberships}


# --- lifecycle -------------------------------------------------------------------------------


def test_submitting_a_blank_draft_without_milestones_is_refused_with_every_reason(api, people, make_project):
    project = make_project(template=None, goal_metric=" ")

    response = api(people["sales"]).post(f"/api/v1/projects/{project.id}/transitions", json={"event": "submit"})

    error = assert_json_error(response, 409, "transition_refused")
    assert error["reasons"] == [
        "Name the goal metric (for example “Customers on the new tier”).",
        "Add at least one milestone.",
    ]
    assert error["message"] == "The campaign could not be moved on (submit)."
    saved = db.session.get(Project, project.id)
    assert (saved.state, saved.version) == ("draft", 1)
    assert _actions(project.id) == ["project.created"]


def test_the_right_people_walk_a_campaign_from_draft_to_active(api, people, make_project):
    project = make_project()
    url = f"/api/v1/projects/{project.id}/transitions"

    steps = [("sales", "submit", "proposed"), ("pm", "plan", "planned"), ("pm", "launch", "active")]
    for who, event, state in steps:
        response = api(people[who]).post(url, json={"event": event})
        assert response.status_code == 200, (event, response.get_data(as_text=True))
        assert response.get_json()["state"] == state
        assert db.session.get(Project, project.id).state == state

    assert _actions(project.id) == [
        "project.created", "project.submit", "project.plan", "baseline.taken", "project.launch",
    ]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.project_id == project.id, AuditEvent.from_state.is_not(None))
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.from_state, e.to_state, e.actor_id) for e in events] == [
        ("draft", "proposed", people["sales"].id),
        ("proposed", "planned", people["pm"].id),
        ("planned", "active", people["pm"].id),
    ]


def test_a_sales_manager_cannot_plan_only_the_project_manager_can(api, people, make_project):
    project = make_project(state="proposed")

    response = api(people["sales"]).post(f"/api/v1/projects/{project.id}/transitions", json={"event": "plan"})

    error = assert_json_error(response, 409, "transition_refused")
    assert error["reasons"] == ["Plan: only an admin or the project manager may do this."]
    assert db.session.get(Project, project.id).state == "proposed"


def test_a_transition_that_does_not_leave_the_current_state_is_refused(api, people, make_project):
    project = make_project()

    response = api(people["pm"]).post(f"/api/v1/projects/{project.id}/transitions", json={"event": "launch"})

    error = assert_json_error(response, 409, "transition_refused")
    assert error["reasons"] == ["A campaign that is draft cannot be launched."]
    assert db.session.get(Project, project.id).state == "draft"


@pytest.mark.parametrize("payload", [{}, {"event": ""}, {"event": 3}, {"reason": "no event"}])
def test_a_transition_must_name_its_event(api, people, make_project, payload):
    project = make_project()

    error = assert_json_error(
        api(people["sales"]).post(f"/api/v1/projects/{project.id}/transitions", json=payload), 400, "invalid"
    )

    assert list(error["fields"]) == ["event"]
    assert db.session.get(Project, project.id).state == "draft"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_hold_needs_a_reason(api, people, make_project, reason):
    project = make_project(state="active")
    payload = {"event": "hold"} if reason is None else {"event": "hold", "reason": reason}

    response = api(people["pm"]).post(f"/api/v1/projects/{project.id}/transitions", json=payload)

    error = assert_json_error(response, 409, "transition_refused")
    assert error["reasons"] == ["Put on hold: a reason is required."]
    assert db.session.get(Project, project.id).state == "active"


def test_hold_with_a_reason_then_resume(api, people, make_project):
    project = make_project(state="active")
    pm = api(people["pm"])
    url = f"/api/v1/projects/{project.id}/transitions"

    held = pm.post(url, json={"event": "hold", "reason": "  Budget freeze until Q3  "})

    assert held.status_code == 200 and held.get_json()["state"] == "on_hold"
    saved = db.session.get(Project, project.id)
    assert (saved.state, saved.state_note) == ("on_hold", "Budget freeze until Q3")
    assert pm.post(url, json={"event": "resume"}).get_json()["state"] == "active"


def test_complete_without_actuals_is_refused(api, people, make_project):
    project = make_project(state="active")

    response = api(people["sales"]).post(f"/api/v1/projects/{project.id}/transitions", json={"event": "complete"})

    error = assert_json_error(response, 409, "transition_refused")
    assert error["reasons"] == ["Report at least one actual value of the goal, so the outcome can be measured."]
    saved = db.session.get(Project, project.id)
    assert (saved.state, saved.outcome) == ("active", None)


@pytest.mark.parametrize(("value", "outcome"), [(55.0, "achieved"), (20.0, "partial"), (0.0, "missed")])
def test_report_an_actual_then_complete_records_the_outcome(api, people, make_project, value, outcome):
    project = make_project(state="active")  # baseline 0, target 50
    client = api(people["sales"])

    reported = client.post(
        f"/api/v1/projects/{project.id}/actuals",
        json={"value": value, "measured_on": (clock.today() - timedelta(days=1)).isoformat()},
    )
    assert reported.status_code == 201, reported.get_data(as_text=True)
    response = client.post(f"/api/v1/projects/{project.id}/transitions", json={"event": "complete"})

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["state"], body["outcome"]) == ("completed", outcome)
    saved = db.session.get(Project, project.id)
    assert (saved.state, saved.outcome) == ("completed", outcome)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.complete"))
    assert event.details == {"outcome": outcome}


def test_cancel_needs_a_reason_and_closes_the_campaign_for_edits(api, people, make_project):
    project = make_project(state="planned")
    owner = api(people["sales"])
    url = f"/api/v1/projects/{project.id}/transitions"

    refused = owner.post(url, json={"event": "cancel"})
    assert assert_json_error(refused, 409, "transition_refused")["reasons"] == ["Cancel: a reason is required."]

    cancelled = owner.post(url, json={"event": "cancel", "reason": "Customer churned"})
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    edit = owner.patch(f"/api/v1/projects/{project.id}", json={"version": cancelled.get_json()["version"], "title": "x"})
    assert_json_error(edit, 409, "closed")
    saved = db.session.get(Project, project.id)
    assert (saved.state, saved.state_note, saved.title) == ("cancelled", "Customer churned", "Upgrade campaign")


# --- actuals and expenses --------------------------------------------------------------------


def test_actuals_are_reported_and_listed_in_date_order(api, people, make_project):
    project = make_project(state="active")
    product = api(people["product"])  # product managers may report, too
    today = clock.today()

    later = product.post(f"/api/v1/projects/{project.id}/actuals",
                         json={"value": 12.5, "measured_on": (today - timedelta(days=2)).isoformat(), "note": " Q1 "})
    earlier = product.post(f"/api/v1/projects/{project.id}/actuals",
                           json={"value": "4", "measured_on": (today - timedelta(days=9)).isoformat()})

    assert later.status_code == 201
    assert later.get_json() == {
        "id": later.get_json()["id"], "value": 12.5, "measured_on": (today - timedelta(days=2)).isoformat(),
        "note": "Q1", "recorded_by": "Pat Product",
    }
    assert earlier.status_code == 201
    listed = api(people["team"]).get(f"/api/v1/projects/{project.id}/actuals")
    assert listed.status_code == 200
    assert [(a["value"], a["id"]) for a in items(listed)] == [
        (4.0, earlier.get_json()["id"]), (12.5, later.get_json()["id"]),
    ]
    assert count(GoalActual) == 2
    shown = product.get(f"/api/v1/projects/{project.id}").get_json()
    assert shown["progress"]["latest"] == 12.5


def test_an_actual_cannot_be_measured_in_the_future(api, people, make_project):
    project = make_project(state="active")

    response = api(people["sales"]).post(
        f"/api/v1/projects/{project.id}/actuals",
        json={"value": 10, "measured_on": (clock.today() + timedelta(days=1)).isoformat()},
    )

    error = assert_json_error(response, 400, "invalid")
    assert list(error["fields"]) == ["measured_on"]
    assert count(GoalActual) == 0


def test_a_team_member_cannot_report_actuals(api, people, make_project):
    project = make_project(state="active")

    response = api(people["team"]).post(
        f"/api/v1/projects/{project.id}/actuals", json={"value": 10, "measured_on": clock.today().isoformat()}
    )

    error = assert_json_error(response, 403, "forbidden")
    assert error["message"] == "Only the campaign's owner, project manager, product managers or an admin report on it."
    assert count(GoalActual) == 0


def test_expenses_are_recorded_listed_and_counted_as_spend(api, people, make_project):
    project = make_project(state="active", budget=Decimal("10000"))
    pm = api(people["pm"])

    first = pm.post(f"/api/v1/projects/{project.id}/expenses",
                    json={"amount": "1500.50", "spent_on": "2026-03-02", "description": "  Mailing house  "})
    second = pm.post(f"/api/v1/projects/{project.id}/expenses",
                     json={"amount": 99.5, "spent_on": "2026-02-01", "description": "Landing page"})

    assert first.status_code == 201
    assert first.get_json() == {
        "id": first.get_json()["id"], "amount": "1500.50", "spent_on": "2026-03-02",
        "description": "Mailing house", "recorded_by": "Priya Planner",
    }
    assert second.status_code == 201 and second.get_json()["amount"] == "99.50"
    listed = items(api(people["team"]).get(f"/api/v1/projects/{project.id}/expenses"))
    assert [e["description"] for e in listed] == ["Landing page", "Mailing house"]  # by date spent
    assert pm.get(f"/api/v1/projects/{project.id}").get_json()["spent"] == "1600.00"
    assert sum(e.amount for e in db.session.scalars(sa.select(Expense))) == Decimal("1600.00")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "0", "spent_on": "2026-03-02", "description": "Free"}, "amount"),
        ({"amount": "-5", "spent_on": "2026-03-02", "description": "Refund"}, "amount"),
        ({"amount": "12", "spent_on": "2026-03-02", "description": ""}, "description"),
        ({"amount": "12", "spent_on": "March", "description": "Ads"}, "spent_on"),
        ({"amount": "twelve", "spent_on": "2026-03-02", "description": "Ads"}, "amount"),
    ],
)
def test_invalid_expenses_are_refused_naming_the_field(api, people, make_project, payload, field):
    project = make_project(state="active")

    error = assert_json_error(
        api(people["pm"]).post(f"/api/v1/projects/{project.id}/expenses", json=payload), 400, "invalid"
    )

    assert list(error["fields"]) == [field]
    assert count(Expense) == 0


# --- history ---------------------------------------------------------------------------------


def test_history_lists_the_campaigns_events_newest_first(api, people, campaign_payload):
    sales = api(people["sales"])
    created = sales.post("/api/v1/projects", json=campaign_payload(template="client_pursuit")).get_json()
    url = f"/api/v1/projects/{created['id']}"
    assert sales.patch(url, json={"version": 1, "title": "Globex pursuit"}).status_code == 200
    assert sales.post(f"{url}/transitions", json={"event": "submit"}).status_code == 200

    response = api(people["team"]).get(f"{url}/history")

    assert response.status_code == 200
    history = items(response)
    assert [e["action"] for e in history] == ["project.submit", "project.updated", "project.created"]
    assert [e["at"] for e in history] == sorted((e["at"] for e in history), reverse=True)
    submit = history[0]
    assert (submit["from"], submit["to"], submit["actor"]) == ("draft", "proposed", "Sam Seller")
    assert submit["at"].endswith("Z")
    assert history[1]["details"]["changes"]["title"] == ["Acme Pro upgrade", "Globex pursuit"]
    assert history[2]["details"] == {"template": "client_pursuit", "milestones": 4}
