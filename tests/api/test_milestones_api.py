"""Milestones and tasks through the JSON API: planning, versioned edits, lifecycle, order, and scoping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from app.milestones.models import Milestone, Task
from tests.api.helpers import assert_json_error, count, items


def _url(project, milestone=None, suffix: str = "") -> str:
    base = f"/api/v1/projects/{project.id}/milestones"
    return base + (f"/{milestone.id}" if milestone is not None else "") + suffix


def _add_task(project, milestone, **fields) -> Task:
    task = Task(milestone=milestone, title=fields.pop("title", "Brief the agency"), position=len(milestone.tasks), **fields)
    db.session.add(task)
    db.session.commit()
    return task


# --- milestones ------------------------------------------------------------------------------


def test_listing_milestones_gives_them_in_roadmap_order(api, people, make_project):
    project = make_project()

    response = api(people["team"]).get(_url(project))

    listed = items(response)
    assert [m["position"] for m in listed] == [0, 1, 2, 3, 4]
    assert [m["id"] for m in listed] == [m.id for m in project.milestones]
    assert listed[0]["tasks"] == [] and listed[0]["version"] == 1


def test_creating_a_milestone_appends_it_to_the_roadmap(api, people, make_project):
    project = make_project()
    due = project.start_date + timedelta(days=60)

    response = api(people["pm"]).post(_url(project), json={
        "title": "  Partner webinar  ", "due_date": due.isoformat(), "target_value": 12.5,
        "owner_id": people["team"].id, "description": "Joint session with the reseller",
    })

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["title"], body["due_date"], body["target_value"]) == ("Partner webinar", due.isoformat(), 12.5)
    assert (body["owner_id"], body["state"], body["position"], body["version"]) == (people["team"].id, "open", 5, 1)
    assert body["project_id"] == project.id and body["tasks"] == []
    saved = db.session.get(Milestone, body["id"])
    assert (saved.title, saved.due_date, saved.description) == ("Partner webinar", due, "Joint session with the reseller")
    assert count(Milestone) == 6
    assert db.session.scalar(
        sa.select(AuditEvent.action).where(AuditEvent.entity == "milestone", AuditEvent.entity_id == saved.id)
    ) == "milestone.created"


def test_a_milestone_due_before_the_campaign_starts_is_a_400_on_due_date(api, people, make_project):
    project = make_project()
    before = project.start_date - timedelta(days=1)

    response = api(people["sales"]).post(_url(project), json={"title": "Too early", "due_date": before.isoformat()})

    error = assert_json_error(response, 400, "invalid")
    assert error["fields"] == {"due_date": [f"Pick a date on or after the campaign start ({project.start_date.isoformat()})."]}
    assert count(Milestone) == 5


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "due_date": "2027-06-01"}, "title"),
        ({"title": "No date"}, "due_date"),
        ({"title": "Bad date", "due_date": "2027-13-01"}, "due_date"),
        ({"title": "Bad target", "due_date": "2027-06-01", "target_value": "high"}, "target_value"),
        ({"title": "Stranger", "due_date": "2027-06-01", "owner_id": "__outsider__"}, "owner_id"),
    ],
)
def test_invalid_milestones_are_refused_naming_the_field(api, people, make_project, payload, field):
    project = make_project(start=date(2027, 1, 4))
    if payload.get("owner_id") == "__outsider__":
        payload = {**payload, "owner_id": people["outsider"].id}  # not a member of this campaign

    error = assert_json_error(api(people["pm"]).post(_url(project), json=payload), 400, "invalid")

    assert list(error["fields"]) == [field]
    assert count(Milestone) == 5


def test_a_team_member_cannot_add_milestones(api, people, make_project):
    project = make_project()

    response = api(people["team"]).post(_url(project), json={"title": "Mine", "due_date": project.end_date.isoformat()})

    error = assert_json_error(response, 403, "forbidden")
    assert "owner, project manager or an admin" in error["message"]
    assert count(Milestone) == 5


def test_patch_with_the_current_version_updates_the_milestone(api, people, make_project):
    project = make_project()
    milestone = project.milestones[2]
    new_due = milestone.due_date + timedelta(days=7)

    response = api(people["pm"]).patch(_url(project, milestone), json={
        "version": 1, "title": "Email series wrapped up", "due_date": new_due.isoformat(),
    })

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["title"], body["due_date"], body["version"]) == ("Email series wrapped up", new_due.isoformat(), 2)
    assert body["owner_id"] == people["pm"].id  # not sent, so kept
    saved = db.session.get(Milestone, milestone.id)
    assert (saved.title, saved.due_date, saved.version) == ("Email series wrapped up", new_due, 2)


def test_patch_can_clear_the_target_and_owner_with_null(api, people, make_project):
    project = make_project()
    milestone = project.milestones[3]
    assert milestone.target_value == 30.0

    response = api(people["sales"]).patch(
        _url(project, milestone), json={"version": 1, "target_value": None, "owner_id": None}
    )

    assert response.status_code == 200
    saved = db.session.get(Milestone, milestone.id)
    assert (saved.target_value, saved.owner_id) == (None, None)


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(api, people, make_project):
    project = make_project()
    milestone = project.milestones[0]
    pm, owner = api(people["pm"]), api(people["sales"])
    assert pm.patch(_url(project, milestone), json={"version": 1, "title": "PM's title"}).status_code == 200

    response = owner.patch(_url(project, milestone), json={"version": 1, "title": "Owner's title"})

    error = assert_json_error(response, 409, "conflict")
    assert "milestone" in error["message"]
    saved = db.session.get(Milestone, milestone.id)
    assert (saved.title, saved.version) == ("PM's title", 2)


def test_patch_without_a_version_is_a_400_on_version(api, people, make_project):
    project = make_project()
    milestone = project.milestones[0]

    error = assert_json_error(
        api(people["pm"]).patch(_url(project, milestone), json={"title": "Versionless"}), 400, "invalid"
    )

    assert list(error["fields"]) == ["version"]
    assert db.session.get(Milestone, milestone.id).title == "Upgrade offer and price band agreed with product"


def test_patch_moving_the_due_date_before_the_start_is_a_400(api, people, make_project):
    project = make_project()
    milestone = project.milestones[0]

    response = api(people["pm"]).patch(
        _url(project, milestone), json={"version": 1, "due_date": (project.start_date - timedelta(days=3)).isoformat()}
    )

    assert list(assert_json_error(response, 400, "invalid")["fields"]) == ["due_date"]
    saved = db.session.get(Milestone, milestone.id)
    assert (saved.due_date, saved.version) == (milestone.due_date, 1)


# --- milestone lifecycle ---------------------------------------------------------------------


def test_complete_then_reopen_a_milestone(api, people, make_project):
    project = make_project(state="active")
    milestone = project.milestones[0]
    pm = api(people["pm"])

    done = pm.post(_url(project, milestone, "/transitions"), json={"event": "complete"})

    assert done.status_code == 200 and done.get_json()["state"] == "done"
    saved = db.session.get(Milestone, milestone.id)
    assert saved.state == "done" and saved.completed_at is not None

    reopened = pm.post(_url(project, milestone, "/transitions"), json={"event": "reopen"})

    assert reopened.status_code == 200 and reopened.get_json()["state"] == "open"
    saved = db.session.get(Milestone, milestone.id)
    assert saved.state == "open" and saved.completed_at is None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_id == milestone.id, AuditEvent.entity == "milestone")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["milestone.complete", "milestone.reopen"]


def test_cancel_needs_a_reason(api, people, make_project):
    project = make_project()
    milestone = project.milestones[1]
    owner = api(people["sales"])

    refused = owner.post(_url(project, milestone, "/transitions"), json={"event": "cancel", "reason": " "})
    assert assert_json_error(refused, 409, "transition_refused")["reasons"] == ["Cancel: a reason is required."]
    assert db.session.get(Milestone, milestone.id).state == "open"

    cancelled = owner.post(_url(project, milestone, "/transitions"), json={"event": "cancel", "reason": "Merged into launch"})

    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    saved = db.session.get(Milestone, milestone.id)
    assert (saved.state, saved.state_note) == ("cancelled", "Merged into launch")


def test_complete_is_refused_while_a_task_is_open(api, people, make_project):
    project = make_project()
    milestone = project.milestones[0]
    task = _add_task(project, milestone)
    pm = api(people["pm"])

    refused = pm.post(_url(project, milestone, "/transitions"), json={"event": "complete"})

    error = assert_json_error(refused, 409, "transition_refused")
    assert error["reasons"] == ["1 task is still open: finish or remove them first."]
    assert db.session.get(Milestone, milestone.id).state == "open"

    assert pm.patch(f"/api/v1/projects/{project.id}/tasks/{task.id}", json={"done": True}).status_code == 200
    done = pm.post(_url(project, milestone, "/transitions"), json={"event": "complete"})
    assert done.status_code == 200 and db.session.get(Milestone, milestone.id).state == "done"


def test_only_editors_and_the_milestone_owner_may_complete(api, people, make_project):
    project = make_project()
    theirs = project.milestones[0]  # owned by the project manager
    mine = project.milestones[1]
    mine.owner_id = people["team"].id
    team = api(people["team"])

    refused = team.post(_url(project, theirs, "/transitions"), json={"event": "complete"})
    assert assert_json_error(refused, 409, "transition_refused")["reasons"] == [
        "Mark done: only an admin or the milestone owner or the campaign owner or the project manager may do this."
    ]
    cancel = team.post(_url(project, mine, "/transitions"), json={"event": "cancel", "reason": "Not needed"})
    assert assert_json_error(cancel, 409, "transition_refused")["reasons"] == [
        "Cancel: only an admin or the campaign owner or the project manager may do this."
    ]

    completed = team.post(_url(project, mine, "/transitions"), json={"event": "complete"})

    assert completed.status_code == 200
    assert [m.state for m in db.session.scalars(sa.select(Milestone).order_by(Milestone.position)).all()][:2] == [
        "open", "done",
    ]


def test_milestones_of_a_closed_campaign_cannot_change_state(api, people, make_project):
    project = make_project(state="active")
    milestone = project.milestones[0]
    pm = api(people["pm"])
    assert pm.post(f"/api/v1/projects/{project.id}/transitions",
                   json={"event": "cancel", "reason": "Budget cut"}).status_code == 200

    response = pm.post(_url(project, milestone, "/transitions"), json={"event": "complete"})

    assert assert_json_error(response, 409, "closed")["message"] == "This campaign is cancelled: it can no longer change."
    assert db.session.get(Milestone, milestone.id).state == "open"


@pytest.mark.parametrize("payload", [{}, {"event": ""}, {"event": ["complete"]}])
def test_a_milestone_transition_must_name_its_event(api, people, make_project, payload):
    project = make_project()
    milestone = project.milestones[0]

    error = assert_json_error(api(people["pm"]).post(_url(project, milestone, "/transitions"), json=payload), 400)

    assert list(error["fields"]) == ["event"]
    assert db.session.get(Milestone, milestone.id).state == "open"


# --- order -----------------------------------------------------------------------------------


def test_moving_a_milestone_up_and_down_swaps_it_with_its_neighbour(api, people, make_project):
    project = make_project()
    first, second, third = project.milestones[:3]
    ids = [m.id for m in project.milestones]
    pm = api(people["pm"])

    up = pm.post(_url(project, second, "/move"), json={"direction": "up"})

    assert up.status_code == 200
    assert [m["id"] for m in up.get_json()] == [second.id, first.id, *ids[2:]]
    assert [m["position"] for m in up.get_json()] == [0, 1, 2, 3, 4]

    down = pm.post(_url(project, second, "/move"), json={"direction": "down"})

    assert [m["id"] for m in down.get_json()] == ids
    stored = db.session.scalars(sa.select(Milestone.id).order_by(Milestone.position)).all()
    assert stored == ids
    assert third.id == ids[2]


def test_moving_past_either_end_changes_nothing(api, people, make_project):
    project = make_project()
    ids = [m.id for m in project.milestones]
    pm = api(people["pm"])

    top = pm.post(_url(project, project.milestones[0], "/move"), json={"direction": "up"})
    bottom = pm.post(_url(project, project.milestones[-1], "/move"), json={"direction": "down"})

    assert [m["id"] for m in top.get_json()] == ids
    assert [m["id"] for m in bottom.get_json()] == ids
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "milestone.moved")) == 0


@pytest.mark.parametrize("payload", [{}, {"direction": "left"}, {"direction": -1}])
def test_a_move_must_say_up_or_down(api, people, make_project, payload):
    project = make_project()

    error = assert_json_error(
        api(people["pm"]).post(_url(project, project.milestones[1], "/move"), json=payload), 400, "invalid"
    )

    assert list(error["fields"]) == ["direction"]


def test_a_team_member_cannot_reorder(api, people, make_project):
    project = make_project()
    ids = [m.id for m in project.milestones]

    response = api(people["team"]).post(_url(project, project.milestones[1], "/move"), json={"direction": "up"})

    assert_json_error(response, 403, "forbidden")
    assert db.session.scalars(sa.select(Milestone.id).order_by(Milestone.position)).all() == ids


# --- tasks -----------------------------------------------------------------------------------


def test_task_create_edit_tick_untick_and_delete(api, people, make_project):
    project = make_project()
    milestone = project.milestones[0]
    pm = api(people["pm"])

    created = pm.post(_url(project, milestone, "/tasks"), json={
        "title": "Draft the offer letter", "assignee_id": people["team"].id, "due_date": "2027-01-10",
    })

    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert (body["title"], body["assignee_id"], body["due_date"], body["done"]) == (
        "Draft the offer letter", people["team"].id, "2027-01-10", False,
    )
    assert body["milestone_id"] == milestone.id
    task_url = f"/api/v1/projects/{project.id}/tasks/{body['id']}"

    renamed = pm.patch(task_url, json={"title": "Draft and send the offer letter"})
    assert renamed.status_code == 200
    assert renamed.get_json()["title"] == "Draft and send the offer letter"
    assert renamed.get_json()["assignee_id"] == people["team"].id  # kept

    ticked = pm.patch(task_url, json={"done": True})
    assert ticked.status_code == 200 and ticked.get_json()["done"] is True
    assert db.session.get(Task, body["id"]).done_at is not None

    unticked = pm.patch(task_url, json={"done": False})
    assert unticked.status_code == 200 and unticked.get_json()["done"] is False
    task = db.session.get(Task, body["id"])
    assert (task.done, task.done_at, task.title) == (False, None, "Draft and send the offer letter")

    deleted = pm.delete(task_url)

    assert deleted.status_code == 204 and deleted.data == b""
    assert count(Task) == 0
    assert_json_error(pm.delete(task_url), 404, "not_found")
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity == "task").order_by(AuditEvent.id)
    ).all()
    assert actions == ["task.created", "task.updated", "task.done", "task.reopened", "task.deleted"]


def test_a_task_edit_and_tick_in_one_patch(api, people, make_project):
    project = make_project()
    task = _add_task(project, project.milestones[0])

    response = api(people["sales"]).patch(
        f"/api/v1/projects/{project.id}/tasks/{task.id}", json={"title": "Renamed", "done": True}
    )

    assert response.status_code == 200
    saved = db.session.get(Task, task.id)
    assert (saved.title, saved.done) == ("Renamed", True)


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"done": "yes"}, "done"), ({"done": 1}, "done"), ({"title": ""}, "title"),
     ({"assignee_id": "__outsider__"}, "assignee_id"), ({"due_date": "soon"}, "due_date")],
)
def test_invalid_task_edits_are_refused_naming_the_field(api, people, make_project, payload, field):
    project = make_project()
    task = _add_task(project, project.milestones[0], title="Keep me")
    if payload.get("assignee_id") == "__outsider__":
        payload = {"assignee_id": people["outsider"].id}

    error = assert_json_error(
        api(people["pm"]).patch(f"/api/v1/projects/{project.id}/tasks/{task.id}", json=payload), 400, "invalid"
    )

    assert list(error["fields"]) == [field]
    saved = db.session.get(Task, task.id)
    assert (saved.title, saved.done, saved.assignee_id) == ("Keep me", False, None)


def test_the_assignee_may_tick_their_task_but_not_rename_or_delete_it(api, people, make_project):
    project = make_project()
    task = _add_task(project, project.milestones[0], title="Call ten customers", assignee_id=people["team"].id)
    team = api(people["team"])
    url = f"/api/v1/projects/{project.id}/tasks/{task.id}"

    assert team.patch(url, json={"done": True}).status_code == 200
    assert_json_error(team.patch(url, json={"title": "Call two customers"}), 403, "forbidden")
    assert_json_error(team.delete(url), 403, "forbidden")

    saved = db.session.get(Task, task.id)
    assert (saved.title, saved.done) == ("Call ten customers", True)


def test_a_member_who_is_not_the_assignee_cannot_tick(api, people, make_project):
    project = make_project()
    task = _add_task(project, project.milestones[0], assignee_id=people["pm"].id)

    response = api(people["product"]).patch(f"/api/v1/projects/{project.id}/tasks/{task.id}", json={"done": True})

    assert "assignee" in assert_json_error(response, 403, "forbidden")["message"]
    assert db.session.get(Task, task.id).done is False


# --- scoping: ids from elsewhere -------------------------------------------------------------


def test_an_outsider_gets_404_for_every_milestone_and_task_url(api, people, make_project):
    project = make_project()
    milestone = project.milestones[0]
    task = _add_task(project, milestone, title="Secret task")
    outsider = api(people["outsider"])
    task_url = f"/api/v1/projects/{project.id}/tasks/{task.id}"

    for response in (
        outsider.get(_url(project)),
        outsider.post(_url(project), json={"title": "Intruder", "due_date": project.end_date.isoformat()}),
        outsider.get(_url(project, milestone)),
        outsider.patch(_url(project, milestone), json={"version": 1, "title": "Hacked"}),
        outsider.post(_url(project, milestone, "/transitions"), json={"event": "complete"}),
        outsider.post(_url(project, milestone, "/move"), json={"direction": "down"}),
        outsider.post(_url(project, milestone, "/tasks"), json={"title": "Intruder task"}),
        outsider.patch(task_url, json={"done": True}),
        outsider.delete(task_url),
    ):
        assert_json_error(response, 404, "not_found")

    saved = db.session.get(Milestone, milestone.id)
    assert (saved.title, saved.state, saved.position, saved.version) == (milestone.title, "open", 0, 1)
    assert db.session.get(Task, task.id).done is False
    assert count(Milestone) == 5 and count(Task) == 1


def test_ids_of_campaign_a_used_under_campaign_bs_url_are_404(api, people, make_project):
    """The owner can see both campaigns, yet A's milestones and tasks do not exist under B."""
    a = make_project(title="Campaign A")
    b = make_project(title="Campaign B")
    milestone_a = a.milestones[0]
    task_a = _add_task(a, milestone_a, title="A's task")
    owner = api(people["sales"])
    wrong_task = f"/api/v1/projects/{b.id}/tasks/{task_a.id}"

    for response in (
        owner.get(_url(b, milestone_a)),
        owner.patch(_url(b, milestone_a), json={"version": 1, "title": "Moved across"}),
        owner.post(_url(b, milestone_a, "/transitions"), json={"event": "cancel", "reason": "x"}),
        owner.post(_url(b, milestone_a, "/move"), json={"direction": "down"}),
        owner.post(_url(b, milestone_a, "/tasks"), json={"title": "Smuggled"}),
        owner.patch(wrong_task, json={"title": "Renamed from B", "done": True}),
        owner.delete(wrong_task),
    ):
        assert_json_error(response, 404, "not_found")

    saved_task = db.session.get(Task, task_a.id)
    assert (saved_task.title, saved_task.done, saved_task.milestone_id) == ("A's task", False, milestone_a.id)
    saved_milestone = db.session.get(Milestone, milestone_a.id)
    assert (saved_milestone.title, saved_milestone.state, saved_milestone.project_id) == (
        milestone_a.title, "open", a.id,
    )
    assert count(Task) == 1
    # ...and the same ids work under their own campaign.
    assert owner.get(_url(a, milestone_a)).status_code == 200
    assert owner.patch(f"/api/v1/projects/{a.id}/tasks/{task_a.id}", json={"done": True}).status_code == 200


def test_a_milestone_that_does_not_exist_is_404(api, people, make_project):
    project = make_project()

    assert_json_error(api(people["pm"]).get(f"/api/v1/projects/{project.id}/milestones/999999"), 404, "not_found")
