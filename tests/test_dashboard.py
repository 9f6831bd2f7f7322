"""The dashboard shows my campaigns, my overdue work and what is coming up."""

from __future__ import annotations

from datetime import date, timedelta

from app.dashboard.services import build
from app.milestones.services import TaskInput, create_task
from app.projects.services import report_actual


def test_my_campaigns_with_progress_and_next_deadline(make_project, people):
    project = make_project(state="active", start=date.today() - timedelta(days=400))
    report_actual(people["sales"], project, 20.0, date.today() - timedelta(days=5))
    board = build(people["team"], date.today())
    [row] = board.campaigns
    assert row.project.id == project.id and row.my_role == "Member"
    assert row.progress.percent == 40.0 and row.progress.status == "behind"
    assert row.next_milestone is not None


def test_overdue_milestones_go_to_their_leads_and_overdue_tasks_to_their_assignees(make_project, people):
    project = make_project(state="active", start=date.today() - timedelta(days=60))
    overdue = [m for m in project.milestones if m.due_date < date.today()]
    assert overdue
    task = create_task(people["pm"], project.milestones[-1],
                       TaskInput("Late call", assignee_id=people["team"].id, due_date=date.today() - timedelta(days=2)))
    pm_board = build(people["pm"], date.today())
    team_board = build(people["team"], date.today())
    assert {m.id for m in pm_board.overdue_milestones} == {m.id for m in overdue}
    assert team_board.overdue_milestones == []  # not theirs to chase
    assert [t.id for t in team_board.overdue_tasks] == [task.id]
    assert build(people["outsider"], date.today()).campaigns == []


def test_closed_campaigns_leave_the_dashboard(make_project, people):
    project = make_project(state="active")
    from app.projects.services import fire_transition

    fire_transition(people["pm"], project, "cancel", "Lost the budget")
    assert build(people["pm"], date.today()).campaigns == []


def test_dashboard_page_renders_for_every_role(make_project, people, login):
    make_project(state="active", start=date.today() - timedelta(days=60))
    for key in ("admin", "sales", "pm", "product", "team", "outsider"):
        page = login(people[key]).get("/")
        assert page.status_code == 200, key
    assert b"Upgrade campaign" in login(people["team"]).get("/").data
    assert b"Upgrade campaign" not in login(people["outsider"]).get("/").data
