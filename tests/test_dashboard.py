"""The dashboard shows my campaigns, my overdue work and what is coming up."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from app.core import clock
from app.dashboard.services import SHOWN, build
from app.extensions import db
from app.feedback import decisions as feedback_decisions
from app.feedback import services as feedback
from app.milestones.services import TaskInput, create_task
from app.projects.services import report_actual
from app.updates import services as updates


def test_my_campaigns_with_progress_and_next_deadline(make_project, people):
    project = make_project(state="active", start=clock.today() - timedelta(days=400))
    report_actual(people["sales"], project, 20.0, clock.today() - timedelta(days=5))
    board = build(people["team"], clock.today())
    [row] = board.campaigns
    assert row.project.id == project.id and row.my_role == "Member"
    assert row.progress.percent == 40.0 and row.progress.status == "behind"
    assert row.next_milestone is not None


def test_overdue_milestones_go_to_their_leads_and_overdue_tasks_to_their_assignees(make_project, people):
    project = make_project(state="active", start=clock.today() - timedelta(days=60))
    overdue = [m for m in project.milestones if m.due_date < clock.today()]
    assert overdue
    task = create_task(people["pm"], project.milestones[-1],
                       TaskInput("Late call", assignee_id=people["team"].id, due_date=clock.today() - timedelta(days=2)))
    pm_board = build(people["pm"], clock.today())
    team_board = build(people["team"], clock.today())
    assert {m.id for m in pm_board.overdue_milestones} == {m.id for m in overdue}
    assert team_board.overdue_milestones == []  # not theirs to chase
    assert [t.id for t in team_board.overdue_tasks] == [task.id]
    assert build(people["outsider"], clock.today()).campaigns == []


def test_closed_campaigns_leave_the_dashboard(make_project, people):
    project = make_project(state="active")
    from app.projects.services import fire_transition

    fire_transition(people["pm"], project, "cancel", "Lost the budget")
    assert build(people["pm"], clock.today()).campaigns == []


def test_dashboard_page_renders_for_every_role(make_project, people, login):
    make_project(state="active", start=clock.today() - timedelta(days=60))
    for key in ("admin", "sales", "pm", "product", "team", "outsider"):
        page = login(people[key]).get("/")
        assert page.status_code == 200, key
    assert b"Upgrade campaign" in login(people["team"]).get("/").data
    assert b"Upgrade campaign" not in login(people["outsider"]).get("/").data


def test_the_loop_shows_what_waits_for_each_person(login, people, make_product, make_project):
    """A product manager sees the head of their triage queue; a seller the answers to their feedback
    and the updates waiting for their acknowledgement, each with a button."""
    product = make_product()
    region = make_project().regions[0]
    filed = feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="competitor_intel", title="Rival bundles analytics", region_id=region.id, product_ids=[product.id],
    ))
    answered = feedback.file_feedback(people["sales"], feedback.FeedbackInput(
        kind="pricing", title="Too dear for small teams", region_id=region.id, product_ids=[product.id],
    ))
    feedback_decisions.triage(people["product"], answered, "decline", "The band protects partner margins.",
                    reason="Partners serve small teams")
    updates.publish_update(people["product"], updates.UpdateInput(
        product_id=product.id, kind="pricing", title="New Enterprise minimum", requires_ack=True,
    ))
    db.session.commit()

    pm_page = login(people["product"]).get("/").get_data(as_text=True)
    assert "Feedback to triage" in pm_page and filed.title in pm_page
    assert answered.title not in pm_page.split('id="feedback-triage"')[1].split("</section>")[0]  # declined: not open

    seller_page = login(people["sales"]).get("/").get_data(as_text=True)
    assert "Answers to your feedback" in seller_page and "The band protects partner margins." in seller_page
    assert "Product updates to acknowledge" in seller_page and "New Enterprise minimum" in seller_page
    assert "Feedback to triage" not in seller_page

    team_page = login(people["team"]).get("/").get_data(as_text=True)
    assert "Answers to your feedback" not in team_page and "Product updates to acknowledge" not in team_page


def test_the_triage_card_shows_the_head_of_the_queue_and_counts_all_of_it(people, make_product, make_project):
    product = make_product()
    region = make_project().regions[0]
    for n in range(7):
        feedback.file_feedback(people["sales"], feedback.FeedbackInput(
            kind="feature_request", title=f"Request {n}", region_id=region.id, product_ids=[product.id],
            revenue_at_stake=Decimal(1000 * n),
        ))
    db.session.commit()
    board = build(people["product"], clock.today())
    assert board.triage_count == 7
    assert [f.title for f in board.triage] == [f"Request {n}" for n in (6, 5, 4, 3, 2)]  # the heaviest first
    assert build(people["sales"], clock.today()).triage_count == 0


def test_each_card_shows_the_head_of_its_list_and_my_work_pages_through_all_of_it(make_project, people, login):
    for n in range(12):  # twelve campaigns a month from their start: each has overdue milestones
        make_project(title=f"Campaign {n:02}", state="active", start=clock.today() - timedelta(days=60 + n))
    board = build(people["pm"], clock.today())
    assert len(board.campaigns) == SHOWN and board.campaign_count == 12
    assert len(board.overdue_milestones) == SHOWN and board.overdue_milestone_count > SHOWN

    client = login(people["pm"])
    page = client.get("/").get_data(as_text=True)
    assert "12 open campaigns" in page and "All 12 open campaigns →" in page
    assert f"All {board.overdue_milestone_count} overdue milestones →" in page
    assert page.count('href="/campaigns/') - page.count('href="/campaigns/new') >= SHOWN

    seen: list[str] = []
    url = "/my-work/overdue?limit=7"
    while url:
        html = client.get(url).get_data(as_text=True)
        assert 'aria-current="page">Overdue milestones<' in html
        seen += re.findall(r'#milestone-(\d+)"', html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = found and found.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == board.overdue_milestone_count


def test_my_work_offers_only_the_lists_a_person_has(people, login):
    assert login(people["team"]).get("/my-work/signoff").status_code == 404  # only product managers countersign
    assert login(people["team"]).get("/my-work/nonsense").status_code == 404
    html = login(people["product"]).get("/my-work/signoff").get_data(as_text=True)
    assert "Nothing waits for your countersignature." in html
    assert login(people["sales"]).get("/my-work/commitments").status_code == 200
