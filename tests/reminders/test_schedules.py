"""Schedules follow their items through the services: whoever is owed a reminder of what, and
when, changes in the same transaction as the milestone, task, campaign or membership does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts import services as accounts
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.services import MilestoneInput, TaskInput
from app.projects import services as projects
from app.projects.models import ProjectRole
from app.roadmap import services as roadmap
from app.roadmap.services import MilestoneEdit

EVERYONE = ("sales", "pm", "product", "team")


def ids(people, *names: str) -> set[int]:
    return {people[name].id for name in names}


def replan(people, milestone, due, reason="The pilot customers asked for more time"):
    roadmap.replan(people["pm"], milestone.project,
                   [MilestoneEdit(milestone.id, due, milestone.target_value, milestone.version)], reason)
    db.session.commit()


def set_active(people, user, active: bool) -> None:
    accounts.update_user(people["admin"], user, accounts.UserInput(user.email, user.name, user.role, active=active))
    db.session.commit()


@pytest.mark.parametrize(("state", "reminded"), [("draft", ()), ("proposed", ()), ("planned", EVERYONE),
                                                 ("active", EVERYONE)])
def test_only_a_planned_or_active_campaign_schedules_its_owner_and_members(state, reminded, people, campaign,
                                                                          schedules, clock):
    milestone = campaign(state=state).milestones[0]
    rows = schedules(milestone)
    assert set(rows) == ids(people, *reminded)
    assert all((r.due_date, r.next_at) == (milestone.due_date, clock.slot(milestone.due_date, -7)) for r in rows.values())


def test_a_milestone_added_to_a_running_campaign_is_scheduled_in_the_same_commit(people, campaign, schedules, clock):
    project = campaign()
    due = project.milestones[0].due_date + timedelta(days=30)
    added = milestones.create_milestone(people["pm"], project, MilestoneInput(
        "Renewals signed", due, owner_id=people["team"].id), reason="Second wave of customers")
    db.session.commit()
    rows = schedules(added)
    assert set(rows) == ids(people, *EVERYONE)
    assert {(r.due_date, r.next_at) for r in rows.values()} == {(due, clock.slot(due, -7))}


def test_editing_a_milestones_due_date_moves_every_schedule(people, milestone, schedules, clock):
    later = milestone.due_date + timedelta(days=10)
    milestones.update_milestone(people["pm"], milestone, MilestoneInput(milestone.title, later, owner_id=people["pm"].id),
                                milestone.version, reason="Legal review takes longer")
    db.session.commit()
    assert {(r.due_date, r.next_at) for r in schedules(milestone).values()} == {(later, clock.slot(later, -7))}


def test_a_replan_moves_the_reminders_and_nobody_hears_of_the_old_date(people, milestone, schedules, sweep_at,
                                                                       sent_reminders, clock):
    old, new = milestone.due_date, milestone.due_date + timedelta(days=10)
    replan(people, milestone, new)
    assert {r.due_date for r in schedules(milestone).values()} == {new}
    for offset in (-7, -1, 0):  # every slot the old date had
        assert sweep_at(clock.slot(old, offset)).sent == 0
    assert sent_reminders() == []
    assert sweep_at(clock.slot(new, -7)).sent == 4
    notes = sent_reminders()
    assert {n.dedupe_key for n in notes} == {f"reminder:m{milestone.id}:{new.isoformat()}/-7"}
    assert all("due in 7 days" in n.subject and old.strftime("%d %b") not in n.body for n in notes)


@pytest.mark.parametrize(("event", "reason"), [("complete", ""), ("cancel", "Dropped from the scope")])
def test_a_completed_or_cancelled_milestone_reminds_nobody(event, reason, people, milestone, schedules, sweep_at,
                                                          sent_reminders, clock):
    milestones.fire_milestone_transition(people["pm"], milestone, event, reason)
    db.session.commit()
    assert schedules(milestone) == {}
    sweep_at(clock.slot(milestone.due_date, -7))
    assert sent_reminders() == []


def test_a_task_reminds_its_assignee_of_its_own_due_date(people, milestone, schedules, clock):
    own = milestone.due_date - timedelta(days=5)
    task = milestones.create_task(people["pm"], milestone, TaskInput("Brief the pilot customers",
                                                                     people["team"].id, own))
    db.session.commit()
    assert {uid: (r.due_date, r.next_at) for uid, r in schedules(task).items()} == {
        people["team"].id: (own, clock.slot(own, -7))}


def test_reassigning_a_task_hands_its_reminders_to_the_new_assignee(people, milestone, schedules):
    task = milestones.create_task(people["pm"], milestone, TaskInput("Brief the pilot customers", people["team"].id))
    db.session.commit()
    milestones.update_task(people["pm"], task, TaskInput(task.title, people["product"].id))
    db.session.commit()
    assert set(schedules(task)) == ids(people, "product")


def test_finishing_a_task_drops_its_reminder_and_reopening_brings_it_back(people, milestone, schedules):
    task = milestones.create_task(people["pm"], milestone, TaskInput("Brief the pilot customers", people["team"].id))
    db.session.commit()
    milestones.set_task_done(people["team"], task, True)
    db.session.commit()
    assert schedules(task) == {}
    milestones.set_task_done(people["team"], task, False)
    db.session.commit()
    assert set(schedules(task)) == ids(people, "team")


def test_a_task_without_a_date_follows_its_milestone_when_the_milestone_moves(people, milestone, schedules, clock):
    task = milestones.create_task(people["pm"], milestone, TaskInput("Collect feedback", people["team"].id))
    db.session.commit()
    assert schedules(task)[people["team"].id].due_date == milestone.due_date
    later = milestone.due_date + timedelta(days=14)
    replan(people, milestone, later)
    row = schedules(task)[people["team"].id]
    assert (row.due_date, row.next_at) == (later, clock.slot(later, -7))


@pytest.mark.parametrize("event", ["hold", "cancel", "complete"])
def test_a_campaign_that_stops_running_drops_every_reminder(event, people, milestone, schedules, sweep_at,
                                                            sent_reminders, clock):
    project = milestone.project
    task = milestones.create_task(people["pm"], milestone, TaskInput("Collect feedback", people["team"].id))
    db.session.commit()
    assert schedules(task)
    if event == "complete":
        projects.report_actual(people["pm"], project, 30.0, clock.now().date())
    projects.fire_transition(people["pm"], project, event, reason="The budget is frozen")
    db.session.commit()
    assert schedules(milestone) == {} and schedules(task) == {}
    sweep_at(clock.slot(milestone.due_date, -7))
    assert sent_reminders() == []


def test_a_resumed_campaign_is_scheduled_again_without_the_slots_missed_while_on_hold(people, milestone, schedules,
                                                                                     sweep_at, sent_reminders, clock):
    project = milestone.project
    projects.fire_transition(people["pm"], project, "hold", reason="Waiting for the new price list")
    db.session.commit()
    clock.to(clock.slot(milestone.due_date, -5))  # the week-before slot passed while on hold
    projects.fire_transition(people["pm"], project, "resume")
    db.session.commit()
    assert {r.next_at for r in schedules(milestone).values()} == {clock.slot(milestone.due_date, -1)}
    sweep_at(clock.now() + timedelta(minutes=1))
    assert sent_reminders() == []


def test_a_new_member_is_scheduled_for_every_milestone(people, milestone, schedules, clock):
    projects.add_member(people["pm"], milestone.project, people["outsider"], ProjectRole.MEMBER)
    db.session.commit()
    row = schedules(milestone)[people["outsider"].id]
    assert (row.due_date, row.next_at) == (milestone.due_date, clock.slot(milestone.due_date, -7))


def test_a_removed_member_is_reminded_no_more(people, milestone, schedules, sweep_at, sent_reminders, clock):
    projects.remove_member(people["pm"], milestone.project, people["team"])
    db.session.commit()
    assert set(schedules(milestone)) == ids(people, "sales", "pm", "product")
    sweep_at(clock.slot(milestone.due_date, -7))
    assert {n.user_id for n in sent_reminders()} == ids(people, "sales", "pm", "product")


def test_a_milestone_owner_who_leaves_the_campaign_is_still_reminded_of_it(people, campaign, schedules):
    project = campaign()
    owned = milestones.create_milestone(people["pm"], project, MilestoneInput(
        "Renewals signed", project.milestones[0].due_date, owner_id=people["team"].id), reason="Second wave")
    db.session.commit()
    projects.remove_member(people["pm"], project, people["team"])
    db.session.commit()
    assert people["team"].id in schedules(owned)
    assert people["team"].id not in schedules(project.milestones[0])


def test_a_deactivated_person_is_reminded_of_nothing(people, milestone, schedules, sweep_at, sent_reminders, clock):
    set_active(people, people["team"], False)
    assert people["team"].id not in schedules(milestone)
    sweep_at(clock.slot(milestone.due_date, -7))
    assert {n.user_id for n in sent_reminders()} == ids(people, "sales", "pm", "product")


def test_a_reactivated_person_is_scheduled_again_from_then_on(people, milestone, schedules, clock):
    set_active(people, people["team"], False)
    clock.to(clock.slot(milestone.due_date, -7, hour=10))  # the week-before slot passed meanwhile
    set_active(people, people["team"], True)
    row = schedules(milestone)[people["team"].id]
    assert (row.due_date, row.next_at) == (milestone.due_date, clock.slot(milestone.due_date, -1))
