"""The large data set's campaigns: states and the steps that led there, people, regions, goals, actuals and spend.

Each campaign is what the services would have left after its owner launched it from a template
and its project manager walked it through its lifecycle: the same columns, the same audit events,
the outcome measured from the latest actual. Its roadmap comes next (app/demo/large_roadmaps.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from app.accounts.models import Role
from app.demo import vocabulary as words
from app.demo.large_world import Campaign, Person, World, audit_row
from app.projects.models import Expense, GoalActual, Project, ProjectMember, ProjectRole, project_regions
from workflows import goals
from workflows.campaigns import CampaignTemplate, add_months, load_templates
from workflows.project import PROJECT_WORKFLOW, STATES, ProjectState

#: Each state's share of the campaigns; the rest are active (the bulk of a real portfolio).
STATE_SHARES = ((ProjectState.DRAFT, 0.05), (ProjectState.PROPOSED, 0.05), (ProjectState.PLANNED, 0.07),
                (ProjectState.ON_HOLD, 0.05), (ProjectState.COMPLETED, 0.06), (ProjectState.CANCELLED, 0.02))
#: The lifecycle steps behind each state, in order (a cancelled campaign's are drawn at random).
PATHS = {
    ProjectState.DRAFT: (), ProjectState.PROPOSED: ("submit",), ProjectState.PLANNED: ("submit", "plan"),
    ProjectState.ACTIVE: ("submit", "plan", "launch"), ProjectState.ON_HOLD: ("submit", "plan", "launch", "hold"),
    ProjectState.COMPLETED: ("submit", "plan", "launch", "complete"),
}
TEMPLATE_WEIGHTS = {"upgrade_campaign": 3, "quota_push": 3, "client_pursuit": 3, "product_launch": 1}
#: Goal targets vary around the template's: some campaigns aim higher, some lower.
TARGET_FACTORS = (0.6, 0.8, 1.0, 1.0, 1.2, 1.5)
MAX_ACTUALS = 8


def build_campaigns(world: World, count: int, busy_count: int) -> None:
    """``count`` campaigns, the busy project manager on ``busy_count`` of them."""
    templates = load_templates()
    kinds = list(TEMPLATE_WEIGHTS)
    kind_weights = list(accumulate(TEMPLATE_WEIGHTS.values()))
    busy = set(world.rng.sample(range(count), busy_count))
    cast = _Cast(world)
    for index, state in enumerate(_states(world, count)):
        template = templates[world.rng.choices(kinds, cum_weights=kind_weights)[0]]
        pm = world.busy_pm if index in busy else world.pick(cast.pms)
        world.campaigns.append(_campaign(world, template, state, pm, cast))
    actuals = {c.id: _actuals(world, c) for c in world.campaigns}
    expenses = {c.id: _expenses(world, c) for c in world.campaigns}
    world.bulk.insert(Project.__table__, (_project_row(world, c, actuals[c.id]) for c in world.campaigns))
    world.bulk.insert(ProjectMember.__table__, ({
        "project_id": c.id, "user_id": user_id, "role": role, "added_at": c.created_at,
    } for c in world.campaigns for user_id, role in c.members.items()))
    world.bulk.insert(project_regions, ({"project_id": c.id, "region_id": r} for c in world.campaigns for r in c.regions))
    world.bulk.insert(GoalActual.__table__, (row for rows in actuals.values() for row in rows))
    world.bulk.insert(Expense.__table__, (row for rows in expenses.values() for row in rows))
    world.audit(row for c in world.campaigns for row in _history(c, actuals[c.id], expenses[c.id]))


class _Cast:
    """Who may play which part on a campaign; crew are drawn with a long tail, so a few people are on many."""

    def __init__(self, world: World) -> None:
        busy = world.busy_pm
        self.pms = [p for p in world.with_role(Role.PROJECT_MANAGER) if p is not busy] or [busy]
        sales = world.with_role(Role.SALES_MANAGER)
        self.owners = sales * 6 + self.pms + world.with_role(Role.ADMIN)  # mostly sales managers launch them
        self.product_managers = world.with_role(Role.PRODUCT_MANAGER)
        self.crew = [p for p in world.people if p.role is Role.TEAM_MEMBER] + sales
        world.rng.shuffle(self.crew)
        self.crew_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.crew))))

    def members(self, world: World, wanted: int) -> list[Person]:
        drawn = world.rng.choices(self.crew, cum_weights=self.crew_weights, k=wanted * 2)
        return list(dict.fromkeys(drawn))[:wanted]


def _states(world: World, count: int) -> list[str]:
    """The campaigns' states by their shares (each at least once in a set of ten or more), shuffled."""
    states: list[str] = []
    for state, share in STATE_SHARES:
        states += [state] * (max(1, round(count * share)) if count >= 10 else round(count * share))
    states = states[:count] + [ProjectState.ACTIVE] * max(0, count - len(states))
    world.rng.shuffle(states)
    return states


def _campaign(world: World, template: CampaignTemplate, state: str, pm: Person | None, cast: _Cast) -> Campaign:
    owner = world.pick(cast.owners)
    start = _start(world, template, state)
    if state == ProjectState.DRAFT and pm is not world.busy_pm and world.chance(0.3):
        pm = None  # not chosen yet: a draft needs no project manager
    crew = cast.members(world, world.number(2, 5))
    product_managers = world.rng.sample(cast.product_managers, min(len(cast.product_managers), world.pick((1, 1, 2))))
    # The roles as the services keep them: the owner is the owner, whatever else they are.
    wanted = {p.id: ProjectRole.MEMBER for p in crew}
    wanted.update({p.id: ProjectRole.PRODUCT_MANAGER for p in product_managers})
    if pm is not None:
        wanted[pm.id] = ProjectRole.PROJECT_MANAGER
    wanted[owner.id] = ProjectRole.OWNER
    target = _target(world, template)
    regions = world.rng.sample(sorted(world.regions), world.pick((1, 1, 2, 3)))
    product = world.pick(world.products).name
    title = f"{product} {world.pick(words.CAMPAIGN_PHRASES[template.key])}: {world.regions[regions[0]]}, " \
            f"Q{(start.month - 1) // 3 + 1} {start.year}"
    campaign = Campaign(
        id=world.bulk.next_id(Project.__table__), title=title, kind=template.key, state=state, start=start,
        end=template.default_end(start), owner=owner, pm=pm, members=wanted, people=[],
        regions=regions, goal_metric=template.goal_metric, goal_unit=template.goal_unit,
        goal_baseline=template.goal_baseline, goal_target=target,
        budget=Decimal(world.number(5, 400) * 1000), created_at=world.now,
    )
    by_id = {p.id: p for p in (*crew, *product_managers, owner, *([pm] if pm else []))}
    campaign.people = [by_id[user_id] for user_id in wanted]
    for person in campaign.people:
        person.campaigns.append(campaign)
    _timeline(world, campaign)
    if state == ProjectState.ON_HOLD:
        campaign.note = world.pick(words.HOLD_REASONS)
    elif state == ProjectState.CANCELLED:
        campaign.note = world.pick(words.CANCEL_REASONS)
    return campaign


def _start(world: World, template: CampaignTemplate, state: str) -> date:
    """A start date that fits the state: drafts start soon, active ones are under way, completed ones ended."""
    today = world.today
    length = (template.default_end(today) - today).days
    if state in {ProjectState.DRAFT, ProjectState.PROPOSED, ProjectState.PLANNED}:
        return today + world.days(-10, 75)
    if state == ProjectState.ACTIVE:
        return today - world.days(7, length + 30)  # some run past their end date
    if state == ProjectState.ON_HOLD:
        return today - world.days(20, length)
    if state == ProjectState.COMPLETED:
        return add_months(today - world.days(5, 400), -template.duration_months)
    return today - world.days(-20, 500)


def _target(world: World, template: CampaignTemplate) -> float:
    target = template.goal_baseline + (template.goal_target - template.goal_baseline) * world.pick(TARGET_FACTORS)
    if template.goal_unit == "EUR":
        return float(round(target, -3))
    return float(round(target)) if template.goal_unit != "%" else round(target, 1)


def _timeline(world: World, campaign: Campaign) -> None:
    """When it was created and each step since, in order and never after now."""
    steps = PATHS.get(campaign.state) or ()
    if campaign.state == ProjectState.CANCELLED:
        steps = world.pick(tuple(PATHS[s] for s in (ProjectState.DRAFT, ProjectState.PROPOSED, ProjectState.PLANNED,
                                                     ProjectState.ACTIVE))) + ("cancel",)
    start = datetime.combine(min(campaign.start, world.today), datetime.min.time())
    campaign.created_at = min(start - world.days(5, 40), world.now - timedelta(days=2)) + timedelta(hours=9)
    moment = campaign.created_at
    for step in steps:
        if step == "launch":
            moment = max(moment + timedelta(hours=2), world.at(campaign.start, 9))
        elif step == "complete":
            moment = max(moment + timedelta(hours=2), world.at(campaign.end + world.days(0, 20), 15))
        else:
            moment = world.between(moment + timedelta(hours=1), moment + timedelta(days=10 if step != "hold" else 120))
        campaign.steps[step] = min(moment, world.now)


def _actuals(world: World, campaign: Campaign) -> list[dict[str, Any]]:
    """Monthly readings of the goal since launch, heading for the target at the campaign's own pace."""
    if "launch" not in campaign.steps or campaign.start > world.today:
        return []
    stopped = campaign.steps.get("hold") or campaign.steps.get("cancel") or world.now
    until = min(world.today, campaign.end, stopped.date())
    days = [campaign.start + timedelta(days=30 * k) for k in range(1, 60)]
    days = [d for d in days if d <= until][-MAX_ACTUALS:] or [min(until, campaign.start)]
    pace = world.rng.uniform(0.5, 1.3)
    length = max(1, (campaign.end - campaign.start).days)
    span = campaign.goal_target - campaign.goal_baseline
    rows = []
    for day in days:
        share = min(1.3, pace * (day - campaign.start).days / length) + world.rng.uniform(-0.03, 0.03)
        rows.append({
            "id": world.bulk.next_id(GoalActual.__table__), "project_id": campaign.id, "value": _round(campaign, campaign.goal_baseline + span * max(0.0, share)),
            "measured_on": day, "note": world.pick(("", "", "From the CRM export", "Finance confirmed")),
            "recorded_by_id": campaign.owner.id, "recorded_at": world.at(day + timedelta(days=1), 10),
        })
    return rows


def _round(campaign: Campaign, value: float) -> float:
    if campaign.goal_unit == "EUR":
        return float(round(value, -2))
    return round(value, 1) if campaign.goal_unit == "%" else float(round(value))


def _expenses(world: World, campaign: Campaign) -> list[dict[str, Any]]:
    """Spend since launch: a few bookings, together somewhere around the budget's share used so far."""
    if "launch" not in campaign.steps or campaign.start > world.today:
        return []
    days = (min(world.today, campaign.end) - campaign.start).days
    used = campaign.budget * Decimal(str(round(world.rng.uniform(0.2, 1.1) * min(1.0, days / 365 + 0.2), 2)))
    count = world.number(1, 5)
    rows = []
    for _ in range(count):
        share = Decimal(str(round(world.rng.uniform(0.5, 1.5), 3)))
        spent = campaign.start + world.days(0, days)
        rows.append({
            "id": world.bulk.next_id(Expense.__table__), "project_id": campaign.id,
            "amount": max(Decimal("0.01"), (used / count * share).quantize(Decimal("0.01"))), "spent_on": spent,
            "description": world.pick(words.EXPENSES), "recorded_by_id": (campaign.pm or campaign.owner).id,
            "recorded_at": world.at(spent + timedelta(days=1)),
        })
    return rows


def _outcome(campaign: Campaign, actuals: list[dict[str, Any]]) -> str | None:
    if campaign.state != ProjectState.COMPLETED:
        return None
    return goals.outcome(campaign.goal_baseline, campaign.goal_target, actuals[-1]["value"])


def _project_row(world: World, campaign: Campaign, actuals: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": campaign.id, "uuid": world.uuid4(), "title": campaign.title, "kind": campaign.kind,
        "goal_statement": words.GOAL_STATEMENTS[campaign.kind], "goal_metric": campaign.goal_metric,
        "goal_unit": campaign.goal_unit, "goal_baseline": campaign.goal_baseline, "goal_target": campaign.goal_target,
        "budget": campaign.budget, "currency": "EUR", "start_date": campaign.start, "end_date": campaign.end,
        "state": campaign.state, "state_note": campaign.note, "outcome": _outcome(campaign, actuals),
        "owner_id": campaign.owner.id, "project_manager_id": campaign.pm.id if campaign.pm else None,
        "created_at": campaign.created_at, "updated_at": max([campaign.created_at, *campaign.steps.values()]),
        "version": 1 + len(campaign.steps),
    }


def _history(campaign: Campaign, actuals: list[dict[str, Any]],
             expenses: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The audit trail the services would have written: created, each step, each actual and expense."""
    template = load_templates()[campaign.kind]
    yield audit_row(campaign.created_at, campaign.owner, "project.created",
                    f"Created campaign “{campaign.title}” from the {template.name} template", "project",
                    campaign.id, campaign.id, to_state=ProjectState.DRAFT,
                    details={"template": campaign.kind, "milestones": len(template.milestones)})
    state = ProjectState.DRAFT
    for event, at in campaign.steps.items():
        transition = PROJECT_WORKFLOW.transition(event, state)
        assert transition is not None, (event, state)
        actor = campaign.owner if event in {"submit", "cancel"} or campaign.pm is None else campaign.pm
        reason = campaign.note if event in {"hold", "cancel"} else ""
        details: dict[str, Any] = {"reason": reason} if reason else {}
        if event == "complete":
            details["outcome"] = _outcome(campaign, actuals)
        yield audit_row(at, actor, f"project.{event}", transition.label + (f": {reason}" if reason else ""),
                        "project", campaign.id, campaign.id, from_state=state, to_state=transition.target,
                        details=details)
        state = transition.target
    assert state == campaign.state and state in STATES
    unit = f" {campaign.goal_unit}" if campaign.goal_unit else ""
    for row in actuals:
        yield audit_row(row["recorded_at"], campaign.owner, "actual.reported",
                        f"Reported {campaign.goal_metric} = {row['value']:g}{unit} on {row['measured_on'].isoformat()}",
                        "goal_actual", row["id"], campaign.id, details={"value": row["value"], "note": row["note"]})
    for row in expenses:
        yield audit_row(row["recorded_at"], campaign.pm or campaign.owner, "expense.recorded",
                        f"Recorded spend of {row['amount']:,.2f} EUR: {row['description']}", "expense", row["id"],
                        campaign.id, details={"amount": str(row["amount"])})
