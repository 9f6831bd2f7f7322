"""Campaign rules: launching from a template, editing, lifecycle, actuals and spend.

Services check permissions on the record, change state, write the audit event and
flush; the request commits once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Role, User
from app.audit import services as audit
from app.core import clock, events, values
from app.core.errors import InvalidInput, NotAllowed, StaleEdit, TransitionRefused
from app.core.models import touch
from app.core.pagination import FIRST_PAGE, Page, PageRequest, asc, paginate
from app.core.text import date_label
from app.events import CampaignCreated, CampaignStateChanged
from app.extensions import db
from app.projects.access import require_editor, require_reporter, roles_in
from app.projects.models import Expense, GoalActual, Project, ProjectMember, ProjectRole
from app.regions.models import Region
from workflows import goals
from workflows.campaigns import CampaignTemplate, load_templates
from workflows.engine import Decision, Transition
from workflows.milestone import MilestoneState
from workflows.project import PROJECT_WORKFLOW, ProjectFacts

#: Global roles that may start a campaign.
LAUNCHER_ROLES = frozenset({Role.SALES_MANAGER, Role.PROJECT_MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class ProjectInput:
    """Everything a person states about a campaign when launching or editing it."""

    title: str
    start_date: date
    end_date: date
    goal_metric: str
    goal_target: float
    goal_unit: str = ""
    goal_baseline: float = 0.0
    goal_statement: str = ""
    budget: Decimal = Decimal("0")
    currency: str = "EUR"
    region_ids: Sequence[int] = ()
    project_manager_id: int | None = None
    product_manager_ids: Sequence[int] = ()
    member_ids: Sequence[int] = field(default_factory=tuple)


def can_launch(user: User) -> bool:
    return user.role in LAUNCHER_ROLES


def templates() -> list[CampaignTemplate]:
    return list(load_templates().values())


def templates_by_key() -> Mapping[str, CampaignTemplate]:
    return load_templates()


def launch_project(
    actor: User, data: ProjectInput, template: CampaignTemplate | None, cloned_from: Project | None = None
) -> Project:
    """Create a draft campaign, with the template's milestones at their offsets from the start, or
    with the milestones of the campaign it is ``cloned_from`` (milestones' subscriber copies them)."""
    if not can_launch(actor):
        raise NotAllowed("Only sales managers, project managers and admins start campaigns.")
    _validate(data)
    project = Project(owner=actor, state=PROJECT_WORKFLOW.initial, kind=template.key if template else None)
    _apply(project, data)
    db.session.add(project)
    _sync_members(project, data)
    db.session.flush()
    # The template's milestones are added by milestones' subscriber, before the audit counts them.
    events.emit(CampaignCreated(project.id, actor.id, template.key if template else "",
                                cloned_from.id if cloned_from else None))
    if cloned_from is not None:
        source = f"cloned from “{cloned_from.title}” (#{cloned_from.id})"
    else:
        source = f"from the {template.name} template" if template else "as a blank campaign"
    audit.record(
        actor, "project.created", f"Created campaign “{project.title}” {source}",
        entity="project", entity_id=project.id, project_id=project.id, to_state=project.state,
        details={"template": project.kind, "milestones": len(project.milestones),
                 **({"cloned_from": cloned_from.id} if cloned_from else {})},
    )
    return project


def update_project(actor: User, project: Project, data: ProjectInput, expected_version: int) -> Project:
    """Save edits to a campaign's details; refuse an edit made on a stale copy."""
    require_editor(actor, project)
    if expected_version != project.version:
        raise StaleEdit("campaign")
    _validate(data, project)
    before = _snapshot(project)
    _apply(project, data)
    _sync_members(project, data)
    changed = audit.changes(before, _snapshot(project))
    if changed:
        touch(project)  # members and regions live in other tables: still bump the version
    db.session.flush()
    if changed:
        audit.record(
            actor, "project.updated", f"Edited the campaign: {audit.describe(changed)}",
            entity="project", entity_id=project.id, project_id=project.id, details={"changes": changed},
        )
    return project


#: Facts of ProjectFacts that another feature owns (the unsigned commitments), by field name, each
#: read from the campaign by the provider that feature registered at start-up
#: (app/commitments/listeners.py): the lifecycle's guards ask them without projects importing it.
FactProvider = Callable[[Project], object]
_fact_providers: dict[str, FactProvider] = {}


def provide_fact(name: str, provider: FactProvider) -> None:
    """Let ``provider(project)`` fill the field ``name`` of a campaign's :class:`ProjectFacts`."""
    if name not in {f.name for f in fields(ProjectFacts)}:
        raise LookupError(f"ProjectFacts has no field {name!r}")
    _fact_providers[name] = provider


def project_facts(project: Project) -> ProjectFacts:
    facts = ProjectFacts(
        goal_metric=project.goal_metric,
        goal_target=project.goal_target,
        start_date=project.start_date,
        end_date=project.end_date,
        open_milestones=sum(1 for m in project.milestones if m.state != MilestoneState.CANCELLED),
        has_project_manager=project.project_manager_id is not None,
        actuals_reported=len(project.actuals),
    )
    if project.id is None:  # not saved yet: nothing of another feature can belong to it
        return facts
    return replace(facts, **{name: provider(project) for name, provider in _fact_providers.items()})


def transition_options(actor: User, project: Project) -> list[tuple[Transition[ProjectFacts], Decision[ProjectFacts]]]:
    """The transitions ``actor`` may fire from the current state, each with the guards' verdict."""
    roles = roles_in(actor, project)
    facts = project_facts(project)
    # Parameters are asked for by the form; only the guards' reasons are shown up front.
    params = {name: "given" for t in PROJECT_WORKFLOW.transitions for name in t.requires}
    return [
        (t, PROJECT_WORKFLOW.check(project.state, t.event, roles, facts, params))
        for t in PROJECT_WORKFLOW.available(project.state, roles)
    ]


def fire_transition(actor: User, project: Project, event: str, reason: str = "") -> Project:
    """Move a campaign through its lifecycle, if the workflow allows it for this actor now."""
    decision = PROJECT_WORKFLOW.check(
        project.state, event, roles_in(actor, project), project_facts(project), {"reason": reason}
    )
    if not decision.allowed or decision.transition is None:
        raise TransitionRefused(f"The campaign could not be moved on ({event}).", decision.reasons)
    transition = decision.transition
    old_state = project.state
    project.state = transition.target
    project.state_note = reason.strip()
    details: dict[str, object] = {"reason": reason.strip()} if reason.strip() else {}
    if "record_outcome" in transition.effects:
        project.outcome = measured_outcome(project)
        details["outcome"] = project.outcome
    db.session.flush()
    audit.record(
        actor, f"project.{event}", transition.label + (f": {reason.strip()}" if reason.strip() else ""),
        entity="project", entity_id=project.id, project_id=project.id,
        from_state=old_state, to_state=project.state, details=details,
    )
    # The effects that other features own (the roadmap's baseline, withdrawing the unsigned
    # commitments) are their subscribers to this event, so they come after the step, in the trail too.
    events.emit(CampaignStateChanged(project.id, actor.id, event, old_state, project.state, reason.strip()))
    return project


def measured_outcome(project: Project) -> str:
    """Achieved, partial or missed, from the latest reported actual against the goal target."""
    latest = project.latest_actual
    if latest is None or project.goal_target is None:
        return "missed"
    return goals.outcome(project.goal_baseline, project.goal_target, latest.value)


def report_actual(actor: User, project: Project, value: float, measured_on: date, note: str = "") -> GoalActual:
    """Record the goal metric's value on a date."""
    require_reporter(actor, project)
    if measured_on > clock.today():
        raise InvalidInput("An actual cannot be measured in the future.", {"measured_on": ["Pick today or earlier."]})
    if value < 0 <= min(project.goal_baseline, project.goal_target or 0.0):
        # A count, a share or revenue cannot go below zero; a goal that starts or ends below zero can.
        raise InvalidInput("This goal is never negative.", {"value": ["Enter zero or more."]})
    actual = GoalActual(project=project, value=value, measured_on=measured_on, note=note.strip(), recorded_by=actor)
    db.session.add(actual)
    db.session.flush()
    audit.record(
        actor, "actual.reported", f"Reported {project.goal_metric or 'goal'} = {value:g}{project.goal_unit and ' ' + project.goal_unit} on {date_label(measured_on)}",
        entity="goal_actual", entity_id=actual.id, project_id=project.id, details={"value": value, "note": actual.note},
    )
    return actual


def record_expense(actor: User, project: Project, amount: Decimal, spent_on: date, description: str) -> Expense:
    """Book spend against the campaign budget."""
    require_reporter(actor, project)
    expense = Expense(project=project, amount=amount, spent_on=spent_on, description=description.strip(), recorded_by=actor)
    db.session.add(expense)
    db.session.flush()
    audit.record(
        actor, "expense.recorded", f"Recorded spend of {amount:,.2f} {project.currency}: {expense.description}",
        entity="expense", entity_id=expense.id, project_id=project.id, details={"amount": str(amount)},
    )
    return expense


def actuals(project: Project, asked: PageRequest = FIRST_PAGE) -> Page[GoalActual]:
    """A page of the goal's reported actuals, oldest first, with who reported each."""
    query = sa.select(GoalActual).where(GoalActual.project_id == project.id).options(so.joinedload(GoalActual.recorded_by))
    return paginate(query, [asc(GoalActual.measured_on), asc(GoalActual.id)], asked)


def expenses(project: Project, asked: PageRequest = FIRST_PAGE) -> Page[Expense]:
    """A page of the campaign's spend, oldest first, with who recorded each."""
    query = sa.select(Expense).where(Expense.project_id == project.id).options(so.joinedload(Expense.recorded_by))
    return paginate(query, [asc(Expense.spent_on), asc(Expense.id)], asked)


def add_member(actor: User, project: Project, user: User, role: ProjectRole) -> ProjectMember:
    """Give ``user`` access to the campaign (as a member or product manager)."""
    require_editor(actor, project)
    if not user.active:
        raise InvalidInput("That person's account is deactivated.", {"user_id": ["Choose an active user."]})
    if role is ProjectRole.PRODUCT_MANAGER and user.role is not Role.PRODUCT_MANAGER:
        raise InvalidInput(f"{user.name} is not a product manager.", {"role": ["Choose member for this person."]})
    if role in {ProjectRole.OWNER, ProjectRole.PROJECT_MANAGER}:
        raise InvalidInput("Change the owner or project manager by editing the campaign.", {"role": ["Not allowed here."]})
    membership = next((m for m in project.memberships if m.user_id == user.id), None)
    if membership is not None:
        raise InvalidInput(f"{user.name} is already on this campaign.", {"user_id": ["Already a member."]})
    membership = ProjectMember(project=project, user=user, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record(
        actor, "member.added", f"Added {user.name} as {role.label.lower()}",
        entity="project", entity_id=project.id, project_id=project.id, details={"user_id": user.id, "role": role.value},
    )
    return membership


def remove_member(actor: User, project: Project, user: User) -> None:
    require_editor(actor, project)
    membership = next((m for m in project.memberships if m.user_id == user.id), None)
    if membership is None:
        raise InvalidInput(f"{user.name} is not on this campaign.")
    if membership.role in {ProjectRole.OWNER, ProjectRole.PROJECT_MANAGER}:
        raise InvalidInput("The owner and the project manager stay on their campaign; edit the campaign to change them.")
    project.memberships.remove(membership)
    db.session.flush()
    audit.record(
        actor, "member.removed", f"Removed {user.name}",
        entity="project", entity_id=project.id, project_id=project.id, details={"user_id": user.id},
    )


def _validate(data: ProjectInput, project: Project | None = None) -> None:
    """Check the input; people already on ``project`` stay valid even if deactivated since."""
    current = {m.user_id for m in project.memberships} if project is not None else set()
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = ["Give the campaign a title."]
    if dates := values.campaign_dates_problem(data.start_date, data.end_date):
        errors["end_date"] = [dates]
    if data.goal_target == data.goal_baseline:
        errors["goal_target"] = ["The target must differ from the baseline."]
    if data.budget < 0:
        errors["budget"] = ["The budget cannot be negative."]
    pm = [data.project_manager_id] if data.project_manager_id is not None else []
    if not _users_with_role(pm, Role.PROJECT_MANAGER, current):
        errors["project_manager_id"] = ["Choose an active project manager."]
    if not _users_with_role(data.product_manager_ids, Role.PRODUCT_MANAGER, current):
        errors["product_manager_ids"] = ["Choose active product managers."]
    if not _users_with_role(data.member_ids, None, current):
        errors["member_ids"] = ["Choose active users."]
    if data.region_ids:
        kept = {r.id for r in project.regions} if project is not None else set()
        found = db.session.scalar(
            sa.select(sa.func.count()).select_from(Region)
            .where(Region.id.in_(data.region_ids), sa.or_(Region.active, Region.id.in_(kept)))
        )
        if found != len(set(data.region_ids)):
            errors["region_ids"] = ["Choose active regions."]
    if errors:
        raise InvalidInput("Please correct the highlighted fields.", errors)


def _users_with_role(user_ids: Sequence[int], role: Role | None, already_on: set[int]) -> bool:
    """Whether every id is a user of ``role`` (any role if None) who is active or ``already_on`` the campaign."""
    if not user_ids:
        return True
    query = sa.select(sa.func.count()).select_from(User).where(
        User.id.in_(user_ids), sa.or_(User.active, User.id.in_(already_on))
    )
    if role is not None:
        query = query.where(User.role == role)
    return db.session.scalar(query) == len(set(user_ids))


def _apply(project: Project, data: ProjectInput) -> None:
    # Query first: a query autoflushes, and a flush between column changes would bump the version twice.
    regions = list(db.session.scalars(sa.select(Region).where(Region.id.in_(data.region_ids))))
    project.title = data.title.strip()
    project.goal_statement = data.goal_statement.strip()
    project.goal_metric = data.goal_metric.strip()
    project.goal_unit = data.goal_unit.strip()
    project.goal_baseline = data.goal_baseline
    project.goal_target = data.goal_target
    project.budget = data.budget
    project.currency = data.currency.upper()
    project.start_date = data.start_date
    project.end_date = data.end_date
    project.project_manager_id = data.project_manager_id
    project.regions = regions


def _sync_members(project: Project, data: ProjectInput) -> None:
    """Keep membership rows in step with the owner, project manager and named people."""
    wanted: dict[int, ProjectRole] = {uid: ProjectRole.MEMBER for uid in data.member_ids}
    wanted.update({uid: ProjectRole.PRODUCT_MANAGER for uid in data.product_manager_ids})
    if data.project_manager_id is not None:
        wanted[data.project_manager_id] = ProjectRole.PROJECT_MANAGER
    owner_id = project.owner_id if project.owner_id is not None else project.owner.id
    wanted[owner_id] = ProjectRole.OWNER
    existing = {m.user_id: m for m in project.memberships}
    for user_id, membership in existing.items():
        if user_id not in wanted:
            project.memberships.remove(membership)
        else:
            membership.role = wanted[user_id]
    for user_id, role in wanted.items():
        if user_id not in existing:
            project.memberships.append(ProjectMember(user_id=user_id, role=role))


def _snapshot(project: Project) -> dict[str, object]:
    return {
        "title": project.title,
        "goal_statement": project.goal_statement,
        "goal_metric": project.goal_metric,
        "goal_unit": project.goal_unit,
        "goal_baseline": project.goal_baseline,
        "goal_target": project.goal_target,
        "budget": project.budget,
        "currency": project.currency,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "project_manager": project.project_manager_id,
        "regions": sorted(r.code for r in project.regions),
        "members": sorted((m.user_id, m.role.value) for m in project.memberships),
    }
