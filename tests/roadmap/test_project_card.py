"""The campaign page's timeline card: the picture, the choice of baseline, the comparison with it."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.roadmap import services


def planned_with_a_move(make_project, people):
    """A planned campaign (baseline #1 taken) whose second milestone then slipped 14 days."""
    project = make_project(state="planned", title="Acme Pro upgrade")
    milestone = project.milestones[1]
    edit = services.MilestoneEdit(milestone.id, milestone.due_date + timedelta(days=14), milestone.target_value,
                                  milestone.version)
    services.replan(people["pm"], project, [edit], "Pilot customer asked for two more weeks")
    db.session.commit()
    return project, milestone


def card(html: str) -> str:
    match = re.search(r'<section class="card timeline-card" id="timeline">.*?</section>', html, re.S)
    assert match, "no timeline card on the page"
    return match.group(0)


def selected(html: str) -> str:
    match = re.search(r'<option value="(\d+)" selected>', card(html))
    assert match, "no baseline chosen"
    return match.group(1)


def test_the_campaign_page_shows_the_timeline_and_the_comparison(make_project, people, login):
    project, milestone = planned_with_a_move(make_project, people)
    html = login(people["pm"]).get(f"/campaigns/{project.id}").get_data(as_text=True)
    shown = card(html)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in shown and 'class="tl-ghost"' in shown
    assert "#1 Plan of record, taken" in shown and "by Priya Planner" in shown
    summary = re.sub(r"\s+", " ", re.search(r'<p class="timeline-summary">(.*?)</p>', shown, re.S).group(1))
    assert "End date:</strong> unchanged against #1 Plan of record · 1 moved, 0 added, 0 removed" in summary
    assert milestone.title in shown and "+14 days later" in shown
    assert f'href="/campaigns/{project.id}/timeline.svg?baseline=1"' in shown
    assert f'action="/campaigns/{project.id}/baselines"' in shown and 'name="csrf_token"' in shown
    # The card follows the roadmap card.
    assert html.index('id="roadmap"') < html.index('id="timeline"')


def test_a_later_baseline_is_compared_by_default_and_any_can_be_chosen(make_project, people, login):
    project, _ = planned_with_a_move(make_project, people)
    services.take_baseline(people["pm"], project, "Q3 re-plan")
    client = login(people["pm"])

    latest = client.get(f"/campaigns/{project.id}").get_data(as_text=True)
    assert selected(latest) == "2"
    assert "0 moved, 0 added, 0 removed" in card(latest) and 'class="tl-ghost"' not in card(latest)

    first = client.get(f"/campaigns/{project.id}?baseline=1").get_data(as_text=True)
    assert selected(first) == "1" and "1 moved" in card(first)

    chosen = client.get(f"/campaigns/{project.id}?baseline=2").get_data(as_text=True)
    assert selected(chosen) == "2" and "against #2 Q3 re-plan" in card(chosen)
    assert f"/campaigns/{project.id}/timeline.svg?baseline=2" in card(chosen)


def test_a_baseline_that_is_not_a_number_or_does_not_exist_falls_back_to_the_latest(make_project, people, login):
    project, _ = planned_with_a_move(make_project, people)
    services.take_baseline(people["pm"], project, "Q3 re-plan")
    client = login(people["pm"])
    for value in ("x", "99", ""):
        response = client.get(f"/campaigns/{project.id}?baseline={value}")
        assert response.status_code == 200
        assert selected(response.get_data(as_text=True)) == "2", value


def test_a_draft_campaign_shows_its_plan_and_says_when_baseline_1_comes(make_project, people, login):
    project = make_project()
    shown = card(login(people["sales"]).get(f"/campaigns/{project.id}").get_data(as_text=True))
    assert "<svg" in shown and "tl-ghost" not in shown
    assert "Baseline 1 is taken when the campaign is planned." in shown
    assert "<select" not in shown and "timeline-summary" not in shown
    assert "/baselines" not in shown  # no baseline before planning
    assert f'href="/campaigns/{project.id}/timeline.svg"' in shown


def test_only_editors_may_take_a_baseline(make_project, people, login):
    project, _ = planned_with_a_move(make_project, people)
    shown = card(login(people["team"]).get(f"/campaigns/{project.id}").get_data(as_text=True))
    assert "1 moved" in shown and "Download SVG" in shown
    assert "/baselines" not in shown
