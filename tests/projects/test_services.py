"""Campaign services: who may launch, validation, lifecycle, audit, optimistic locking."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import InvalidInput, ServiceError, StaleEdit, TransitionRefused
from app.extensions import db
from app.projects import services
from app.projects.models import Project, ProjectRole
from tests.factories import RegionFactory


def _input(people, **overrides):
    fields = dict(
        title="Quota push", start_date=date(2027, 1, 1), end_date=date(2027, 7, 1),
        goal_metric="Revenue growth", goal_unit="%", goal_baseline=0.0, goal_target=20.0,
        project_manager_id=people["pm"].id,
    )
    fields.update(overrides)
    return services.ProjectInput(**fields)


@pytest.mark.parametrize("role", ["team", "product"])
def test_only_sales_project_managers_and_admins_launch_campaigns(people, role):
    with pytest.raises(ServiceError):
        services.launch_project(people[role], _input(people), None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_launch_validates_every_field_and_writes_nothing_when_bad(people):
    inactive = RegionFactory(active=False)
    bad = _input(
        people, title=" ", end_date=date(2026, 12, 1), goal_target=0.0, budget=Decimal("-1"),
        project_manager_id=people["sales"].id, product_manager_ids=[people["team"].id], region_ids=[inactive.id],
    )
    with pytest.raises(InvalidInput) as error:
        services.launch_project(people["sales"], bad, None)
    assert set(error.value.fields) == {
        "title", "end_date", "goal_target", "budget", "project_manager_id", "product_manager_ids", "region_ids",
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0


def test_blank_campaign_has_no_milestones_and_members_follow_the_roles(people):
    project = services.launch_project(
        people["sales"], _input(people, member_ids=[people["team"].id], product_manager_ids=[people["product"].id]), None
    )
    assert project.milestones == []
    roles = {m.user_id: m.role for m in project.memberships}
    assert roles == {
        people["sales"].id: ProjectRole.OWNER,
        people["pm"].id: ProjectRole.PROJECT_MANAGER,
        people["product"].id: ProjectRole.PRODUCT_MANAGER,
        people["team"].id: ProjectRole.MEMBER,
    }


def test_full_lifecycle_records_every_transition_and_the_measured_outcome(make_project, people):
    project = make_project(state="active")
    services.report_actual(people["sales"], project, 31.0, clock.today(), "CRM")
    services.fire_transition(people["pm"], project, "complete")
    assert project.state == "completed"
    assert project.outcome == "partial"  # 31 of 50
    trail = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.from_state, AuditEvent.to_state)
        .where(AuditEvent.project_id == project.id, AuditEvent.action.like("project.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(row) for row in trail] == [
        ("project.created", None, "draft"),
        ("project.submit", "draft", "proposed"),
        ("project.plan", "proposed", "planned"),
        ("project.launch", "planned", "active"),
        ("project.complete", "active", "completed"),
    ]


def test_a_refused_transition_says_why_and_changes_nothing(people):
    project = services.launch_project(people["sales"], _input(people, project_manager_id=None), None)
    with pytest.raises(TransitionRefused) as refused:
        services.fire_transition(people["sales"], project, "submit")
    assert refused.value.reasons == ["Add at least one milestone."]
    assert project.state == "draft"
    with pytest.raises(TransitionRefused) as refused:
        services.fire_transition(people["pm"], project, "plan")
    assert "cannot be planned" in refused.value.reasons[0]


def test_cancel_needs_a_reason_and_keeps_it(make_project, people):
    project = make_project(state="planned")
    with pytest.raises(TransitionRefused) as refused:
        services.fire_transition(people["pm"], project, "cancel", "  ")
    assert refused.value.reasons == ["Cancel: a reason is required."]
    services.fire_transition(people["pm"], project, "cancel", "Customer budget frozen")
    assert (project.state, project.state_note) == ("cancelled", "Customer budget frozen")


def test_update_refuses_an_edit_made_on_an_old_version(make_project, people):
    project = make_project()
    services.update_project(people["pm"], project, _input(people, title="First edit"), project.version)
    db.session.commit()
    with pytest.raises(StaleEdit):
        services.update_project(people["sales"], project, _input(people, title="Lost edit"), project.version - 1)
    assert project.title == "First edit"


def test_two_sessions_saving_the_same_campaign_conflict_instead_of_overwriting(make_project):
    project_id = make_project().id
    with Session(db.engine) as first, Session(db.engine) as second:
        mine, theirs = first.get(Project, project_id), second.get(Project, project_id)
        mine.title, theirs.title = "Mine", "Theirs"
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    assert db.session.get(Project, project_id).title == "Mine"


def test_edits_are_audited_with_old_and_new_values(make_project, people):
    project = make_project()
    services.update_project(people["pm"], project, _input(people, title="Renamed", goal_target=40.0), project.version)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project.updated"))
    assert event.details["changes"]["title"][1] == "Renamed"
    assert event.details["changes"]["goal_target"] == [50.0, 40.0]


def test_actuals_cannot_be_from_the_future_or_by_outsiders(make_project, people):
    project = make_project(state="active")
    with pytest.raises(InvalidInput):
        services.report_actual(people["pm"], project, 1.0, clock.today() + timedelta(days=1))
    with pytest.raises(ServiceError):
        services.report_actual(people["outsider"], project, 1.0, clock.today())
    with pytest.raises(ServiceError):  # a plain team member reads, but does not report
        services.report_actual(people["team"], project, 1.0, clock.today())
    assert project.actuals == []


def test_members_can_be_added_and_removed_but_not_the_leads(make_project, people):
    project = make_project()
    services.add_member(people["pm"], project, people["outsider"], ProjectRole.MEMBER)
    with pytest.raises(InvalidInput):
        services.add_member(people["pm"], project, people["outsider"], ProjectRole.MEMBER)
    with pytest.raises(InvalidInput):  # only product managers join as product managers
        services.add_member(people["pm"], project, people["sales2"], ProjectRole.PRODUCT_MANAGER)
    with pytest.raises(InvalidInput):
        services.remove_member(people["admin"], project, people["pm"])
    with pytest.raises(ServiceError):
        services.add_member(people["team"], project, people["sales2"], ProjectRole.MEMBER)
    services.remove_member(people["pm"], project, people["outsider"])
    assert people["outsider"].id not in {m.user_id for m in project.memberships}
