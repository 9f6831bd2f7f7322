"""Milestone and task pages and buttons."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.milestones.models import Milestone, Task


def test_editing_a_milestone_moves_it_and_shows_in_history(make_project, people, login):
    project = make_project(state="planned")
    milestone = project.milestones[0]
    client = login(people["pm"])
    old_due = milestone.due_date
    new_due = old_due + timedelta(days=10)
    form = client.get(f"/campaigns/{project.id}/milestones/{milestone.id}/edit")
    assert form.status_code == 200
    response = client.post(f"/campaigns/{project.id}/milestones/{milestone.id}/edit", data={
        "title": milestone.title, "due_date": new_due.isoformat(), "owner_id": "", "version": milestone.version,
        "reason": "Agency needs ten more days",
    })
    assert response.status_code == 302
    assert db.session.get(Milestone, milestone.id).due_date == new_due
    page = client.get(f"/campaigns/{project.id}").get_data(as_text=True)
    assert f"due date: {old_due:%d %b %Y} → {new_due:%d %b %Y}" in page


def test_a_stale_edit_form_shows_a_conflict_and_saves_nothing(make_project, people, login):
    project = make_project()
    milestone = project.milestones[0]
    old_version = milestone.version
    first, second = login(people["pm"]), login(people["sales"])
    base = {"title": "Edited by Priya", "due_date": milestone.due_date.isoformat(), "owner_id": "", "version": old_version}
    assert first.post(f"/campaigns/{project.id}/milestones/{milestone.id}/edit", data=base).status_code == 302
    clash = second.post(f"/campaigns/{project.id}/milestones/{milestone.id}/edit", data={**base, "title": "Edited by Sam"})
    assert clash.status_code == 200
    assert "changed by someone else" in clash.get_data(as_text=True)
    assert db.session.get(Milestone, milestone.id).title == "Edited by Priya"


def test_a_bad_milestone_form_shows_errors_beside_the_fields(make_project, people, login):
    project = make_project()
    client = login(people["pm"])
    response = client.post(f"/campaigns/{project.id}/milestones/new", data={"title": "", "due_date": "31/02/2027"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="field-error"') >= 2
    assert len(db.session.get(type(project), project.id).milestones) == 5


def test_tasks_are_added_ticked_and_deleted_from_the_campaign_page(make_project, people, login):
    project = make_project(state="active")
    milestone = project.milestones[0]
    client = login(people["pm"])
    client.post(f"/campaigns/{project.id}/milestones/{milestone.id}/tasks",
                data={"title": "Draft the offer", "assignee_id": str(people["team"].id), "due_date": ""})
    task = db.session.query(Task).one()
    assert (task.title, task.assignee_id) == ("Draft the offer", people["team"].id)
    assignee = login(people["team"])
    assignee.post(f"/campaigns/{project.id}/milestones/tasks/{task.id}/done", data={"done": "1"})
    assert db.session.get(Task, task.id).done is True
    client.post(f"/campaigns/{project.id}/milestones/tasks/{task.id}/delete")
    assert db.session.query(Task).count() == 0


def test_move_buttons_reorder_the_roadmap(make_project, people, login):
    project = make_project()
    second = project.milestones[1]
    login(people["pm"]).post(f"/campaigns/{project.id}/milestones/{second.id}/move", data={"direction": "up"})
    assert db.session.get(Milestone, second.id).position == 0


def test_another_campaigns_milestones_and_tasks_are_not_found(make_project, people, login):
    mine = make_project(title="Mine")
    other = make_project(title="Other", owner=people["sales2"])
    foreign = other.milestones[0]
    client = login(people["sales"])  # owns "Mine", not "Other"
    assert client.get(f"/campaigns/{mine.id}/milestones/{foreign.id}/edit").status_code == 404
    assert client.post(f"/campaigns/{mine.id}/milestones/{foreign.id}/transition", data={"event": "complete"}).status_code == 404
