"""Campaign pages: launching from a template, seeing only one's own campaigns, editing safely."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from app.audit import services as audit
from app.audit.models import AuditEvent
from app.core import clock
from app.extensions import db
from app.projects.models import Project
from tests.factories import RegionFactory


def test_sales_manager_launches_an_upgrade_campaign_from_its_template(people, login):
    region = RegionFactory(name="Southern Europe")
    client = login(people["sales"])
    page = client.get("/campaigns/new/upgrade_campaign")
    assert page.status_code == 200
    assert b"Current customers on the new tier" in page.data  # the template's goal metric is prefilled

    start = date(2027, 1, 4)
    response = client.post("/campaigns/new/upgrade_campaign", data={
        "title": "Acme Pro upgrade",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=730)).isoformat(),
        "goal_metric": "Current customers on the new tier",
        "goal_unit": "%",
        "goal_baseline": "0",
        "goal_target": "50",
        "budget": "120000",
        "currency": "EUR",
        "region_ids": [str(region.id)],
        "project_manager_id": str(people["pm"].id),
        "product_manager_ids": [str(people["product"].id)],
    })
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.title == "Acme Pro upgrade"))
    assert project is not None and project.state == "draft"
    dues = [(m.title, m.due_date, m.target_value) for m in project.milestones]
    assert dues[0] == ("Upgrade offer and price band agreed with product", start + timedelta(weeks=2), None)
    assert dues[-2][1:] == (date(2028, 1, 4), 30.0)  # 30% at month 12
    assert dues[-1][1:] == (date(2029, 1, 4), 50.0)  # 50% at month 24
    assert {m.user_id for m in project.memberships} == {people["sales"].id, people["pm"].id, people["product"].id}
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.project_id == project.id)) == "project.created"

    shown = client.get(response.headers["Location"])
    assert b"12-week email series launched" in shown.data


def test_people_outside_a_campaign_get_404_everywhere(make_project, people, login):
    project = make_project()
    outsider = login(people["outsider"])
    milestone = project.milestones[0]
    for url in (
        f"/campaigns/{project.id}",
        f"/campaigns/{project.id}/edit",
        f"/campaigns/{project.id}/milestones/{milestone.id}/edit",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/campaigns/{project.id}/transition", data={"event": "submit"}).status_code == 404
    assert b"Upgrade campaign" not in outsider.get("/campaigns/").data
    assert login(people["admin"]).get(f"/campaigns/{project.id}").status_code == 200


def test_the_campaign_list_pages_by_end_date_with_a_way_back_to_the_first_page(make_project, people, login):
    today = clock.today()
    for n, months in enumerate((3, 1, 2)):
        make_project(title=f"Campaign {n}", end_date=today + timedelta(days=30 * months))
    open_ended = make_project(title="Open-ended")
    db.session.execute(sa.update(Project).where(Project.id == open_ended.id).values(end_date=None))  # as the schema allows
    db.session.commit()
    client = login(people["admin"])

    first = client.get("/campaigns/?limit=2").get_data(as_text=True)
    assert first.index("Campaign 1") < first.index("Campaign 2") and "Campaign 0" not in first
    assert "← First page" not in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert second.index("Campaign 0") < second.index("Open-ended")  # no end date: last
    assert "Campaign 1" not in second and 'rel="next"' not in second and "← First page" in second


def test_the_campaign_page_shows_the_latest_history_and_links_the_whole_of_it(make_project, people, login, clock):
    project = make_project()
    for n in range(31):
        clock.advance(minutes=1)
        audit.record(people["pm"], "project.noted", f"Note {n:02}", entity="project", entity_id=project.id,
                     project_id=project.id)
    db.session.commit()
    client = login(people["pm"])
    page = client.get(f"/campaigns/{project.id}").get_data(as_text=True)
    assert "Full history →" in page and "Note 30" in page

    html = client.get(f"/campaigns/{project.id}/history?limit=20").get_data(as_text=True)
    assert "Note 30" in html and "Note 11" in html and "Note 10" not in html
    rest = client.get(re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Note 10" in rest and "Note 00" in rest and 'rel="next"' not in rest and "← First page" in rest
    assert login(people["outsider"]).get(f"/campaigns/{project.id}/history").status_code == 404


def test_each_open_milestone_offers_the_campaigns_people_as_assignees_of_a_new_task(make_project, people, login):
    project = make_project(state="active")
    page = login(people["pm"]).get(f"/campaigns/{project.id}").get_data(as_text=True)

    open_milestones = [m for m in project.milestones if m.state == "open"]
    assert open_milestones
    for milestone in open_milestones:
        select = re.search(rf'<select name="assignee_id" id="assignee-{milestone.id}"[^>]*>(.*?)</select>', page, re.S)
        assert select, f"no assignee picker for {milestone.title}"
        options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', select.group(1))
        assert options[0] == ("", "— nobody —")
        assert {int(value) for value, _label in options[1:]} == {m.user_id for m in project.memberships}
        assert (str(people["team"].id), "Tara Teammate") in options
