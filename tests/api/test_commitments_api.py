"""Commitments through the JSON API: recording, the countersignature, edits, the launch gate, scoping, the queue."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.commitments.models import Commitment
from app.core import clock
from app.extensions import db
from app.notifications.models import Notification
from app.projects.models import ProjectRole
from app.projects.services import add_member
from tests.api.helpers import assert_json_error, count, items
from tests.factories import RegionFactory, UserFactory

NOT_ALLOWED_IN_THE_NORTH = "Northwind Pro in Nordics may not be sold: Not certified under local rules."
ONE_BLOCKER = "1 blocker stands against this commitment: countersigning it anyway needs a written justification."


@pytest.fixture
def world(make_project, make_product, people):
    """A planned campaign selling Northwind Pro: sellable in the South, not allowed in the North."""
    south, north = RegionFactory(name="Southern Europe"), RegionFactory(name="Nordics")
    product = make_product(coverage={south: "sellable", north: "not_allowed"})
    project = make_project(state="planned")
    return {"project": project, "product": product, "south": south, "north": north}


def terms(world, region: str = "south", **overrides) -> dict:
    """A complete, valid body for POST /projects/<pid>/commitments."""
    body = {
        "customer": "Acme GmbH",
        "product_id": world["product"].id,
        "region_id": world[region].id,
        "promise": "SSO for 500 seats",
        "promised_date": (clock.today() + timedelta(days=60)).isoformat(),
        "unit_price": "90.00",
        "discount_percent": "10",
        "quantity": 500,
        "band_id": world["product"].bands[0].id,
    }
    body.update(overrides)
    return body


def _list_url(world) -> str:
    return f"/api/v1/projects/{world['project'].id}/commitments"


def _url(commitment_id: int, suffix: str = "") -> str:
    return f"/api/v1/commitments/{commitment_id}{suffix}"


def record(api, user, world, **overrides) -> dict:
    response = api(user).post(_list_url(world), json=terms(world, **overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def fire(api, user, commitment_id: int, event: str, **params):
    return api(user).post(_url(commitment_id, "/transitions"), json={"event": event, **params})


def submitted(api, people, world, user=None, **overrides) -> dict:
    seller = user or people["sales"]
    body = record(api, seller, world, **overrides)
    # A blocked promise (the north) goes on only with the seller's word for it; a clear one ignores it.
    response = fire(api, seller, body["id"], "submit", justification="The customer takes it as a pilot")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def approved(api, people, world, **overrides) -> dict:
    body = submitted(api, people, world, **overrides)
    response = fire(api, people["product"], body["id"], "approve")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _notifications(user) -> list[Notification]:
    """What a person heard about commitments (campaign state changes are told too, and left out here)."""
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind.not_like("project_%")).order_by(Notification.id)))


def _actions(commitment_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity == "commitment", AuditEvent.entity_id == commitment_id).order_by(AuditEvent.id)
    ))


# --- recording and reading -------------------------------------------------------------------


def test_recording_a_commitment_makes_a_draft_with_money_as_strings(api, people, world):
    response = api(people["sales"]).post(_list_url(world), json=terms(world))

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["state"], body["version"], body["project_id"]) == ("draft", 1, world["project"].id)
    assert (body["customer"], body["promise"], body["quantity"]) == ("Acme GmbH", "SSO for 500 seats", 500)
    assert body["promised_date"] == (clock.today() + timedelta(days=60)).isoformat()
    assert (body["unit_price"], body["discount_percent"], body["effective_price"]) == ("90.00", "10.00", "81.00")
    assert body["currency"] == "EUR"
    assert body["band"]["tier"] == "Pro" and body["band"]["minimum_price"] == "80.00"
    assert body["title"] == "Acme GmbH: Northwind Pro in Southern Europe"
    assert body["created_by"] == {"id": people["sales"].id, "name": "Sam Seller"}
    assert body["created_at"].endswith("Z")
    assert (body["submitted_by"], body["submitted_at"], body["decided_by"]) == (None, None, None)
    assert (body["decision_note"], body["override_justification"]) == ("", "")
    assert body["findings"] == []
    assert [(o["event"], o["allowed"]) for o in body["options"]] == [("submit", True), ("withdraw", True)]
    assert body["options"][1]["requires"] == ["reason"]

    saved = db.session.get(Commitment, body["id"])
    assert (saved.state, saved.unit_price, saved.discount_percent) == ("draft", Decimal("90.00"), Decimal("10.00"))
    assert saved.created_by_id == people["sales"].id
    assert _actions(saved.id) == ["commitment.created"]


def test_a_commitment_shows_every_field_the_signer_needs(api, people, world):
    body = submitted(api, people, world, region="north")

    response = api(people["product"]).get(_url(body["id"]))

    assert response.status_code == 200
    shown = response.get_json()
    assert shown["state"] == "pending_signoff" and shown["state_label"] == "Waiting for countersignature"
    assert shown["submitted_by"] == {"id": people["sales"].id, "name": "Sam Seller"}
    submitted_at = db.session.get(Commitment, body["id"]).submitted_at
    assert shown["submitted_at"] == submitted_at.isoformat() + "Z"
    datetime.fromisoformat(shown["submitted_at"].removesuffix("Z"))  # a real ISO timestamp
    assert shown["findings"] == [{"code": "region_not_allowed", "severity": "blocker", "message": NOT_ALLOWED_IN_THE_NORTH}]
    options = {o["event"]: o for o in shown["options"]}
    assert list(options) == ["approve", "reject", "request_changes"]
    assert options["approve"] == {"event": "approve", "label": "Countersign", "requires": ["justification"],
                                  "allowed": True, "reasons": []}
    assert options["reject"]["requires"] == ["reason"]
    # The seller is offered only what a seller may do while it waits.
    seller_view = api(people["sales"]).get(_url(body["id"])).get_json()
    assert [o["event"] for o in seller_view["options"]] == ["withdraw"]


def test_the_campaign_list_gives_its_commitments_by_promised_date(api, people, world):
    later = record(api, people["sales"], world, customer="Later", promised_date=(clock.today() + timedelta(days=90)).isoformat())
    sooner = record(api, people["sales"], world, customer="Sooner")

    response = api(people["team"]).get(_list_url(world))

    listed = items(response)
    assert [c["id"] for c in listed] == [sooner["id"], later["id"]]
    assert "options" not in listed[0]


def test_a_product_manager_off_the_campaign_sees_the_commitment_but_not_the_campaign(api, people, world):
    outside_pm = UserFactory(role=Role.PRODUCT_MANAGER, name="Olga Owner")
    world["product"].owners.append(outside_pm)
    body = submitted(api, people, world)

    assert api(outside_pm).get(_url(body["id"])).status_code == 200
    assert_json_error(api(outside_pm).get(_list_url(world)), 404, "not_found")
    assert fire(api, outside_pm, body["id"], "approve").status_code == 200


def test_only_sellers_record_commitments(api, people, world):
    response = api(people["team"]).post(_list_url(world), json=terms(world))

    error = assert_json_error(response, 403, "forbidden")
    assert "campaign owner" in error["message"]
    assert count(Commitment) == 0


# --- who may countersign ---------------------------------------------------------------------


def test_the_submitter_cannot_countersign_their_own_promise(api, people, world):
    both = UserFactory(role=Role.PRODUCT_MANAGER, name="Pat Both", sales_rep=True)
    world["product"].owners.append(both)
    add_member(people["pm"], world["project"], both, ProjectRole.PRODUCT_MANAGER)
    body = submitted(api, people, world, user=both)

    error = assert_json_error(fire(api, both, body["id"], "approve"), 409, "transition_refused")

    assert error["reasons"] == [
        "You submitted this commitment: another product manager of the product must countersign it.",
    ]
    assert db.session.get(Commitment, body["id"]).state == "pending_signoff"
    offered = {o["event"]: o for o in api(both).get(_url(body["id"])).get_json()["options"]}
    assert offered["approve"]["allowed"] is False and offered["approve"]["reasons"] == error["reasons"]
    # Another product manager of the product may.
    response = fire(api, people["product"], body["id"], "approve")
    assert response.status_code == 200
    assert response.get_json()["decided_by"] == {"id": people["product"].id, "name": "Pat Product"}


def test_a_product_manager_of_another_product_cannot_even_see_it(api, people, world, make_product):
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER)
    make_product(name="Other", owners=[other_pm])
    body = submitted(api, people, world)

    for event in ("approve", "reject", "request_changes"):
        assert_json_error(fire(api, other_pm, body["id"], event, reason="No"), 404, "not_found")
    assert_json_error(api(other_pm).get(_url(body["id"])), 404, "not_found")
    assert db.session.get(Commitment, body["id"]).state == "pending_signoff"


def test_a_countersignature_through_the_api_runs_the_feasibility_checks_once(api, people, world, feasibility_runs):
    """The step's guard and the answer's findings and options read one run of the checks."""
    body = submitted(api, people, world, region="north")
    feasibility_runs.clear()

    response = fire(api, people["product"], body["id"], "approve", justification="Pilot under a regulator sandbox")

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["findings"][0]["message"] == NOT_ALLOWED_IN_THE_NORTH
    assert len(feasibility_runs) == 1
    feasibility_runs.clear()
    assert api(people["product"]).get(_url(body["id"])).status_code == 200
    assert len(feasibility_runs) == 1


def test_sales_cannot_approve_by_crafting_a_request(api, people, world):
    body = submitted(api, people, world)

    error = assert_json_error(fire(api, people["sales"], body["id"], "approve", justification="Trust me"), 409,
                              "transition_refused")

    assert error["reasons"] == ["Countersign: only a product manager of the product may do this."]
    saved = db.session.get(Commitment, body["id"])
    assert (saved.state, saved.decided_by_id, saved.override_justification) == ("pending_signoff", None, "")
    assert _actions(saved.id) == ["commitment.created", "commitment.submit"]


def test_amend_is_not_an_event_of_the_api(api, people, world):
    body = approved(api, people, world)

    error = assert_json_error(fire(api, people["sales"], body["id"], "amend", reason="More seats"), 400, "invalid")

    assert "editing" in error["message"]
    assert db.session.get(Commitment, body["id"]).state == "approved"


@pytest.mark.parametrize("payload", [{}, {"event": ""}, {"event": 7}, {"event": "reject", "reason": {"a": 1}}])
def test_a_transition_needs_a_named_event_and_plain_values(api, people, world, payload):
    body = submitted(api, people, world)

    error = assert_json_error(api(people["product"]).post(_url(body["id"], "/transitions"), json=payload), 400, "invalid")

    assert set(error["fields"]) <= {"event", "reason"} and error["fields"]
    assert db.session.get(Commitment, body["id"]).state == "pending_signoff"


def test_reject_and_request_changes_need_a_reason_which_is_kept(api, people, world):
    body = submitted(api, people, world)

    error = assert_json_error(fire(api, people["product"], body["id"], "request_changes"), 409, "transition_refused")
    assert error["reasons"] == ["Request changes: a reason is required."]

    response = fire(api, people["product"], body["id"], "request_changes", reason="Quote the Pro tier")
    assert response.status_code == 200
    shown = response.get_json()
    assert (shown["state"], shown["decision_note"]) == ("changes_requested", "Quote the Pro tier")
    assert [o["event"] for o in api(people["sales"]).get(_url(body["id"])).get_json()["options"]] == ["submit", "withdraw"]


# --- blockers --------------------------------------------------------------------------------


def test_submitting_over_blockers_needs_the_sellers_justification_as_on_the_page(api, people, world):
    body = record(api, people["sales"], world, region="north")
    options = {o["event"]: o for o in api(people["sales"]).get(_url(body["id"])).get_json()["options"]}
    assert options["submit"]["requires"] == ["justification"] and options["submit"]["allowed"] is True
    error = assert_json_error(fire(api, people["sales"], body["id"], "submit"), 409, "transition_refused")
    assert error["reasons"] == ["1 blocker stands against this commitment: change the terms, "
                                "or say why it should be submitted anyway."]
    assert db.session.get(Commitment, body["id"]).state == "draft"
    response = fire(api, people["sales"], body["id"], "submit", justification="Pilot under a regulator sandbox")
    assert response.status_code == 200 and response.get_json()["state"] == "pending_signoff"
    clear = record(api, people["sales"], world)
    options = {o["event"]: o for o in api(people["sales"]).get(_url(clear["id"])).get_json()["options"]}
    assert options["submit"]["requires"] == []


def test_a_region_outside_the_campaign_is_a_field_error(api, people, world):
    elsewhere = RegionFactory(name="Atlantis")
    db.session.commit()
    response = api(people["sales"]).post(_list_url(world), json=terms(world, region_id=elsewhere.id))
    error = assert_json_error(response, 400, "invalid")
    assert error["fields"]["region_id"] == ["Choose one of the campaign's regions (Nordics, Southern Europe)."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0


def test_blockers_need_a_written_justification_which_is_recorded_and_returned(api, people, world):
    body = submitted(api, people, world, region="north")

    error = assert_json_error(fire(api, people["product"], body["id"], "approve"), 409, "transition_refused")
    assert error["reasons"] == [ONE_BLOCKER]
    assert db.session.get(Commitment, body["id"]).state == "pending_signoff"
    assert_json_error(fire(api, people["product"], body["id"], "approve", justification="   "), 409, "transition_refused")

    response = fire(api, people["product"], body["id"], "approve", justification="Pilot under a regulator sandbox")

    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()
    assert (shown["state"], shown["override_justification"]) == ("approved", "Pilot under a regulator sandbox")
    assert api(people["team"]).get(_url(body["id"])).get_json()["override_justification"] == (
        "Pilot under a regulator sandbox"
    )
    saved = db.session.get(Commitment, body["id"])
    assert (saved.state, saved.override_justification, saved.decided_by_id) == (
        "approved", "Pilot under a regulator sandbox", people["product"].id,
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "commitment.approve"))
    assert event.details["justification"] == "Pilot under a regulator sandbox"
    assert "blockers overridden" in event.summary


def test_a_justification_is_not_recorded_when_nothing_blocks(api, people, world):
    body = submitted(api, people, world)

    response = fire(api, people["product"], body["id"], "approve", justification="Not needed")

    assert response.status_code == 200
    assert response.get_json()["override_justification"] == ""


# --- editing ---------------------------------------------------------------------------------


def test_a_draft_is_edited_by_merging_the_fields_sent(api, people, world):
    body = record(api, people["sales"], world)

    response = api(people["sales"]).patch(_url(body["id"]), json={"version": body["version"], "quantity": 800,
                                                                  "unit_price": 85})

    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()
    assert (shown["state"], shown["quantity"], shown["unit_price"], shown["effective_price"]) == (
        "draft", 800, "85.00", "76.50",
    )
    assert shown["customer"] == "Acme GmbH" and shown["band_id"] == body["band_id"]  # the rest stays
    assert shown["version"] == body["version"] + 1
    assert _actions(body["id"]) == ["commitment.created", "commitment.updated"]


def test_an_edit_needs_the_current_version(api, people, world):
    body = record(api, people["sales"], world)
    seller = api(people["sales"])

    error = assert_json_error(seller.patch(_url(body["id"]), json={"quantity": 800}), 400, "invalid")
    assert set(error["fields"]) == {"version"}
    assert seller.patch(_url(body["id"]), json={"version": body["version"], "quantity": 700}).status_code == 200

    assert_json_error(seller.patch(_url(body["id"]), json={"version": body["version"], "quantity": 900}), 409, "conflict")
    assert db.session.get(Commitment, body["id"]).quantity == 700


def test_editing_countersigned_terms_without_a_reason_changes_nothing(api, people, world):
    body = approved(api, people, world)

    response = api(people["sales"]).patch(_url(body["id"]), json={"version": body["version"], "quantity": 800})

    error = assert_json_error(response, 400, "invalid")
    assert set(error["fields"]) == {"reason"}
    saved = db.session.get(Commitment, body["id"])
    assert (saved.state, saved.quantity, saved.version, saved.decided_by_id) == (
        "approved", 500, body["version"], people["product"].id,
    )
    assert _actions(body["id"]) == ["commitment.created", "commitment.submit", "commitment.approve"]


def test_editing_countersigned_terms_with_a_reason_sends_them_back_for_signoff(api, people, world):
    body = approved(api, people, world)
    before = len(_notifications(people["product"]))

    response = api(people["sales"]).patch(_url(body["id"]), json={
        "version": body["version"], "quantity": 800, "reason": "The customer added a subsidiary",
    })

    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()
    assert (shown["state"], shown["quantity"], shown["decided_by"], shown["decision_note"]) == (
        "pending_signoff", 800, None, "",
    )
    assert shown["submitted_by"]["id"] == people["sales"].id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "commitment.amend"))
    assert event.details["reason"] == "The customer added a subsidiary"
    assert event.details["changes"] == {"quantity": [500, 800]}
    [again] = _notifications(people["product"])[before:]
    assert again.kind == "signoff_requested" and "needs your countersignature again" in again.subject


def test_resending_countersigned_terms_unchanged_needs_no_reason(api, people, world):
    body = approved(api, people, world)

    response = api(people["sales"]).patch(_url(body["id"]), json={"version": body["version"], "quantity": 500})

    assert response.status_code == 200
    assert response.get_json()["state"] == "approved"


def test_only_the_seller_edits_the_terms(api, people, world):
    body = record(api, people["sales"], world)

    assert_json_error(api(people["team"]).patch(_url(body["id"]), json={"version": 1, "quantity": 2}), 403, "forbidden")
    assert_json_error(api(people["product"]).patch(_url(body["id"]), json={"version": 1, "quantity": 2}), 403, "forbidden")
    assert db.session.get(Commitment, body["id"]).quantity == 500


# --- the launch gate -------------------------------------------------------------------------


def test_launch_is_refused_naming_exactly_the_unsigned_commitments_then_allowed(api, people, world):
    project_url = f"/api/v1/projects/{world['project'].id}/transitions"
    draft = record(api, people["sales"], world)
    waiting = submitted(api, people, world, customer="Globex")
    done = approved(api, people, world, customer="Initech")
    rejected = submitted(api, people, world, customer="Umbrella")
    assert fire(api, people["product"], rejected["id"], "reject", reason="No").status_code == 200
    pm = api(people["pm"])

    error = assert_json_error(pm.post(project_url, json={"event": "launch"}), 409, "transition_refused")

    assert error["reasons"] == [
        "Commitment Acme GmbH: Northwind Pro in Southern Europe (draft) is not countersigned yet.",
        "Commitment Globex: Northwind Pro in Southern Europe (waiting for countersignature) is not countersigned yet.",
    ]
    assert done["state"] == "approved"
    assert fire(api, people["sales"], draft["id"], "withdraw", reason="Customer chose another vendor").status_code == 200
    assert fire(api, people["product"], waiting["id"], "approve").status_code == 200

    response = pm.post(project_url, json={"event": "launch"})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["state"] == "active"


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def elsewhere(make_product, make_project, people):
    other_product = make_product(name="Contoso Basic", band=("Basic", "50.00", "40.00"))
    other_campaign = make_project(title="Another campaign")
    return {"band_id": other_product.bands[0].id, "milestone_id": other_campaign.milestones[0].id}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("product_id", 999_999),
        ("product_id", "abc"),
        ("band_id", "other-product"),
        ("milestone_id", "other-campaign"),
        ("discount_percent", 150),
        ("discount_percent", "-1"),
        ("promised_date", "2027-02-30"),
        ("promised_date", "next week"),
        ("quantity", 0),
        ("unit_price", "Infinity"),
        ("customer", "  "),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, people, world, elsewhere, field, value):
    if value == "other-product":
        value = elsewhere["band_id"]
    elif value == "other-campaign":
        value = elsewhere["milestone_id"]

    response = api(people["sales"]).post(_list_url(world), json=terms(world, **{field: value}))

    error = assert_json_error(response, 400, "invalid")
    assert set(error["fields"]) == {field}, error
    assert count(Commitment) == 0


def test_a_milestone_of_the_campaign_is_accepted_and_shown(api, people, world):
    milestone = world["project"].milestones[-1]

    body = record(api, people["sales"], world, milestone_id=milestone.id)

    assert body["milestone"] == {"id": milestone.id, "title": milestone.title,
                                 "due_date": milestone.due_date.isoformat(), "state": "open"}


def test_bad_input_on_an_edit_changes_nothing(api, people, world, elsewhere):
    body = record(api, people["sales"], world)

    response = api(people["sales"]).patch(_url(body["id"]), json={
        "version": body["version"], "band_id": elsewhere["band_id"], "quantity": 0,
    })

    error = assert_json_error(response, 400, "invalid")
    assert "quantity" in error["fields"]
    saved = db.session.get(Commitment, body["id"])
    assert (saved.band_id, saved.quantity, saved.version) == (body["band_id"], 500, body["version"])


def test_writes_must_be_json(api, people, world):
    response = api(people["sales"]).post(_list_url(world), data="customer=Acme")

    assert_json_error(response, 415)


# --- scoping ---------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_commitment_url(api, people, world):
    body = submitted(api, people, world)
    outsider = api(people["outsider"])
    cid = body["id"]

    responses = [
        outsider.get(_list_url(world)),
        outsider.post(_list_url(world), json=terms(world)),
        outsider.get(_url(cid)),
        outsider.patch(_url(cid), json={"version": body["version"], "quantity": 1}),
        outsider.post(_url(cid, "/transitions"), json={"event": "withdraw", "reason": "Mine now"}),
        outsider.post(_url(cid, "/transitions"), json={"event": "approve"}),
        outsider.get(_url(999_999)),
    ]

    for response in responses:
        assert_json_error(response, 404, "not_found")
    assert items(outsider.get("/api/v1/signoff-queue")) == []
    saved = db.session.get(Commitment, cid)
    assert (saved.state, saved.quantity, count(Commitment)) == ("pending_signoff", 500, 1)


def test_the_api_needs_a_signed_in_user(client, people, world):
    assert_json_error(client.get("/api/v1/signoff-queue"), 401, "unauthorized")
    assert_json_error(client.get(_list_url(world)), 401, "unauthorized")


# --- notifications ---------------------------------------------------------------------------


def test_signers_hear_of_requests_and_the_submitter_hears_each_decision(api, people, world):
    second = UserFactory(role=Role.PRODUCT_MANAGER, name="Quinn Second")
    world["product"].owners.append(second)
    body = submitted(api, people, world)

    for signer in (people["product"], second):
        [request] = _notifications(signer)
        assert request.kind == "signoff_requested"
        assert request.link == f"/commitments/{body['id']}"
        assert request.subject == "Acme GmbH: Northwind Pro in Southern Europe waits for your countersignature"
    assert _notifications(people["sales"]) == []  # the submitter is not told of their own request

    fire(api, people["product"], body["id"], "request_changes", reason="Quote the Pro tier")
    [changes] = _notifications(people["sales"])
    assert (changes.kind, changes.body) == ("commitment_request_changes", "Quote the Pro tier")
    assert changes.subject == "Pat Product sent back for changes Acme GmbH: Northwind Pro in Southern Europe"

    fire(api, people["sales"], body["id"], "submit")
    assert len(_notifications(people["product"])) == 2 and len(_notifications(second)) == 2
    fire(api, second, body["id"], "approve")
    answer = _notifications(people["sales"])[-1]
    assert answer.kind == "commitment_approve" and answer.subject.startswith("Quinn Second countersigned")
    assert len(_notifications(second)) == 2  # the signer is not told of their own decision
    about_commitments = sa.select(sa.func.count()).select_from(Notification).where(Notification.kind.not_like("project_%"))
    assert db.session.scalar(about_commitments) == 2 + 2 + 2


# --- the sign-off queue ----------------------------------------------------------------------


def test_the_signoff_queue_lists_what_waits_for_the_caller_oldest_first(api, people, world, make_product, clock):
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER, name="Olga Other")
    other = make_product(name="Contoso Basic", owners=[other_pm], coverage={world["south"]: "sellable"}, band=None)
    # Days later, still before the promised date (a promise for a day gone is a blocker the signer would meet).
    start = clock.now().replace(microsecond=0) + timedelta(days=3)

    def at(moment: datetime) -> None:
        clock.to(moment)

    first_recorded = record(api, people["sales"], world, customer="Recorded first, submitted last")
    second_recorded = record(api, people["sales"], world, customer="Recorded second, submitted first")
    record(api, people["sales"], world, customer="Still a draft")
    signed = record(api, people["sales"], world, customer="Already countersigned")
    theirs = record(api, people["sales"], world, customer="Another product", product_id=other.id, band_id=None)
    at(start)
    fire(api, people["sales"], second_recorded["id"], "submit")
    fire(api, people["sales"], signed["id"], "submit")
    fire(api, people["sales"], theirs["id"], "submit")
    at(start + timedelta(hours=3))
    fire(api, people["sales"], first_recorded["id"], "submit")
    fire(api, people["product"], signed["id"], "approve")
    at(start + timedelta(hours=5, minutes=30))

    response = api(people["product"]).get("/api/v1/signoff-queue")

    queue = items(response)
    assert [(c["id"], c["customer"], c["age_hours"]) for c in queue] == [
        (second_recorded["id"], "Recorded second, submitted first", 5.5),
        (first_recorded["id"], "Recorded first, submitted last", 2.5),
    ]
    assert queue[0]["submitted_at"] == start.isoformat() + "Z"
    assert queue[0]["submitted_by"] == {"id": people["sales"].id, "name": "Sam Seller"}
    assert queue[0]["project_title"] == world["project"].title
    assert queue[0]["state"] == "pending_signoff" and queue[0]["effective_price"] == "81.00"
    assert [c["customer"] for c in items(api(other_pm).get("/api/v1/signoff-queue"))] == ["Another product"]
    assert items(api(people["sales"]).get("/api/v1/signoff-queue")) == []
    assert items(api(people["admin"]).get("/api/v1/signoff-queue")) == []


# --- closed campaigns and cancelled milestones -------------------------------------------------


def test_a_closed_campaigns_commitments_offer_nothing_and_refuse_every_step(api, people, world):
    body = submitted(api, people, world)
    response = api(people["sales"]).post(f"/api/v1/projects/{world['project'].id}/transitions",
                                         json={"event": "cancel", "reason": "Budget withdrawn"})
    assert response.status_code == 200

    assert api(people["product"]).get(_url(body["id"])).get_json()["options"] == []
    assert_json_error(fire(api, people["product"], body["id"], "approve"), 409, "closed")
    assert_json_error(api(people["sales"]).patch(_url(body["id"]), json={"version": body["version"], "quantity": 2}),
                      409, "closed")
    assert_json_error(api(people["sales"]).post(_list_url(world), json=terms(world)), 409, "closed")
    # It never bound anything: it was withdrawn with its campaign, and left the sign-off queue.
    assert db.session.get(Commitment, body["id"]).state == "withdrawn"
    assert items(api(people["product"]).get("/api/v1/signoff-queue")) == []


def test_a_commitment_whose_milestone_was_cancelled_can_still_be_edited(api, people, world):
    milestone = world["project"].milestones[-1]
    body = record(api, people["sales"], world, milestone_id=milestone.id,
                  promised_date=(milestone.due_date + timedelta(days=1)).isoformat())
    cancelled = api(people["pm"]).post(f"/api/v1/projects/{world['project'].id}/milestones/{milestone.id}/transitions",
                                       json={"event": "cancel", "reason": "Out of scope"})
    assert cancelled.status_code == 200

    response = api(people["sales"]).patch(_url(body["id"]), json={"version": body["version"], "quantity": 3})

    assert response.status_code == 200, response.get_data(as_text=True)
