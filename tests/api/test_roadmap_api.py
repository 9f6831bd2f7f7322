"""The roadmap through the JSON API: baselines, the comparison as data, the change log and re-plans."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput
from app.extensions import db
from app.milestones.models import Milestone
from app.notifications.models import Notification
from app.roadmap.models import Baseline, Replan, RoadmapChange
from tests.api.helpers import assert_json_error, count, items


def _url(project, suffix: str) -> str:
    return f"/api/v1/projects/{project.id}/{suffix}"


def move(milestone: Milestone, days: int = 0, **fields: Any) -> dict[str, Any]:
    """One milestone of a re-plan body, moved by ``days``, at the version it was read."""
    return {"id": milestone.id, "due_date": (milestone.due_date + timedelta(days=days)).isoformat(),
            "target_value": milestone.target_value, "version": milestone.version, **fields}


@pytest.fixture
def world(make_project, make_product, people):
    """An active campaign whose third milestone delivers a countersigned promise, 10 days after it."""
    project = make_project(state="active")
    region = project.regions[0]
    product = make_product(coverage={region: "sellable"})
    milestone = project.milestones[2]
    commitment = commitments.create_commitment(people["sales"], project, CommitmentInput(
        customer="Acme Retail", product_id=product.id, region_id=region.id, promise="SSO for 500 seats",
        promised_date=milestone.due_date + timedelta(days=10), unit_price=Decimal("90.00"), quantity=500,
        band_id=product.bands[0].id, milestone_id=milestone.id,
    ))
    commitments.fire(people["sales"], commitment, "submit")
    commitments.fire(people["product"], commitment, "approve")
    db.session.commit()
    return {"project": project, "milestone": milestone, "commitment": commitment, "due": milestone.due_date}


# --- baselines -------------------------------------------------------------------------------

def test_members_list_the_baselines_with_their_snapshots(api, people, world):
    project = world["project"]
    response = api(people["team"]).get(_url(project, "baselines"))
    [baseline] = items(response)
    assert (baseline["number"], baseline["name"], baseline["label"]) == (1, "Plan of record", "#1 Plan of record")
    assert baseline["taken_by"] == {"id": people["pm"].id, "name": people["pm"].name}
    assert baseline["taken_at"].endswith("Z") and baseline["milestone_count"] == 5
    assert (baseline["start_date"], baseline["end_date"]) == (project.start_date.isoformat(),
                                                            project.end_date.isoformat())
    assert {i["milestone_uuid"]: i["due_date"] for i in baseline["items"]} == {
        str(m.uuid): m.due_date.isoformat() for m in project.milestones}
    assert set(baseline["items"][0]) == {"milestone_uuid", "title", "due_date", "target_value", "state"}
    single = api(people["team"]).get(_url(project, "baselines/1"))
    assert single.status_code == 200 and single.get_json() == baseline
    assert_json_error(api(people["team"]).get(_url(project, "baselines/9")), 404)


def test_a_project_manager_takes_a_baseline_numbered_next(api, people, world):
    project = world["project"]
    response = api(people["pm"]).post(_url(project, "baselines"), json={"name": "  After the supplier call "})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["number"], body["name"], body["milestone_count"]) == (2, "After the supplier call", 5)
    third = api(people["sales"]).post(_url(project, "baselines"), json={"name": "Owner's view"}).get_json()
    assert third["number"] == 3
    listed = items(api(people["team"]).get(_url(project, "baselines")))
    assert [b["number"] for b in listed] == [1, 2, 3]


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "   "}, {"name": 7}, {"name": ["x"]}, {"name": "x" * 121}])
def test_a_baseline_needs_a_name(api, people, world, payload):
    error = assert_json_error(api(people["pm"]).post(_url(world["project"], "baselines"), json=payload), 400, "invalid")
    assert "name" in error["fields"]
    assert count(Baseline) == 1


def test_only_editors_take_baselines_and_outsiders_see_nothing(api, people, world):
    project = world["project"]
    for reader in ("team", "product"):
        assert_json_error(api(people[reader]).post(_url(project, "baselines"), json={"name": "Mine"}), 403, "forbidden")
    outsider = api(people["outsider"])
    assert_json_error(outsider.post(_url(project, "baselines"), json={"name": "Mine"}), 404)
    for path in ("baselines", "baselines/1", "baselines/1/comparison", "changes"):
        assert_json_error(outsider.get(_url(project, path)), 404)
    assert_json_error(outsider.post(_url(project, "replan"), json={"reason": "x", "milestones": []}), 404)
    assert count(Baseline) == 1
    response = api(people["pm"]).post(_url(project, "baselines"), data="name=x",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_json_error(response, 415)


# --- the comparison --------------------------------------------------------------------------

def test_the_comparison_with_baseline_1_is_all_unchanged_right_after_planning(api, people, world):
    response = api(people["team"]).get(_url(world["project"], "baselines/1/comparison"))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["baseline"]["number"] == 1 and "items" not in body["baseline"]
    assert body["end_slip_days"] == 0
    assert body["counts"] == {"moved": 0, "added": 0, "removed": 0, "cancelled": 0, "unchanged": 5}
    assert [i["slip_days"] for i in body["items"]] == [0] * 5
    assert set(body["items"][0]) >= {"milestone_uuid", "title", "kind", "baseline_due", "current_due", "slip_days",
                                     "baseline_target", "current_target"}


def test_the_comparison_after_a_re_plan_gives_slips_and_added_milestones_as_data(api, people, world):
    project, milestone = world["project"], world["milestone"]
    first, last = project.milestones[0], project.milestones[-1]
    pm = api(people["pm"])
    saved = pm.post(_url(project, "replan"), json={
        "reason": "Supplier is late",
        "milestones": [move(milestone, 30), move(first, -3), move(last, 0, target_value=45)],
    })
    assert saved.status_code == 200, saved.get_data(as_text=True)
    added = pm.post(_url(project, "milestones"), json={
        "title": "Pilot", "due_date": (project.start_date + timedelta(days=50)).isoformat(), "reason": "Sales asked"})
    assert added.status_code == 201, added.get_data(as_text=True)
    cancel = pm.post(_url(project, f"milestones/{project.milestones[1].id}/transitions"),
                     json={"event": "cancel", "reason": "Merged"})
    assert cancel.status_code == 200, cancel.get_data(as_text=True)

    body = api(people["team"]).get(_url(project, "baselines/1/comparison")).get_json()
    assert body["counts"] == {"moved": 3, "added": 1, "removed": 0, "cancelled": 1, "unchanged": 1}
    items = {i["milestone_uuid"]: i for i in body["items"]}
    slipped = items[str(milestone.uuid)]
    assert (slipped["kind"], slipped["slip_days"], slipped["milestone_id"]) == ("moved", 30, milestone.id)
    assert (slipped["baseline_due"], slipped["current_due"]) == (
        world["due"].isoformat(), (world["due"] + timedelta(days=30)).isoformat())
    assert items[str(first.uuid)]["slip_days"] == -3
    target = items[str(last.uuid)]
    assert (target["kind"], target["slip_days"], target["baseline_target"], target["current_target"]) == (
        "moved", 0, 50.0, 45.0)
    pilot = items[added.get_json()["uuid"]]
    assert (pilot["kind"], pilot["baseline_due"], pilot["slip_days"]) == ("added", None, None)
    assert items[str(project.milestones[1].uuid)]["kind"] == "cancelled"
    dates = [i["current_due"] or i["baseline_due"] for i in body["items"]]
    assert dates == sorted(dates)
    assert body["end_slip_days"] == 0


def test_a_baseline_taken_after_a_re_plan_compares_as_unchanged(api, people, world):
    project, milestone = world["project"], world["milestone"]
    pm = api(people["pm"])
    pm.post(_url(project, "replan"), json={"reason": "Late", "milestones": [move(milestone, 30)]})
    assert pm.post(_url(project, "baselines"), json={"name": "Re-planned"}).status_code == 201
    body = pm.get(_url(project, "baselines/2/comparison")).get_json()
    assert body["counts"]["unchanged"] == 5 and body["counts"]["moved"] == 0
    assert pm.get(_url(project, "baselines/1/comparison")).get_json()["counts"]["moved"] == 1


# --- re-plans --------------------------------------------------------------------------------

def test_a_preview_lists_the_changes_and_the_promises_at_risk_and_saves_nothing(api, people, world):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    response = api(people["pm"]).post(_url(project, "replan"), json={
        "preview": True, "milestones": [move(milestone, 30)]})  # no reason needed to look
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["saved"], body["replan_id"]) == (False, None)
    [change] = body["changes"]
    assert (change["milestone_id"], change["kind"], change["slip_days"]) == (milestone.id, "moved", 30)
    assert (change["old_value"], change["new_value"]) == (
        world["due"].isoformat(), (world["due"] + timedelta(days=30)).isoformat())
    [risk] = body["at_risk"]
    assert (risk["id"], risk["customer"], risk["promised_date"]) == (
        commitment.id, "Acme Retail", commitment.promised_date.isoformat())
    assert risk["milestone"]["id"] == milestone.id
    assert risk["milestone"]["due_date"] == (world["due"] + timedelta(days=30)).isoformat()  # as it would be
    assert risk["sales_owner"]["id"] == people["sales"].id
    db.session.expire_all()
    assert count(Replan) == count(RoadmapChange) == 0
    assert db.session.get(Milestone, milestone.id).due_date == world["due"]
    assert db.session.get(Commitment, commitment.id).state == "approved"
    told = db.session.scalars(sa.select(Notification.kind).where(Notification.kind.not_like("project_%"))).all()
    assert sorted(told) == ["commitment_approve", "signoff_requested"]  # nothing about the preview


def test_saving_a_re_plan_records_it_flags_the_promise_and_tells_the_people(api, people, world):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    first = project.milestones[0]
    response = api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Supplier is late", "preview": False,
        "milestones": [move(milestone, 30), move(first, 0, target_value="12.5")],
    })
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["saved"] is True and body["reason"] == "Supplier is late"
    [replan] = db.session.scalars(sa.select(Replan)).all()
    assert body["replan_id"] == replan.id
    assert [(c["milestone_id"], c["kind"], c["slip_days"]) for c in body["changes"]] == [
        (milestone.id, "moved", 30), (first.id, "target", None)]
    assert all(isinstance(c["id"], int) for c in body["changes"])
    assert [c["id"] for c in body["at_risk"]] == [commitment.id] and body["cleared"] == []
    assert body["at_risk"][0]["state"] == "at_risk"
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).state == "at_risk"
    assert db.session.get(Milestone, first.id).target_value == 12.5
    told = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "commitment_flag_risk"))
    assert set(told) == {people["sales"].id, people["product"].id}
    moved = db.session.scalars(sa.select(Notification).where(Notification.kind == "milestone_moved")).all()
    assert people["team"].id in {n.user_id for n in moved} and people["pm"].id not in {n.user_id for n in moved}
    assert all(milestone.title in n.subject and "Supplier is late" in n.body for n in moved)  # only the move, not the target

    log = items(api(people["team"]).get(_url(project, "changes")))
    assert [r["id"] for r in log] == [replan.id]
    assert log[0]["author"] == {"id": people["pm"].id, "name": people["pm"].name}
    assert log[0]["reason"] == "Supplier is late" and len(log[0]["changes"]) == 2

    back = api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Caught up", "milestones": [move(db.session.get(Milestone, milestone.id), -30)]})
    assert back.status_code == 200, back.get_data(as_text=True)
    assert [c["id"] for c in back.get_json()["cleared"]] == [commitment.id] and back.get_json()["at_risk"] == []
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).state == "approved"


def test_the_change_log_is_newest_first_and_follows_one_milestone(api, people, world):
    project = world["project"]
    first, last = project.milestones[0], project.milestones[-1]
    pm = api(people["pm"])
    ids = []
    for reason, moved in (("One", [first]), ("Two", [last]), ("Three", [first, last])):
        db.session.expire_all()
        response = pm.post(_url(project, "replan"), json={
            "reason": reason, "milestones": [move(db.session.get(Milestone, m.id), 7) for m in moved]})
        assert response.status_code == 200, response.get_data(as_text=True)
        ids.append(response.get_json()["replan_id"])
    log = items(api(people["team"]).get(_url(project, "changes")))
    assert [r["reason"] for r in log] == ["Three", "Two", "One"]
    following = items(api(people["team"]).get(_url(project, f"changes?milestone={first.uuid}")))
    assert [r["id"] for r in following] == [ids[2], ids[0]]
    error = assert_json_error(api(people["team"]).get(_url(project, "changes?milestone=nope")), 400, "invalid")
    assert "milestone" in error["fields"]


def test_once_planned_a_re_plan_without_a_reason_is_refused_and_writes_nothing(api, people, world):
    project, milestone = world["project"], world["milestone"]
    for reason in (None, "", "   "):
        body: dict[str, Any] = {"milestones": [move(milestone, 30)]}
        if reason is not None:
            body["reason"] = reason
        error = assert_json_error(api(people["pm"]).post(_url(project, "replan"), json=body), 400, "invalid")
        assert list(error["fields"]) == ["reason"]
    db.session.expire_all()
    assert count(Replan) == 0 and db.session.get(Milestone, milestone.id).due_date == world["due"]


@pytest.mark.parametrize("bad", ["2027-02-30", "tomorrow", "2027-1-5", "20270105", 20270105, None, ""])
def test_a_bad_date_is_refused_naming_the_milestone(api, people, world, bad):
    project, milestone = world["project"], world["milestone"]
    error = assert_json_error(api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Late", "milestones": [move(milestone, due_date=bad)]}), 400, "invalid")
    assert list(error["fields"]) == [f"due_{milestone.id}"]
    assert milestone.title in error["fields"][f"due_{milestone.id}"][0]
    assert count(Replan) == 0


def test_a_date_before_the_campaign_start_is_refused_naming_the_milestone(api, people, world):
    project, milestone = world["project"], world["milestone"]
    error = assert_json_error(api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Late", "milestones": [move(milestone, due_date=(project.start_date - timedelta(days=1)).isoformat())]}),
        400, "invalid")
    assert list(error["fields"]) == [f"due_{milestone.id}"]


@pytest.mark.parametrize("target", ["lots", "Infinity", "nan", True, [1], {"v": 1}])
def test_a_bad_target_is_refused_naming_the_milestone(api, people, world, target):
    project, milestone = world["project"], world["milestone"]
    error = assert_json_error(api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Late", "milestones": [move(milestone, 0, target_value=target)]}), 400, "invalid")
    assert list(error["fields"]) == [f"target_{milestone.id}"]


def test_a_target_can_be_cleared_and_omitted_fields_keep_their_values(api, people, world):
    project = world["project"]
    last = project.milestones[-1]
    pm = api(people["pm"])
    response = pm.post(_url(project, "replan"), json={
        "reason": "No target here", "milestones": [{"id": last.id, "version": last.version, "target_value": None}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [(c["kind"], c["old_value"], c["new_value"]) for c in response.get_json()["changes"]] == [("target", "50", "")]
    db.session.expire_all()
    saved = db.session.get(Milestone, last.id)
    assert (saved.target_value, saved.due_date) == (None, last.due_date)


@pytest.mark.parametrize("milestones", [None, "all", {"id": 1}, 5, []])
def test_milestones_must_be_a_non_empty_list(api, people, world, milestones):
    body: dict[str, Any] = {"reason": "Late"}
    if milestones is not None:
        body["milestones"] = milestones
    error = assert_json_error(api(people["pm"]).post(_url(world["project"], "replan"), json=body), 400, "invalid")
    assert list(error["fields"]) == ["milestones"]


def test_unknown_duplicate_and_malformed_milestones_are_refused(api, people, world, make_project):
    project, milestone = world["project"], world["milestone"]
    other = make_project(state="active", title="Another campaign").milestones[0]
    pm = api(people["pm"])
    for edits in ([move(other, 7)], [{**move(milestone, 7), "id": 999999}], [{**move(milestone, 7), "id": "x"}],
                  ["not an object"], [move(milestone, 7), move(milestone, 9)]):
        error = assert_json_error(pm.post(_url(project, "replan"), json={"reason": "Late", "milestones": edits}),
                                  400, "invalid")
        assert list(error["fields"]) == ["milestones"], items
    for version in (None, "3", True):
        item = move(milestone, 7)
        item.pop("version") if version is None else item.update(version=version)
        error = assert_json_error(pm.post(_url(project, "replan"), json={"reason": "Late", "milestones": [item]}),
                                  400, "invalid")
        assert list(error["fields"]) == [f"version_{milestone.id}"]
    db.session.expire_all()
    assert count(Replan) == 0 and db.session.get(Milestone, other.id).due_date == other.due_date


def test_bad_reason_preview_and_nothing_changed_are_refused(api, people, world):
    project, milestone = world["project"], world["milestone"]
    pm = api(people["pm"])
    error = assert_json_error(pm.post(_url(project, "replan"), json={"reason": 5, "milestones": [move(milestone, 7)]}), 400)
    assert list(error["fields"]) == ["reason"]
    error = assert_json_error(pm.post(_url(project, "replan"), json={
        "reason": "x", "preview": "yes", "milestones": [move(milestone, 7)]}), 400)
    assert list(error["fields"]) == ["preview"]
    assert_json_error(pm.post(_url(project, "replan"), json={"reason": "x", "milestones": [move(milestone)]}), 400)
    assert_json_error(pm.post(_url(project, "replan"), json=[1, 2]), 400, "invalid")
    assert count(Replan) == 0


def test_a_stale_version_is_a_conflict_and_nothing_is_lost(api, people, world):
    project, milestone = world["project"], world["milestone"]
    stale = move(milestone, 5)
    first = api(people["sales"]).post(_url(project, "replan"), json={"reason": "Owner's move",
                                                                      "milestones": [move(milestone, 20)]})
    assert first.status_code == 200, first.get_data(as_text=True)
    error = assert_json_error(api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "PM's move", "milestones": [stale]}), 409, "conflict")
    assert "changed by someone else" in error["message"]
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).due_date == world["due"] + timedelta(days=20)
    assert [r.reason for r in db.session.scalars(sa.select(Replan))] == ["Owner's move"]


def test_members_read_but_only_editors_re_plan(api, people, world):
    project, milestone = world["project"], world["milestone"]
    body = {"reason": "Mine", "milestones": [move(milestone, 7)]}
    for reader in ("team", "product"):
        assert api(people[reader]).get(_url(project, "changes")).status_code == 200
        assert_json_error(api(people[reader]).post(_url(project, "replan"), json=body), 403, "forbidden")
        # Refused for who they are, before anything about the body.
        assert_json_error(api(people[reader]).post(_url(project, "replan"), json={"milestones": "x"}), 403, "forbidden")
    assert_json_error(api(people["outsider"]).post(_url(project, "replan"), json=body), 404)
    assert api(people["admin"]).post(_url(project, "replan"), json=body).status_code == 200
    assert count(Replan) == 1


def test_a_closed_campaign_cannot_be_re_planned(api, people, make_project):
    project = make_project(state="active")
    milestone = project.milestones[0]
    response = api(people["pm"]).post(_url(project, "transitions"), json={"event": "cancel", "reason": "Budget cut"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert_json_error(api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Late", "milestones": [move(milestone, 7)]}), 409, "closed")
    assert_json_error(api(people["pm"]).post(_url(project, "baselines"), json={"name": "After"}), 409, "closed")
    assert api(people["team"]).get(_url(project, "baselines/1/comparison")).status_code == 200


def test_before_planning_the_api_needs_no_reason(api, people, make_project):
    project = make_project(state="draft")
    milestone = project.milestones[0]
    due = milestone.due_date
    response = api(people["sales"]).post(_url(project, "replan"), json={"milestones": [move(milestone, 4)]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["saved"] is True
    db.session.expire_all()
    assert db.session.get(Milestone, milestone.id).due_date == due + timedelta(days=4)
    assert items(api(people["sales"]).get(_url(project, "baselines"))) == []


def test_a_preview_names_the_promises_a_move_back_would_clear(api, people, world):
    """The API's preview says what saving would do, as the page's does (one rule: commitments.forecast)."""
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    saved = api(people["pm"]).post(_url(project, "replan"), json={
        "reason": "Supplier is late", "milestones": [move(milestone, 30)]})
    assert saved.status_code == 200 and db.session.get(Commitment, commitment.id).state == "at_risk"
    db.session.expire_all()
    back = {"id": milestone.id, "due_date": commitment.promised_date.isoformat(),
            "version": db.session.get(Milestone, milestone.id).version}
    body = api(people["pm"]).post(_url(project, "replan"), json={"preview": True, "milestones": [back]}).get_json()
    assert ([c["id"] for c in body["cleared"]], body["at_risk"], body["saved"]) == ([commitment.id], [], False)
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).state == "at_risk"  # a preview changes nothing
