"""Milestone and task rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import clock
from app.core.errors import InvalidInput, RecordClosed, ServiceError, StaleEdit, TransitionRefused
from app.milestones import services
from app.milestones.services import MilestoneInput, TaskInput
from app.projects.services import fire_transition


def test_new_milestones_go_last_and_must_fall_inside_the_campaign(make_project, people):
    project = make_project(template=None)
    first = services.create_milestone(people["pm"], project, MilestoneInput("Kick-off", project.start_date))
    second = services.create_milestone(people["pm"], project, MilestoneInput("Review", project.start_date + timedelta(days=9)))
    assert (first.position, second.position) == (0, 1)
    with pytest.raises(InvalidInput) as error:
        services.create_milestone(people["pm"], project, MilestoneInput("Too early", project.start_date - timedelta(days=1)))
    assert "due_date" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        services.create_milestone(
            people["pm"], project, MilestoneInput("Owned by a stranger", project.start_date, owner_id=people["outsider"].id)
        )
    assert "owner_id" in error.value.fields


def test_team_members_cannot_change_the_plan(make_project, people):
    project = make_project()
    with pytest.raises(ServiceError):
        services.create_milestone(people["team"], project, MilestoneInput("Sneaky", project.start_date))
    with pytest.raises(ServiceError):
        services.move_milestone(people["team"], project.milestones[1], -1)


def test_reordering_swaps_neighbours_and_ignores_moves_off_the_ends(make_project, people):
    project = make_project()
    titles = [m.title for m in project.milestones]
    services.move_milestone(people["pm"], project.milestones[1], -1)
    assert [m.title for m in sorted(project.milestones, key=lambda m: m.position)][:2] == [titles[1], titles[0]]
    top = min(project.milestones, key=lambda m: m.position)
    services.move_milestone(people["pm"], top, -1)
    assert top.position == 0


def test_a_stale_milestone_edit_is_refused(make_project, people):
    milestone = make_project().milestones[0]
    data = MilestoneInput("Renamed", milestone.due_date)
    with pytest.raises(StaleEdit):
        services.update_milestone(people["pm"], milestone, data, milestone.version + 1)
    services.update_milestone(people["pm"], milestone, data, milestone.version)
    assert milestone.title == "Renamed"


def test_completing_waits_for_open_tasks_and_reopening_clears_the_date(make_project, people):
    project = make_project(state="active")
    milestone = project.milestones[0]
    task = services.create_task(people["pm"], milestone, TaskInput("Draft offer", assignee_id=people["team"].id))
    with pytest.raises(TransitionRefused) as refused:
        services.fire_milestone_transition(people["pm"], milestone, "complete")
    assert refused.value.reasons == ["1 task is still open: finish or remove them first."]
    services.set_task_done(people["team"], task, True)  # the assignee may tick their own task
    services.fire_milestone_transition(people["pm"], milestone, "complete")
    assert milestone.state == "done" and milestone.completed_at is not None
    services.fire_milestone_transition(people["pm"], milestone, "reopen")
    assert milestone.state == "open" and milestone.completed_at is None


def test_cancelling_needs_a_reason_and_closed_campaigns_are_frozen(make_project, people):
    project = make_project(state="active")
    milestone = project.milestones[-1]
    with pytest.raises(TransitionRefused):
        services.fire_milestone_transition(people["pm"], milestone, "cancel")
    services.fire_milestone_transition(people["pm"], milestone, "cancel", "Merged into the year-one checkpoint")
    assert milestone.state == "cancelled"
    fire_transition(people["pm"], project, "cancel", "Stopped")
    with pytest.raises(RecordClosed):
        services.fire_milestone_transition(people["pm"], milestone, "reopen")


def test_only_the_assignee_or_editors_tick_a_task(make_project, people):
    project = make_project(state="active")
    task = services.create_task(people["pm"], project.milestones[0], TaskInput("Call Acme", assignee_id=people["pm"].id))
    with pytest.raises(ServiceError):
        services.set_task_done(people["team"], task, True)
    with pytest.raises(InvalidInput):
        services.create_task(people["pm"], project.milestones[0], TaskInput("x", assignee_id=people["outsider"].id))
    assert task.is_overdue(clock.today() + timedelta(days=3650))
    services.delete_task(people["pm"], task)
    assert project.milestones[0].tasks == []
