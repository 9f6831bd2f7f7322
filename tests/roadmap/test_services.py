"""Roadmap rules through the services: baselines, re-plans with a reason, and slip propagation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput
from app.core.errors import InvalidInput, NotAllowed, StaleEdit
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.notifications.models import Notification
from app.projects.services import fire_transition
from app.roadmap import services
from app.roadmap.models import Baseline, BaselineItem, Replan, RoadmapChange
from app.roadmap.services import MilestoneEdit

_KEEP: Any = object()


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def edit(milestone: Milestone, days: int = 0, due: date | None = None, target: Any = _KEEP,
         version: int | None = None) -> MilestoneEdit:
    """A re-plan of one milestone: moved by ``days`` (or to ``due``), with a new target if given."""
    return MilestoneEdit(milestone.id, due or milestone.due_date + timedelta(days=days),
                         milestone.target_value if target is _KEEP else target,
                         milestone.version if version is None else version)


def risk_notes(commitment: Commitment, kind: str = "commitment_flag_risk") -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.kind == kind, Notification.link == commitment.path)
        .order_by(Notification.user_id)
    ))


@pytest.fixture
def world(make_project, make_product, people):
    """An active campaign whose third milestone delivers a countersigned promise, 10 days after it.

    A team member who sells wrote the promise, the campaign owner submitted it and the product
    manager countersigned it: three different people to tell when it is put at risk.
    """
    project = make_project(state="active")
    region = project.regions[0]
    product = make_product(coverage={region: "sellable"})
    milestone = project.milestones[2]
    people["team"].sales_rep = True
    commitment = commitments.create_commitment(people["team"], project, CommitmentInput(
        customer="Acme Retail", product_id=product.id, region_id=region.id, promise="SSO for 500 seats",
        promised_date=milestone.due_date + timedelta(days=10), unit_price=Decimal("90.00"), quantity=500,
        band_id=product.bands[0].id, milestone_id=milestone.id,
    ))
    commitments.fire(people["sales"], commitment, "submit")
    commitments.fire(people["product"], commitment, "approve")
    db.session.commit()
    return {"project": project, "milestone": milestone, "commitment": commitment, "product": product,
            "due": milestone.due_date}


# --- baselines -------------------------------------------------------------------------------

def test_planning_takes_baseline_1_with_a_snapshot_of_every_milestone(make_project, people):
    project = make_project(state="proposed")
    assert services.baselines(project) == []
    fire_transition(people["pm"], project, "plan")
    [baseline] = services.baselines(project)
    assert (baseline.number, baseline.name, baseline.label) == (1, "Plan of record", "#1 Plan of record")
    assert baseline.taken_by == people["pm"]
    assert (baseline.start_date, baseline.end_date) == (project.start_date, project.end_date)
    assert len(project.milestones) == 5
    assert sorted((i.milestone_uuid, i.title, i.due_date, i.target_value, i.state) for i in baseline.items) == sorted(
        (m.uuid, m.title, m.due_date, m.target_value, m.state) for m in project.milestones
    )
    assert services.baseline_or_none(project, None) == baseline == services.baseline_or_none(project, 1)
    assert services.baseline_or_none(project, 2) is None


def test_more_baselines_are_numbered_2_and_3(make_project, people):
    project = make_project(state="planned")
    second = services.take_baseline(people["pm"], project, "  After the supplier call  ")
    third = services.take_baseline(people["admin"], project, "Q3 re-plan")
    assert [(b.number, b.name) for b in services.baselines(project)] == [
        (1, "Plan of record"), (2, "After the supplier call"), (3, "Q3 re-plan")]
    assert second.taken_by == people["pm"] and third.taken_by == people["admin"]
    assert services.baseline_or_none(project, None) == third  # the latest
    other = make_project(state="planned", title="Another campaign")
    assert [b.number for b in services.baselines(other)] == [1]  # numbered per campaign


def test_a_baseline_needs_a_name_and_an_editor(make_project, people):
    project = make_project(state="planned")
    with pytest.raises(InvalidInput) as error:
        services.take_baseline(people["pm"], project, "   ")
    assert "name" in error.value.fields
    for reader in (people["team"], people["product"]):
        with pytest.raises(NotAllowed):
            services.take_baseline(reader, project, "Mine")
    assert count(Baseline, Baseline.project_id == project.id) == 1


def test_baselines_are_not_changed_by_later_re_plans(make_project, people):
    project = make_project(state="active")
    first, last = project.milestones[0], project.milestones[-1]
    snapshot = lambda: sorted(  # noqa: E731
        (i.milestone_uuid, i.title, i.due_date, i.target_value, i.state)
        for i in db.session.scalars(sa.select(BaselineItem).join(Baseline).where(Baseline.project_id == project.id))
    )
    before = snapshot()
    services.replan(people["pm"], project, [edit(first, 14), edit(last, 30, target=45.0)], "Supplier is late")
    milestones.create_milestone(people["pm"], project, milestones.MilestoneInput(
        title="Pilot with three customers", due_date=project.start_date + timedelta(days=100)), reason="Sales asked")
    milestones.fire_milestone_transition(people["pm"], project.milestones[1], "cancel", "Merged into the series")
    db.session.commit()
    db.session.expire_all()
    assert snapshot() == before
    [baseline] = services.baselines(project)
    result = services.comparison(project, baseline)
    kinds = {d.title: d.kind for d in result.items}
    assert kinds[first.title] == kinds[last.title] == "moved"
    assert kinds["Pilot with three customers"] == "added" and kinds[project.milestones[1].title] == "cancelled"
    assert {d.title: d.slip_days for d in result.items}[first.title] == 14
    # The last milestone now falls 30 days after the end date, so the plan ends 30 days later.
    assert result.end_slip_days == 30


# --- re-plans --------------------------------------------------------------------------------

def test_a_re_plan_records_one_replan_with_a_change_per_date_and_target(make_project, people):
    project = make_project(state="active")
    first, second, last = project.milestones[0], project.milestones[1], project.milestones[-1]
    old = {m.id: (m.due_date, m.target_value, m.version) for m in (first, second, last)}
    result = services.replan(people["pm"], project, [
        edit(first, 7),                 # date only
        edit(second),                   # nothing changed: no change recorded
        edit(last, -10, target=40.0),   # date and target
    ], "  Supplier slipped two weeks  ")
    db.session.commit()
    [replan] = db.session.scalars(sa.select(Replan).where(Replan.project_id == project.id)).all()
    assert result.replan == replan
    assert (replan.reason, replan.author) == ("Supplier slipped two weeks", people["pm"])
    assert [(c.milestone_title, c.kind, c.old_value, c.new_value, c.slip_days) for c in replan.changes] == [
        (first.title, "moved", old[first.id][0].isoformat(), first.due_date.isoformat(), 7),
        (last.title, "moved", old[last.id][0].isoformat(), last.due_date.isoformat(), -10),
        (last.title, "target", "50", "40", None),
    ]
    assert {c.milestone_uuid for c in replan.changes} == {first.uuid, last.uuid}
    assert result.changes == [(first.title, "moved", old[first.id][0].isoformat(), first.due_date.isoformat()),
                              (last.title, "moved", old[last.id][0].isoformat(), last.due_date.isoformat()),
                              (last.title, "target", "50", "40")]
    assert (first.due_date, last.due_date, last.target_value) == (
        old[first.id][0] + timedelta(days=7), old[last.id][0] - timedelta(days=10), 40.0)
    assert (first.version, second.version) == (old[first.id][2] + 1, old[second.id][2])
    assert count(RoadmapChange) == 3
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "roadmap.replanned")).all()
    assert event.details == {"replan": replan.id} and "Supplier slipped two weeks" in event.summary


def test_once_planned_a_re_plan_needs_a_reason_and_a_refusal_writes_nothing(make_project, people):
    project = make_project(state="planned")
    milestone = project.milestones[0]
    due, version = milestone.due_date, milestone.version
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as error:
            services.replan(people["pm"], project, [edit(milestone, 7)], reason)
        assert "reason" in error.value.fields
    db.session.rollback()
    assert count(Replan) == count(RoadmapChange) == 0
    assert (milestone.due_date, milestone.version) == (due, version)
    assert count(AuditEvent, AuditEvent.action == "roadmap.replanned") == 0


def test_before_planning_no_reason_is_needed_and_nothing_is_recorded(make_project, people):
    project = make_project(state="draft")
    milestone = project.milestones[0]
    new_due = milestone.due_date + timedelta(days=7)
    result = services.replan(people["sales"], project, [edit(milestone, due=new_due)], "")
    db.session.commit()
    assert milestone.due_date == new_due
    assert result.replan is None
    assert count(Replan) == count(RoadmapChange) == 0


def test_a_re_plan_refuses_stale_versions_unknown_milestones_and_dates_before_the_start(make_project, people):
    project = make_project(state="active")
    other = make_project(state="active", title="Another campaign")
    milestone = project.milestones[0]
    with pytest.raises(StaleEdit):
        services.replan(people["pm"], project, [edit(milestone, 7, version=milestone.version - 1)], "Late")
    with pytest.raises(InvalidInput) as unknown:
        services.replan(people["pm"], project, [edit(other.milestones[0], 7)], "Late")
    assert "milestones" in unknown.value.fields
    with pytest.raises(InvalidInput) as early:
        services.replan(people["pm"], project, [edit(milestone, due=project.start_date - timedelta(days=1))], "Late")
    assert list(early.value.fields) == [f"due_{milestone.id}"]
    with pytest.raises(InvalidInput):  # nothing changed
        services.replan(people["pm"], project, [edit(milestone)], "Late")
    with pytest.raises(NotAllowed):
        services.replan(people["team"], project, [edit(milestone, 7)], "Late")
    db.session.rollback()
    assert count(Replan) == 0


def test_the_change_log_is_newest_first_and_can_follow_one_milestone(make_project, people):
    project = make_project(state="active")
    first, last = project.milestones[0], project.milestones[-1]
    one = services.replan(people["pm"], project, [edit(first, 7)], "One").replan
    two = services.replan(people["pm"], project, [edit(last, 7)], "Two").replan
    three = services.replan(people["pm"], project, [edit(first, 7), edit(last, 7)], "Three").replan
    assert services.change_log(project) == [three, two, one]
    assert services.change_log(project, str(first.uuid)) == [three, one]
    with pytest.raises(InvalidInput) as error:
        services.change_log(project, "not-a-uuid")
    assert "milestone" in error.value.fields


# --- preview and slip propagation ------------------------------------------------------------

def test_a_preview_writes_nothing_but_lists_the_commitments_at_risk(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    version = milestone.version
    result = services.replan(people["pm"], project, [edit(milestone, 30)], "", preview=True)
    assert result.replan is None and result.at_risk == [commitment]
    assert [kind for _, kind, _, _ in result.changes] == ["moved"]
    assert not db.session.new and not db.session.dirty
    db.session.commit()
    db.session.expire_all()
    assert (milestone.due_date, milestone.version, commitment.state) == (world["due"], version, "approved")
    assert count(Replan) == count(RoadmapChange) == 0
    assert risk_notes(commitment) == []
    # A move that keeps the promise puts nothing at risk.
    assert services.replan(people["pm"], project, [edit(milestone, 10)], "", preview=True).at_risk == []


def test_a_slip_past_the_promise_flags_it_and_tells_seller_submitter_and_product_managers(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    result = services.replan(people["pm"], project, [edit(milestone, 30)], "Supplier is late")
    db.session.commit()
    assert commitment.state == "at_risk" and result.at_risk == [commitment] and result.cleared == []
    notes = risk_notes(commitment)
    assert {n.user_id for n in notes} == {people["team"].id, people["sales"].id, people["product"].id}
    assert all(n.subject == f"At risk: {commitment.title}" for n in notes)
    assert milestone.title in notes[0].body
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "commitment.flag_risk")).all()
    assert (event.from_state, event.to_state) == ("approved", "at_risk")


def test_the_re_plan_the_risk_and_the_notifications_are_one_transaction(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    notes_before = count(Notification)
    services.replan(people["pm"], project, [edit(milestone, 30)], "Supplier is late")
    assert (count(Replan), count(RoadmapChange), len(risk_notes(commitment)), commitment.state) == (1, 1, 3, "at_risk")
    db.session.rollback()  # a later step of the request failed
    assert (count(Replan), count(RoadmapChange), count(Notification)) == (0, 0, notes_before)
    assert commitment.state == "approved" and milestone.due_date == world["due"]
    assert count(Commitment, Commitment.state == "at_risk") == 0


def test_a_failing_last_step_of_the_re_plan_leaves_nothing_behind(world, people, monkeypatch):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    notes_before = count(Notification)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "_audit", broken)
    with pytest.raises(RuntimeError):
        services.replan(people["pm"], project, [edit(milestone, 30)], "Supplier is late")
    db.session.rollback()
    db.session.expire_all()
    assert (count(Replan), count(RoadmapChange), count(Notification)) == (0, 0, notes_before)
    assert (commitment.state, milestone.due_date) == ("approved", world["due"])


def test_moving_the_milestone_back_clears_the_risk(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    services.replan(people["pm"], project, [edit(milestone, 30)], "Supplier is late")
    db.session.commit()
    assert commitment.state == "at_risk"
    # Still late: stays at risk, nobody is told twice.
    services.replan(people["pm"], project, [edit(milestone, -5)], "A little better")
    db.session.commit()
    assert commitment.state == "at_risk" and len(risk_notes(commitment)) == 3
    # The preview foresees exactly what saving does (one rule: commitments.forecast and reassess).
    foreseen = services.replan(people["pm"], project, [edit(milestone, due=commitment.promised_date)], "",
                               preview=True)
    assert (foreseen.cleared, foreseen.at_risk, foreseen.replan) == ([commitment], [], None)
    db.session.rollback()
    result = services.replan(people["pm"], project, [edit(milestone, due=commitment.promised_date)], "Caught up")
    db.session.commit()
    assert commitment.state == "approved" and result.cleared == [commitment] and result.at_risk == []
    cleared = risk_notes(commitment, "commitment_clear_risk")
    assert {n.user_id for n in cleared} == {people["team"].id, people["sales"].id, people["product"].id}
    assert all(n.subject.startswith("No longer at risk") for n in cleared)


def test_cancelling_the_milestone_puts_the_promise_at_risk_and_reopening_clears_it(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    milestones.fire_milestone_transition(people["pm"], milestone, "cancel", "Series dropped")
    db.session.commit()
    assert commitment.state == "at_risk"
    assert "cancelled" in risk_notes(commitment)[0].body
    [replan] = services.change_log(project)
    assert [(c.kind, c.old_value, c.new_value) for c in replan.changes] == [("cancelled", "open", "cancelled")]
    assert replan.reason == "Series dropped"
    milestones.fire_milestone_transition(people["pm"], milestone, "reopen")
    db.session.commit()
    assert commitment.state == "approved"
    assert services.change_log(project)[0].changes[0].kind == "restored"


def test_amending_the_promised_date_of_an_at_risk_commitment_needs_a_new_countersignature(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    services.replan(people["pm"], project, [edit(milestone, 30)], "Supplier is late")
    db.session.commit()
    assert commitment.state == "at_risk"
    terms = CommitmentInput(
        customer=commitment.customer.name, product_id=commitment.product_id, region_id=commitment.region_id,
        promise=commitment.promise, promised_date=milestone.due_date + timedelta(days=5),
        unit_price=commitment.unit_price, discount_percent=commitment.discount_percent,
        quantity=commitment.quantity, band_id=commitment.band_id, milestone_id=commitment.milestone_id,
    )
    with pytest.raises(InvalidInput) as error:
        commitments.update_commitment(people["sales"], commitment, terms, commitment.version)
    assert "reason" in error.value.fields
    db.session.rollback()
    commitments.update_commitment(people["sales"], commitment, terms, commitment.version,
                                  reason="Customer agreed to the new date")
    db.session.commit()
    assert (commitment.state, commitment.promised_date) == ("pending_signoff", milestone.due_date + timedelta(days=5))
    commitments.fire(people["product"], commitment, "approve")
    assert commitment.state == "approved"


def test_deleting_a_milestone_a_commitment_depends_on_is_refused(world, people):
    milestone = world["milestone"]
    with pytest.raises(InvalidInput) as error:
        milestones.delete_milestone(people["pm"], milestone, reason="Not needed")
    assert "cancel the milestone instead" in error.value.message
    db.session.rollback()
    assert db.session.get(Milestone, milestone.id) is not None
    assert count(Replan) == 0 and world["commitment"].state == "approved"


def test_milestone_form_edits_are_recorded_as_a_re_plan(world, people):
    project, milestone, commitment = world["project"], world["milestone"], world["commitment"]
    new_due = milestone.due_date + timedelta(days=20)
    form = milestones.MilestoneInput(title=milestone.title, due_date=new_due, description=milestone.description,
                                     target_value=milestone.target_value, owner_id=milestone.owner_id)
    with pytest.raises(InvalidInput) as error:
        milestones.update_milestone(people["pm"], milestone, form, milestone.version)
    assert "reason" in error.value.fields
    db.session.rollback()
    assert count(Replan) == 0 and milestone.due_date == world["due"]
    milestones.update_milestone(people["pm"], milestone, form, milestone.version, reason="Printer is late")
    db.session.commit()
    [replan] = services.change_log(project)
    assert replan.reason == "Printer is late" and replan.author == people["pm"]
    assert [(c.kind, c.old_value, c.new_value, c.slip_days) for c in replan.changes] == [
        ("moved", world["due"].isoformat(), new_due.isoformat(), 20)]
    assert commitment.state == "at_risk"  # the form's move flags the promise it breaks too


def test_adding_and_removing_milestones_once_planned_are_re_plans(make_project, people):
    project = make_project(state="planned")
    data = milestones.MilestoneInput(title="Pilot", due_date=project.start_date + timedelta(days=60))
    with pytest.raises(InvalidInput) as error:
        milestones.create_milestone(people["pm"], project, data)
    assert "reason" in error.value.fields
    db.session.rollback()
    pilot = milestones.create_milestone(people["pm"], project, data, reason="Sales asked for a pilot")
    milestones.delete_milestone(people["pm"], pilot, reason="Pilot folded into the launch")
    db.session.commit()
    removed, added = services.change_log(project)
    assert [(c.kind, c.milestone_title, c.old_value, c.new_value) for c in added.changes] == [
        ("added", "Pilot", "", data.due_date.isoformat())]
    assert [(c.kind, c.milestone_title, c.old_value, c.new_value) for c in removed.changes] == [
        ("removed", "Pilot", data.due_date.isoformat(), "")]
    assert removed.reason == "Pilot folded into the launch"
