"""Roadmap pages: re-plans with a warning before saving, the change log and its CSV, baselines,
the timeline download, and removing a milestone with a reason."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.commitments import services as commitments
from app.commitments.models import Commitment
from app.commitments.services import CommitmentInput
from app.core import clock
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.models import Milestone
from app.roadmap import services
from app.roadmap.models import Baseline, Replan, RoadmapChange


@pytest.fixture
def world(make_project, make_product, people):
    """An active campaign whose last milestone delivers a countersigned promise (10 days of slack)."""
    project = make_project(state="active", title="Acme Pro upgrade")
    region = project.regions[0]
    product = make_product(coverage={region: "sellable"})
    first, last = project.milestones[-2], project.milestones[-1]
    commitment = commitments.create_commitment(people["sales"], project, CommitmentInput(
        customer="Acme Retail", product_id=product.id, region_id=region.id, promise="SSO for 500 seats",
        promised_date=last.due_date + timedelta(days=10), unit_price=Decimal("90.00"), quantity=500,
        band_id=product.bands[0].id, milestone_id=last.id,
    ))
    commitments.fire(people["sales"], commitment, "submit")
    commitments.fire(people["product"], commitment, "approve")
    db.session.commit()
    return {"project": project, "first": first, "last": last, "commitment": commitment}


def text(response) -> str:
    return response.get_data(as_text=True)


def replan_data(project, moves: dict[int, date] | None = None, targets: dict[int, float | None] | None = None,
                reason: str = "", action: str = "save", **extra: str) -> dict[str, str]:
    """The re-plan form as the browser posts it: every open milestone, some of them changed."""
    data = {"reason": reason, "action": action}
    for m in project.milestones:
        if m.state != "open":
            continue
        due = (moves or {}).get(m.id, m.due_date)
        target = (targets or {}).get(m.id, m.target_value)
        data[f"due_{m.id}"] = due.isoformat()
        data[f"target_{m.id}"] = "" if target is None else f"{target:g}"
        data[f"version_{m.id}"] = str(m.version)
    data.update(extra)
    return data


def replans(project) -> list[Replan]:
    return list(db.session.scalars(sa.select(Replan).where(Replan.project_id == project.id)))


# --- re-plan ---------------------------------------------------------------------------------

def test_the_preview_warns_which_commitments_would_be_at_risk_and_saves_nothing(world, people, login):
    project, first, last = world["project"], world["first"], world["last"]
    pm = login(people["pm"])
    url = f"/campaigns/{project.id}/replan"
    page = pm.get(url)
    assert page.status_code == 200
    assert "Check what this puts at risk" in text(page) and "Save re-plan" in text(page)
    old_last = last.due_date
    new_last = old_last + timedelta(days=45)
    response = pm.post(url, data=replan_data(project, {last.id: new_last, first.id: first.due_date + timedelta(days=7)},
                                             {first.id: 35.0}, action="preview"))
    shown = text(response)
    assert response.status_code == 200
    assert "What this re-plan changes" in shown
    assert "+45 days" in shown and "+7 days" in shown and "Target changed" in shown
    assert "1 countersigned commitment would become at risk" in shown
    assert "Acme Retail" in shown and "Northwind Pro" in shown
    assert world["commitment"].promised_date.strftime("%d %b %Y") in shown and new_last.strftime("%d %b %Y") in shown
    assert "35 days late" in shown
    # Nothing saved: same dates, no re-plan, the commitment still countersigned.
    db.session.refresh(last)
    assert last.due_date == old_last and replans(project) == []
    assert db.session.get(Commitment, world["commitment"].id).state == "approved"
    # The inputs keep what was typed, so the editor can save it next.
    assert f'value="{new_last.isoformat()}"' in shown


def test_the_preview_says_so_when_nothing_is_at_risk(world, people, login):
    project, first = world["project"], world["first"]
    response = login(people["pm"]).post(f"/campaigns/{project.id}/replan", data=replan_data(
        project, {first.id: first.due_date - timedelta(days=3)}, action="preview"))
    assert "No countersigned commitment would be put at risk" in text(response)
    assert "−3 days" in text(response) or "&minus;3 days" in text(response)


def test_saving_a_replan_records_the_changes_moves_the_dates_and_flags_the_commitment(world, people, login):
    project, first, last = world["project"], world["first"], world["last"]
    old_first, old_last, old_target = first.due_date, last.due_date, first.target_value
    pm = login(people["pm"])
    response = pm.post(f"/campaigns/{project.id}/replan", data=replan_data(
        project, {first.id: old_first + timedelta(days=14), last.id: old_last + timedelta(days=30)},
        {first.id: 25.0}, reason="The vendor delayed the SSO module"))
    assert response.status_code == 302 and response.location.endswith(f"/campaigns/{project.id}#roadmap")
    [record] = replans(project)
    assert record.reason == "The vendor delayed the SSO module" and record.author_id == people["pm"].id
    assert [(c.milestone_title, c.kind, c.old_value, c.new_value, c.slip_days) for c in record.changes] == [
        (first.title, "moved", old_first.isoformat(), (old_first + timedelta(days=14)).isoformat(), 14),
        (first.title, "target", f"{old_target:g}", "25", None),
        (last.title, "moved", old_last.isoformat(), (old_last + timedelta(days=30)).isoformat(), 30),
    ]
    db.session.refresh(first)
    db.session.refresh(last)
    assert (first.due_date, first.target_value) == (old_first + timedelta(days=14), 25.0)
    assert last.due_date == old_last + timedelta(days=30)
    assert db.session.get(Commitment, world["commitment"].id).state == "at_risk"
    flashed = text(pm.get(response.location))
    assert "Re-plan saved: 3 changes" in flashed and "1 countersigned commitment is now at risk: Acme Retail" in flashed


def test_a_planned_campaign_needs_a_reason_and_saves_nothing_without_one(make_project, people, login):
    project = make_project(state="planned")
    milestone = project.milestones[0]
    old = milestone.due_date
    response = login(people["pm"]).post(f"/campaigns/{project.id}/replan", data=replan_data(
        project, {milestone.id: old + timedelta(days=5)}, reason="   "))
    assert response.status_code == 200
    assert "Every re-plan needs a reason" in text(response)
    db.session.refresh(milestone)
    assert milestone.due_date == old and replans(project) == []


def test_before_planning_the_reason_is_optional_and_the_page_says_so(make_project, people, login):
    project = make_project(state="draft")
    milestone = project.milestones[0]
    owner = login(people["sales"])
    page = text(owner.get(f"/campaigns/{project.id}/replan"))
    assert "until it is planned, the reason is optional" in page
    moved_to = milestone.due_date + timedelta(days=2)
    response = owner.post(f"/campaigns/{project.id}/replan", data=replan_data(project, {milestone.id: moved_to}))
    assert response.status_code == 302
    db.session.refresh(milestone)
    assert milestone.due_date == moved_to


def test_a_stale_version_shows_the_conflict_and_saves_nothing(world, people, login):
    project, first = world["project"], world["first"]
    form = replan_data(project, {first.id: first.due_date + timedelta(days=9)}, reason="Slipped")
    # Someone else moves the milestone after the form was opened.
    milestones.update_milestone(people["admin"], first, milestones.MilestoneInput(
        title=first.title, due_date=first.due_date + timedelta(days=1), target_value=first.target_value,
    ), first.version, reason="Admin fix")
    db.session.commit()
    moved_to = first.due_date
    response = login(people["pm"]).post(f"/campaigns/{project.id}/replan", data=form)
    assert response.status_code == 200
    assert "changed by someone else after you opened it" in text(response)
    db.session.refresh(first)
    assert first.due_date == moved_to and len(replans(project)) == 1  # only the admin's own re-plan


def test_bad_dates_and_numbers_are_field_errors_and_save_nothing(world, people, login):
    project, first, last = world["project"], world["first"], world["last"]
    data = replan_data(project, reason="Typo")
    data[f"due_{first.id}"] = "2025-02-30"
    data[f"target_{last.id}"] = "Infinity"
    response = login(people["pm"]).post(f"/campaigns/{project.id}/replan", data=data)
    assert response.status_code == 200
    assert "Not a valid date value" in text(response) and "Enter a finite number" in text(response)
    early = replan_data(project, {first.id: project.start_date - timedelta(days=1)}, reason="Too early")
    response = login(people["pm"]).post(f"/campaigns/{project.id}/replan", data=early)
    assert "on or after the campaign start" in text(response)
    assert replans(project) == []


def test_a_team_member_cannot_replan_but_reads_the_change_log(world, people, login):
    project = world["project"]
    team = login(people["team"])
    assert team.get(f"/campaigns/{project.id}/replan").status_code == 404
    assert team.post(f"/campaigns/{project.id}/replan", data=replan_data(project, reason="x")).status_code == 404
    assert team.get(f"/campaigns/{project.id}/changes").status_code == 200
    assert team.get(f"/campaigns/{project.id}/changes.csv").status_code == 200
    roadmap = text(team.get(f"/campaigns/{project.id}"))
    assert f"/campaigns/{project.id}/changes" in roadmap and f"/campaigns/{project.id}/replan" not in roadmap
    assert "Remove…" not in roadmap
    editor = text(login(people["pm"]).get(f"/campaigns/{project.id}"))
    assert f"/campaigns/{project.id}/replan" in editor and "Remove…" in editor


def test_outsiders_get_404_everywhere(world, people, login):
    project, first = world["project"], world["first"]
    outsider = login(people["outsider"])
    base = f"/campaigns/{project.id}"
    for url in ("/replan", "/changes", "/changes.csv", "/timeline.svg"):
        assert outsider.get(base + url).status_code == 404, url
    assert outsider.post(base + "/replan", data=replan_data(project, reason="x")).status_code == 404
    assert outsider.post(base + "/baselines", data={"name": "Mine"}).status_code == 404
    assert outsider.post(f"{base}/milestones/{first.id}/delete", data={"reason": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Baseline)) == 1  # the plan of record only


# --- change log ------------------------------------------------------------------------------

@pytest.fixture
def logged(world, people):
    """Two re-plans: the first moves both milestones, the second only the first one."""
    project, first, last = world["project"], world["first"], world["last"]
    services.replan(people["pm"], project, [
        services.MilestoneEdit(first.id, first.due_date + timedelta(days=10), first.target_value, first.version),
        services.MilestoneEdit(last.id, last.due_date - timedelta(days=4), last.target_value, last.version),
    ], "Vendor slipped")
    db.session.commit()
    services.replan(people["admin"], project, [
        services.MilestoneEdit(first.id, first.due_date + timedelta(days=3), first.target_value, first.version),
    ], "=HYPERLINK(\"http://evil.example\")")
    db.session.commit()
    return world


def test_the_change_log_lists_replans_newest_first_and_filters_by_milestone(logged, people, login):
    project, first, last = logged["project"], logged["first"], logged["last"]
    team = login(people["team"])
    page = text(team.get(f"/campaigns/{project.id}/changes"))
    assert page.index("HYPERLINK") < page.index("Vendor slipped")  # newest first
    assert "+10 days" in page and "&minus;4 days" in page and "+3 days" in page
    assert "slip-later" in page and "slip-earlier" in page and "Date moved" in page
    assert people["pm"].name in page and people["admin"].name in page
    only_last = text(team.get(f"/campaigns/{project.id}/changes?milestone={last.uuid}"))
    assert "Vendor slipped" in only_last and "HYPERLINK" not in only_last
    assert f'<option value="{last.uuid}" selected>' in only_last
    only_first = text(team.get(f"/campaigns/{project.id}/changes?milestone={first.uuid}"))
    assert "Vendor slipped" in only_first and "HYPERLINK" in only_first
    bad = team.get(f"/campaigns/{project.id}/changes?milestone=not-a-uuid")
    assert bad.status_code == 200 and "not on this roadmap" in text(bad)


def test_removed_milestones_stay_in_the_filter(world, people, login):
    project = world["project"]
    doomed = project.milestones[0]
    title, key = doomed.title, doomed.uuid
    pm = login(people["pm"])
    pm.post(f"/campaigns/{project.id}/milestones/{doomed.id}/delete", data={"reason": "Merged into kickoff"})
    page = text(pm.get(f"/campaigns/{project.id}/changes?milestone={key}"))
    assert f'<option value="{key}" selected>{title} (removed)</option>' in page
    assert "Merged into kickoff" in page and "Removed" in page


def test_the_csv_export_has_every_change_its_headers_and_no_formulas(logged, people, login):
    project, first, last = logged["project"], logged["first"], logged["last"]
    team = login(people["team"])
    response = team.get(f"/campaigns/{project.id}/changes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="acme-pro-upgrade-roadmap-changes.csv"'
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows[0] == ["when", "author", "reason", "milestone", "change", "old", "new", "slip_days"]
    newest, *older = rows[1:]
    assert newest[1:] == [people["admin"].name, "'=HYPERLINK(\"http://evil.example\")", first.title, "moved",
                          (first.due_date - timedelta(days=3)).isoformat(), first.due_date.isoformat(), "3"]
    assert newest[0].endswith("Z") and date.fromisoformat(newest[0][:10]) == clock.today()
    assert [(r[2], r[3], r[7]) for r in older] == [("Vendor slipped", first.title, "10"),
                                                   ("Vendor slipped", last.title, "-4")]
    filtered = list(csv.reader(io.StringIO(text(team.get(f"/campaigns/{project.id}/changes.csv?milestone={last.uuid}")))))
    assert [(r[3], r[7]) for r in filtered[1:]] == [(last.title, "-4")]
    assert team.get(f"/campaigns/{project.id}/changes.csv?milestone=nope").status_code == 404


def test_csv_cells_that_look_like_formulas_are_quoted(world, people, login):
    project, first = world["project"], world["first"]
    for reason in ("+SUM(A1)", "-2+3", "@cmd", "=1"):
        services.replan(people["pm"], project, [services.MilestoneEdit(
            first.id, first.due_date + timedelta(days=1), first.target_value, first.version)], reason)
        db.session.commit()
    rows = list(csv.reader(io.StringIO(text(login(people["pm"]).get(f"/campaigns/{project.id}/changes.csv")))))
    assert sorted(r[2] for r in rows[1:]) == sorted(["'+SUM(A1)", "'-2+3", "'@cmd", "'=1"])


# --- baselines, the timeline --------------------------------------------------------------

def test_an_editor_takes_a_baseline(world, people, login):
    project = world["project"]
    pm = login(people["pm"])
    response = pm.post(f"/campaigns/{project.id}/baselines", data={"name": "Q3 re-plan"})
    assert response.status_code == 302 and response.location.endswith(f"/campaigns/{project.id}#timeline")
    numbers = [(b.number, b.name) for b in services.baselines(project)]
    assert numbers == [(1, "Plan of record"), (2, "Q3 re-plan")]
    assert "Baseline #2 Q3 re-plan taken" in text(pm.get(response.location))
    unnamed = pm.post(f"/campaigns/{project.id}/baselines", data={"name": "  "}, follow_redirects=True)
    assert "Name the baseline." in text(unnamed)
    team = login(people["team"])
    refused = team.post(f"/campaigns/{project.id}/baselines", data={"name": "Mine"}, follow_redirects=True)
    assert "project manager or an admin can change its plan" in text(refused)
    assert len(services.baselines(project)) == 2


# --- removing a milestone ------------------------------------------------------------------

def test_removing_a_milestone_needs_a_reason_and_is_refused_when_a_commitment_depends_on_it(world, people, login):
    project, first, last = world["project"], world["first"], world["last"]
    first_id, first_title = first.id, first.title
    pm = login(people["pm"])
    url = f"/campaigns/{project.id}/milestones/{first.id}/delete"
    refused = pm.post(url, data={"reason": ""}, follow_redirects=True)
    assert "Say why the roadmap changes" in text(refused)
    assert db.session.get(Milestone, first.id) is not None
    depended = pm.post(f"/campaigns/{project.id}/milestones/{last.id}/delete", data={"reason": "Dropped"},
                       follow_redirects=True)
    assert "1 commitment depends on" in text(depended) and "cancel the milestone instead" in text(depended)
    assert db.session.get(Milestone, last.id) is not None
    removed = pm.post(url, data={"reason": "Merged into the launch"})
    assert removed.status_code == 302 and removed.location.endswith("#roadmap")
    assert db.session.get(Milestone, first_id) is None
    change = db.session.scalar(sa.select(RoadmapChange).where(RoadmapChange.kind == "removed"))
    assert (change.milestone_title, change.replan.reason) == (first_title, "Merged into the launch")
    assert pm.post(f"/campaigns/{project.id}/milestones/999999/delete", data={"reason": "x"}).status_code == 404


def test_the_timeline_downloads_as_svg(world, people, login):
    project = world["project"]
    team = login(people["team"])
    response = team.get(f"/campaigns/{project.id}/timeline.svg?baseline=1")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="acme-pro-upgrade-timeline.svg"'
    assert text(response).lstrip().startswith(("<svg", "<?xml"))
    assert team.get(f"/campaigns/{project.id}/timeline.svg").status_code == 200  # the latest baseline
    assert team.get(f"/campaigns/{project.id}/timeline.svg?baseline=7").status_code == 404
    assert team.get(f"/campaigns/{project.id}/timeline.svg?baseline=99999999999").status_code == 404
    for digits in ("²", "①", "١"):  # digits to str.isdigit(), not ids: once a 500 (issue 15)
        assert team.get(f"/campaigns/{project.id}/timeline.svg?baseline={digits}").status_code == 404


def test_the_preview_names_the_commitments_a_move_back_would_clear(world, people, login):
    project, last = world["project"], world["last"]
    services.replan(people["pm"], project, [services.MilestoneEdit(
        last.id, last.due_date + timedelta(days=30), last.target_value, last.version)], "Slipped")
    db.session.commit()
    assert db.session.get(Commitment, world["commitment"].id).state == "at_risk"
    response = login(people["pm"]).post(f"/campaigns/{project.id}/replan", data=replan_data(
        project, {last.id: last.due_date - timedelta(days=25)}, action="preview"))
    shown = text(response)
    assert "No countersigned commitment would be put at risk" in shown
    assert "1 commitment now at risk would be cleared" in shown and "Acme Retail" in shown
    assert db.session.get(Commitment, world["commitment"].id).state == "at_risk"
