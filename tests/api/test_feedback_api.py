"""Feedback through the JSON API: filing, finding, triage, the queue, and who sees and does what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core import clock
from app.extensions import db
from app.feedback.models import Feedback, FeedbackDecision
from app.notifications.models import Notification
from tests.api.helpers import assert_json_error, count, items
from tests.factories import CustomerFactory
from tests.feedback import SECRET_CAMPAIGN, SECRET_MILESTONE, planned_in_a_campaign_of_others

URL = "/api/v1/feedback"


def body(feedback_world, **overrides) -> dict:
    """A complete, valid body for POST /api/v1/feedback."""
    payload = {
        "kind": "feature_request", "title": "Needs SSO with Okta", "product_ids": [feedback_world["product"].id],
        "region_id": feedback_world["region"].id, "details": "Blocks the renewal", "customer": "Acme GmbH",
        "source_name": "Jane Doe", "channel": "meeting", "revenue_at_stake": "12000.00", "currency": "EUR",
    }
    payload.update(overrides)
    return payload


def filed(api, user, feedback_world, **overrides) -> dict:
    response = api(user).post(URL, json=body(feedback_world, **overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def triage(api, user, feedback_id: int, event: str, **params):
    return api(user).post(f"{URL}/{feedback_id}/triage", json={"event": event, **params})


def test_filing_returns_201_with_the_item_and_tells_its_product_managers(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world, project_id=feedback_world["project"].id)

    assert item["state"] == "new" and item["weight"] == "12000.00" and item["revenue_at_stake"] == "12000.00"
    assert item["products"] == [{"id": feedback_world["product"].id, "name": "Northwind Pro"}]
    assert item["project_id"] == feedback_world["project"].id and item["submitted_by"]["id"] == people["sales"].id
    assert item["decisions"] == [] and item["url"] == f"/feedback/{item['id']}"
    assert db.session.scalar(sa.select(Notification.kind).where(
        Notification.user_id == people["product"].id, Notification.link == item["url"])) == "feedback_filed"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"product_ids": []}, "product_ids"),
    ({"product_ids": [999_999]}, "product_ids"),
    ({"revenue_at_stake": "-5"}, "revenue_at_stake"),
    ({"revenue_at_stake": "Infinity"}, "revenue_at_stake"),
    ({"kind": "gossip"}, "kind"),
    ({"title": ""}, "title"),
    ({"region_id": "north"}, "region_id"),
    ({"currency": "Euro"}, "currency"),
    ({"project_id": 999_999}, "project_id"),
    # Ids no database key can hold are refused like any other wrong id, not a database error.
    ({"product_ids": [10**30]}, "product_ids"),
    ({"project_id": 10**30}, "project_id"),
    ({"commitment_id": 10**30}, "commitment_id"),
])
def test_a_bad_field_is_a_400_that_names_it_and_files_nothing(api, people, feedback_world, overrides, field):
    error = assert_json_error(api(people["sales"]).post(URL, json=body(feedback_world, **overrides)), 400, "invalid")
    assert field in error["fields"], error
    assert count(Feedback) == 0


def test_only_sellers_and_admins_file(api, people, feedback_world):
    error = assert_json_error(api(people["team"]).post(URL, json=body(feedback_world)), 403, "forbidden")
    assert "sales" in error["message"]
    assert_json_error(api(people["product"]).post(URL, json=body(feedback_world)), 403, "forbidden")
    assert count(Feedback) == 0


def test_the_product_manager_triages_and_the_answer_reaches_the_seller(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world)
    revisit = clock.today() + timedelta(days=100)

    response = triage(api, people["product"], item["id"], "later", answer="After the Q4 release.",
                      revisit_on=revisit.isoformat(), version=item["version"])

    assert response.status_code == 200, response.get_data(as_text=True)
    shown = response.get_json()
    assert (shown["state"], shown["revisit_on"], shown["answer"]) == ("later", revisit.isoformat(),
                                                                     "After the Q4 release.")
    assert shown["decided_by"]["id"] == people["product"].id and shown["version"] == item["version"] + 1
    [decision] = shown["decisions"]
    assert (decision["from_state"], decision["to_state"], decision["revisit_on"]) == ("new", "later",
                                                                                       revisit.isoformat())
    answer = db.session.scalar(sa.select(Notification).where(
        Notification.user_id == people["sales"].id, Notification.kind == "feedback_answered"))
    assert answer.body == "After the Q4 release." and "later — revisit" in answer.subject
    assert api(people["sales"]).get(f"{URL}/{item['id']}").get_json()["decisions"][0]["answer"] \
        == "After the Q4 release."


def test_now_links_a_milestone_and_its_campaign(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world)
    milestone = feedback_world["project"].milestones[0]
    shown = triage(api, people["product"], item["id"], "now", answer="In the first milestone.",
                   milestone_id=milestone.id).get_json()
    assert shown["milestone"]["id"] == milestone.id and shown["planned_project"]["id"] == feedback_world["project"].id


def test_a_refused_decision_is_a_409_with_the_reasons(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world)
    error = assert_json_error(triage(api, people["product"], item["id"], "decline", answer="Sorry"), 409,
                              "transition_refused")
    assert error["reasons"] == ["Say why it is declined."]
    error = assert_json_error(triage(api, people["product"], item["id"], "now", answer="Soon", milestone_id=999_999),
                              400, "invalid")
    assert list(error["fields"]) == ["milestone_id"]
    error = assert_json_error(triage(api, people["product"], item["id"], "shelve", answer="x"), 400, "invalid")
    assert "event" in error["fields"]
    assert count(FeedbackDecision) == 0


def test_a_stale_version_is_a_409_conflict(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world)
    assert triage(api, people["admin"], item["id"], "done", answer="Shipped").status_code == 200
    assert_json_error(triage(api, people["product"], item["id"], "done", answer="Shipped",
                             version=item["version"]), 409, "conflict")
    assert_json_error(triage(api, people["product"], item["id"], "done", answer="x", version="1"), 400, "invalid")


def test_who_sees_it_but_may_not_triage_gets_403_and_who_may_not_see_it_404(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world)
    for user in (people["sales2"], feedback_world["other_pm"]):
        assert api(user).get(f"{URL}/{item['id']}").status_code == 200
        assert_json_error(triage(api, user, item["id"], "done", answer="Done"), 403, "forbidden")
    for user in (people["team"], people["pm"]):
        assert_json_error(api(user).get(f"{URL}/{item['id']}"), 404, "not_found")
        assert_json_error(triage(api, user, item["id"], "done", answer="Done"), 404, "not_found")
        assert items(api(user).get(URL)) == []
    assert_json_error(api(people["sales"]).get(f"{URL}/999999"), 404, "not_found")
    assert db.session.get(Feedback, item["id"]).state == "new"


def test_a_duplicate_merges_its_weight_into_the_original(api, people, feedback_world):
    original = filed(api, people["sales"], feedback_world, revenue_at_stake="1000")
    again = filed(api, people["sales2"], feedback_world, revenue_at_stake="250.50", title="Okta please")
    shown = triage(api, people["product"], again["id"], "duplicate", duplicate_of_id=original["id"]).get_json()
    assert shown["state"] == "duplicate" and shown["duplicate_of_id"] == original["id"]
    assert api(people["sales"]).get(f"{URL}/{original['id']}").get_json()["weight"] == "1250.50"
    error = assert_json_error(triage(api, people["product"], original["id"], "duplicate",
                                     duplicate_of_id=original["id"]), 409, "transition_refused")
    assert "not itself a duplicate" in error["reasons"][0]


def test_the_list_filters_and_mine_shows_only_my_own(api, people, feedback_world):
    okta = filed(api, people["sales"], feedback_world)
    price = filed(api, people["sales2"], feedback_world, title="Too expensive", kind="pricing",
                  product_ids=[feedback_world["other"].id])
    seller = api(people["sales"])

    def ids(query: str = "") -> list[int]:
        return [f["id"] for f in items(seller.get(f"{URL}{query}"))]

    assert ids() == [price["id"], okta["id"]]
    assert ids("?mine=1") == [okta["id"]]
    assert ids("?kind=pricing") == [price["id"]]
    assert ids(f"?product_id={feedback_world['other'].id}") == [price["id"]]
    assert ids(f"?region_id={feedback_world['region'].id}&q=okta") == [okta["id"]]
    assert ids("?state=done") == []
    error = assert_json_error(seller.get(f"{URL}?state=shelved"), 400, "invalid")
    assert "state" in error["fields"]
    assert "product_id" in assert_json_error(seller.get(f"{URL}?product_id=x"), 400, "invalid")["fields"]


def test_the_triage_queue_is_new_first_then_by_weight(api, people, feedback_world):
    light = filed(api, people["sales"], feedback_world, title="Light", revenue_at_stake="10")
    heavy = filed(api, people["sales"], feedback_world, title="Heavy", revenue_at_stake="9000")
    later = filed(api, people["sales"], feedback_world, title="Later", revenue_at_stake="99999")
    filed(api, people["sales"], feedback_world, title="Theirs", product_ids=[feedback_world["other"].id])
    triage(api, people["product"], later["id"], "later", answer="Next year",
           revisit_on=(clock.today() + timedelta(days=30)).isoformat())

    queue = items(api(people["product"]).get(f"{URL}/triage-queue"))
    assert [f["id"] for f in queue] == [heavy["id"], light["id"], later["id"]]
    assert queue[0]["age_days"] == 0 and queue[0]["weight"] == "9000.00"
    assert items(api(people["sales"]).get(f"{URL}/triage-queue")) == []
    assert Decimal(queue[2]["weight"]) == Decimal("99999")


@pytest.mark.parametrize("field", ["milestone_id", "project_id", "duplicate_of_id"])
def test_a_triage_naming_an_id_no_key_can_hold_is_a_400_on_that_field(api, people, feedback_world, field):
    item = filed(api, people["sales"], feedback_world)
    event = "duplicate" if field == "duplicate_of_id" else "now"

    error = assert_json_error(triage(api, people["product"], item["id"], event, answer="x", **{field: 10**30}),
                              400, "invalid")

    assert field in error["fields"]
    assert count(FeedbackDecision) == 0


@pytest.mark.parametrize("name", ["product_id", "region_id"])
def test_a_list_filter_no_key_can_hold_is_a_400_naming_it(api, people, feedback_world, name):
    error = assert_json_error(api(people["sales"]).get(f"{URL}?{name}={10**30}"), 400, "invalid")
    assert name in error["fields"]


def test_the_lists_read_what_each_decision_named_in_a_fixed_number_of_queries(api, people, feedback_world):
    milestones = feedback_world["project"].milestones
    client = api(people["product"])

    def queries(url: str) -> int:
        client.get(url)  # the token's "last used" is written once in a while: not on the counted call
        db.session.expire_all()
        statements: list[str] = []

        def count_statement(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count_statement)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_statement)
        return len(statements)

    def plan(how_many: int) -> None:
        for milestone in milestones[:how_many]:
            item = filed(api, people["sales"], feedback_world, title=f"For {milestone.title}")
            assert triage(api, people["product"], item["id"], "now", answer="Planned",
                          milestone_id=milestone.id).status_code == 200

    plan(1)
    few = queries(URL), queries(f"{URL}/triage-queue")
    plan(4)
    assert (queries(URL), queries(f"{URL}/triage-queue")) == few


# --- related records: embedded only if the reader could open them ------------------------------

def test_a_milestone_and_campaign_the_reader_is_not_on_are_left_out(api, people, feedback_world, make_project):
    item = planned_in_a_campaign_of_others(feedback_world, people, make_project)
    due = item.milestone.due_date.isoformat()

    for user in (people["sales"], people["product"]):  # the seller who filed it; who reads all feedback
        client = api(user)
        [listed] = [i for i in items(client.get(URL)) if i["id"] == item.id]
        [mine] = [i for i in items(client.get(f"{URL}?mine=1")) if i["id"] == item.id] or [listed]
        one = client.get(f"{URL}/{item.id}").get_json()
        for found in (listed, mine, one):
            assert (found["state"], found["milestone"], found["planned_project"]) == ("now", None, None), user.name
        assert [(d["to_state"], d["milestone_id"], d["project_id"]) for d in one["decisions"]] == [("now", None, None)]
        for response in (client.get(URL), client.get(f"{URL}?mine=1"), client.get(f"{URL}/{item.id}")):
            answer = response.get_data(as_text=True)
            assert SECRET_CAMPAIGN not in answer and SECRET_MILESTONE not in answer and due not in answer

    # Who is on campaign 7 (its product manager, an admin) sees what delivers it.
    for user in (feedback_world["other_pm"], people["admin"]):
        one = api(user).get(f"{URL}/{item.id}").get_json()
        assert (one["milestone"]["title"], one["milestone"]["due_date"]) == (SECRET_MILESTONE, due)
        assert one["planned_project"] == {"id": item.planned_project_id, "title": SECRET_CAMPAIGN}
        assert one["decisions"][0]["milestone_id"] == item.milestone_id


def test_seeing_an_item_is_not_triaging_it_a_403_before_any_field_is_read(api, people, feedback_world):
    item = filed(api, people["sales"], feedback_world)
    for user in (people["sales"], feedback_world["other_pm"]):
        assert_json_error(api(user).post(f"{URL}/{item['id']}/triage", json={}), 403, "forbidden")
    assert_json_error(api(people["team"]).post(f"{URL}/{item['id']}/triage", json={}), 404)
    assert_json_error(api(people["product"]).post(f"{URL}/{item['id']}/triage", json={}), 400, "invalid")


def test_feedback_names_its_customer_by_id_or_name_or_none(api, people, feedback_world):
    customer = CustomerFactory(name="Hooli")
    db.session.commit()
    by_id = filed(api, people["sales"], feedback_world, customer="", customer_id=customer.id)
    assert (by_id["customer"], by_id["customer_id"]) == ("Hooli", customer.id)
    by_name = filed(api, people["sales"], feedback_world, customer="HOOLI inc.")
    assert by_name["customer_id"] == customer.id
    market = filed(api, people["sales"], feedback_world, customer="")
    assert (market["customer"], market["customer_id"]) == ("", None)
    refused = api(people["sales"]).post(URL, json=body(feedback_world, customer="", customer_id=999_999))
    assert refused.status_code == 400 and "customer_id" in refused.get_json()["error"]["fields"]
