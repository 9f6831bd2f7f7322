"""The large data set's roadmaps: milestones over past and future, re-plans with reasons, baselines, tasks.

A campaign's milestones are its template's at their offsets, then checkpoints spread up to its
end date. What fell due before today is mostly done, a few are left overdue; a re-planned
milestone carries its moves in the change log, and baseline #1 still holds its first date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any
from uuid import UUID

from app.demo import vocabulary as words
from app.demo.large_world import Campaign, Milestone, Person, Task, World, audit_row
from app.milestones.models import Milestone as MilestoneRow
from app.milestones.models import Task as TaskRow
from app.roadmap.models import Baseline, BaselineItem, Replan, RoadmapChange
from workflows.campaigns import load_templates, plan_milestones
from workflows.milestone import MILESTONE_WORKFLOW, MilestoneState
from workflows.project import ProjectState

#: Of the campaigns past planning, this many have been re-planned (one to three times), and of
#: those this many took a second baseline afterwards.
REPLANNED_SHARE = 0.35
REBASELINED_SHARE = 0.3
#: How far a re-plan moves a milestone, in days (mostly later, now and then earlier).
MOVES = (7, 14, 21, 30, -7)
#: Tasks with a date of their own (the rest fall due with their milestone), and assigned ones.
DATED_SHARE = 0.75
ASSIGNED_SHARE = 0.85


@dataclass
class _Replan:
    campaign: Campaign
    at: datetime
    reason: str
    changes: list[tuple[Milestone, str, str, str]] = field(default_factory=list)  # (milestone, kind, old, new)
    id: int = 0


def build_roadmaps(world: World, count: int) -> None:
    """``count`` milestones spread over the campaigns, with their re-plans and baselines."""
    per, extra = divmod(count, len(world.campaigns))
    replans: list[_Replan] = []
    first_dates: dict[int, date] = {}  # each milestone's date before any re-plan: baseline #1's
    for index, campaign in enumerate(world.campaigns):
        _milestones(world, campaign, per + (1 if index < extra else 0))
        first_dates.update({m.id: m.due for m in campaign.milestones})
        if "plan" in campaign.steps:
            replans += _replans(world, campaign, first_dates)
    world.milestones = [m for c in world.campaigns for m in c.milestones]
    # Random UUIDs handed out in ascending order: the unique index on them then grows at its end,
    # where random ones would each land on another page (a third of a huge set's milestone inserts).
    ascending = sorted((m.uuid for m in world.milestones), key=attrgetter("int"))
    for milestone, value in zip(world.milestones, ascending, strict=True):
        milestone.uuid = value
    world.bulk.insert(MilestoneRow.__table__, (_milestone_row(m) for m in world.milestones))
    replans.sort(key=lambda r: r.at)
    for replan in replans:
        replan.id = world.bulk.next_id(Replan.__table__)
    world.bulk.insert(Replan.__table__, ({
        "id": r.id, "project_id": r.campaign.id, "author_id": _lead(r.campaign).id, "at": r.at, "reason": r.reason,
    } for r in replans))
    world.bulk.insert(RoadmapChange.__table__, ({
        "replan_id": r.id, "project_id": r.campaign.id, "milestone_id": m.id, "milestone_uuid": m.uuid,
        "milestone_title": m.title, "kind": kind, "old_value": old, "new_value": new,
    } for r in replans for m, kind, old, new in r.changes))
    world.moves = [(r.at, m, date.fromisoformat(old), date.fromisoformat(new), r.reason)
                   for r in replans for m, kind, old, new in r.changes if kind == "moved"]
    latest = {r.campaign.id: r.at for r in replans}
    _baselines(world, first_dates, latest)
    world.audit(row for r in replans for row in _replan_history(r))
    world.audit(_done(m) for m in world.milestones if m.state == MilestoneState.DONE)


def _lead(campaign: Campaign) -> Person:
    """Who edits the roadmap: the project manager, or the owner while there is none."""
    return campaign.pm or campaign.owner


def _milestones(world: World, campaign: Campaign, count: int) -> None:
    template = load_templates()[campaign.kind]
    specs = [(p.title, p.due_date, p.target_value)
             for p in plan_milestones(template, campaign.start, campaign.goal_baseline, campaign.goal_target)][:count]
    extra = count - len(specs)
    span = (campaign.end - campaign.start).days
    for k in range(extra):
        due = campaign.start + timedelta(days=round(span * (k + 1) / (extra + 1))) + world.days(-4, 4)
        phrase = words.MILESTONE_PHRASES[k % len(words.MILESTONE_PHRASES)]
        again = k // len(words.MILESTONE_PHRASES)
        specs.append((f"{phrase} ({again + 1})" if again else phrase, max(due, campaign.start), None))
    specs.sort(key=lambda spec: spec[1])
    active = [p for p in campaign.people if p.active]  # the forms offer only active members
    for position, (title, due, target) in enumerate(specs):
        owner = campaign.pm if campaign.pm is not None and world.chance(0.7) else world.pick(active)
        milestone = Milestone(world.bulk.next_id(MilestoneRow.__table__), campaign, title, due, target, owner,
                              world.uuid4(), position)
        _progress(world, milestone)
        campaign.milestones.append(milestone)


def _progress(world: World, milestone: Milestone) -> None:
    """Done, left open (overdue when past) or cancelled, as far as the campaign has got."""
    campaign = milestone.campaign
    if "launch" not in campaign.steps:
        return  # not under way yet: nothing done
    if campaign.state == ProjectState.COMPLETED:
        state = MilestoneState.DONE if world.chance(0.95) else MilestoneState.CANCELLED
    else:
        stopped = campaign.steps.get("hold") or campaign.steps.get("cancel") or world.now
        if milestone.due < stopped.date():
            roll = world.rng.random()
            state = (MilestoneState.DONE if roll < 0.85 else MilestoneState.OPEN if roll < 0.97
                     else MilestoneState.CANCELLED)
        else:
            state = MilestoneState.CANCELLED if world.chance(0.03) else MilestoneState.OPEN
    milestone.state = state
    if state == MilestoneState.DONE:
        milestone.completed_at = max(campaign.created_at, world.at(milestone.due + world.days(-3, 2), 16))
    elif state == MilestoneState.CANCELLED:
        milestone.note = world.pick(words.MILESTONE_CANCEL_REASONS)
    if state != MilestoneState.OPEN:
        milestone.version += 1


def _replans(world: World, campaign: Campaign, first_dates: dict[int, date]) -> list[_Replan]:
    """The cancellations (once a campaign is planned each is a recorded change, as the services do it),
    then for some campaigns re-plans moving a few open milestones, worked out backwards from today's dates."""
    planned = campaign.steps["plan"]
    found = [_Replan(campaign, world.between(planned, world.now), m.note,
                     [(m, "cancelled", MilestoneState.OPEN, MilestoneState.CANCELLED)])
             for m in campaign.milestones if m.state == MilestoneState.CANCELLED]
    movable = [m for m in campaign.milestones if m.state == MilestoneState.OPEN]
    if not movable or not world.chance(REPLANNED_SHARE):
        return found
    moments = sorted(world.between(planned, world.now) for _ in range(world.number(1, 3)))
    for at in reversed(moments):  # latest first: each step back gives the date before that move
        replan = _Replan(campaign, at, world.pick(words.REPLAN_REASONS))
        for milestone in world.rng.sample(movable, min(len(movable), world.number(1, 3))):
            new = first_dates[milestone.id]
            old = max(campaign.start, new - timedelta(days=world.pick(MOVES)))
            if old != new:
                replan.changes.append((milestone, "moved", old.isoformat(), new.isoformat()))
                first_dates[milestone.id] = old
                milestone.version += 1
        if replan.changes:
            found.append(replan)
    return found


def _milestone_row(m: Milestone) -> dict[str, Any]:
    return {
        "id": m.id, "uuid": m.uuid, "project_id": m.campaign.id, "title": m.title, "description": "",
        "due_date": m.due, "target_value": m.target, "owner_id": m.owner.id if m.owner else None, "state": m.state,
        "state_note": m.note, "position": m.position, "completed_at": m.completed_at,
        "created_at": m.campaign.created_at, "updated_at": m.completed_at or m.campaign.created_at,
        "version": m.version,
    }


def _baselines(world: World, first_dates: dict[int, date], replanned: dict[int, datetime]) -> None:
    """Baseline #1 ("Plan of record") of every campaign past planning; #2 for some re-planned ones."""
    taken: list[tuple[int, Campaign, int, str, datetime, bool]] = []  # (id, campaign, number, name, at, first)
    for campaign in world.campaigns:
        if "plan" not in campaign.steps:
            continue
        taken.append((world.bulk.next_id(Baseline.__table__), campaign, 1, "Plan of record", campaign.steps["plan"],
                      True))
        if campaign.id in replanned and world.chance(REBASELINED_SHARE):
            at = world.between(replanned[campaign.id], world.now)
            taken.append((world.bulk.next_id(Baseline.__table__), campaign, 2, f"{at:%B %Y} re-plan", at, False))
    world.bulk.insert(Baseline.__table__, ({
        "id": i, "project_id": c.id, "number": number, "name": name, "taken_at": at, "taken_by_id": _lead(c).id,
        "start_date": c.start, "end_date": c.end,
    } for i, c, number, name, at, _ in taken))
    world.bulk.insert(BaselineItem.__table__, ({
        "baseline_id": i, "milestone_uuid": m.uuid, "title": m.title,
        "due_date": first_dates[m.id] if first else m.due, "target_value": m.target,
        "state": MilestoneState.OPEN if first else m.state,
    } for i, c, _, _, _, first in taken for m in c.milestones))
    world.audit(audit_row(at, _lead(c), "baseline.taken", f"Took baseline #{number} {name} ({len(c.milestones)} "
                          "milestones)", "project", c.id, c.id) for _, c, number, name, at, _ in taken)


def _replan_history(replan: _Replan) -> Iterator[dict[str, Any]]:
    """A cancellation as the milestone service records it; a re-plan as the roadmap service does."""
    campaign, lead = replan.campaign, _lead(replan.campaign)
    if replan.changes[0][1] == "cancelled":
        milestone = replan.changes[0][0]
        label = MILESTONE_WORKFLOW.transition("cancel", MilestoneState.OPEN).label  # type: ignore[union-attr]
        yield audit_row(replan.at, lead, "milestone.cancel", f"{label}: “{milestone.title}” because {replan.reason}",
                        "milestone", milestone.id, campaign.id, from_state=MilestoneState.OPEN,
                        to_state=MilestoneState.CANCELLED)
    changes = len(replan.changes)
    moved = sum(1 for change in replan.changes if change[1] == "moved")
    yield audit_row(replan.at, lead, "roadmap.replanned",
                    f"Re-planned {changes} change{'s' if changes != 1 else ''}"
                    f"{f' ({moved} moved)' if moved else ''}: {replan.reason}",
                    "project", campaign.id, campaign.id, details={"replan": replan.id})


def _done(milestone: Milestone) -> dict[str, Any]:
    label = MILESTONE_WORKFLOW.transition("complete", MilestoneState.OPEN).label  # type: ignore[union-attr]
    assert milestone.completed_at is not None
    return audit_row(milestone.completed_at, milestone.owner or _lead(milestone.campaign), "milestone.complete",
                     f"{label}: “{milestone.title}”", "milestone", milestone.id, milestone.campaign.id,
                     from_state=MilestoneState.OPEN, to_state=MilestoneState.DONE)


def build_tasks(world: World, count: int) -> None:
    """``count`` tasks on random milestones (some have none, some several): done where their milestone is,
    mostly done when past, some still open and overdue, most of them given to someone on the campaign."""
    milestones = world.milestones
    # The forms offer only active members.
    active = {c.id: [p for p in c.people if p.active] for c in world.campaigns}
    for _ in range(count):
        milestone = world.pick(milestones)
        campaign = milestone.campaign
        due = max(campaign.start, milestone.due - world.days(0, 14)) if world.chance(DATED_SHARE) else None
        assignee = world.pick(active[campaign.id]) if world.chance(ASSIGNED_SHARE) else None
        task = Task(world.bulk.next_id(TaskRow.__table__), milestone, world.pick(words.TASK_PHRASES), assignee, due,
                    position=len(milestone.tasks))
        task.done = _task_done(world, task)
        if task.done:
            done_at = world.at(task.effective_due - world.days(0, 5), 15)
            task.done_at = min(max(done_at, campaign.created_at), milestone.completed_at or world.now)
        milestone.tasks.append(task)
        world.tasks.append(task)
    uuids = sorted((world.uuid4() for _ in world.tasks), key=attrgetter("int"))  # ascending: see build_roadmaps
    world.bulk.insert(TaskRow.__table__, (_task_row(world, t, u) for t, u in zip(world.tasks, uuids, strict=True)))
    # Their "task.done" events are left out of the history: as many rows again as the milestones'
    # own, for little a reader of a campaign's history misses (each task shows when it was done).


def _task_done(world: World, task: Task) -> bool:
    milestone = task.milestone
    if milestone.state == MilestoneState.DONE:
        return True  # a milestone is marked done only once its tasks are
    if "launch" not in milestone.campaign.steps:
        return False
    if milestone.state == MilestoneState.CANCELLED:
        return world.chance(0.5)
    return world.chance(0.55 if task.effective_due < world.today else 0.15)


def _task_row(world: World, task: Task, uuid: UUID) -> dict[str, Any]:
    campaign = task.milestone.campaign
    created = world.between(campaign.created_at, campaign.created_at + timedelta(days=20))
    if task.done_at is not None:
        created = min(created, task.done_at)
    return {
        "id": task.id, "uuid": uuid, "milestone_id": task.milestone.id, "title": task.title,
        "assignee_id": task.assignee.id if task.assignee else None, "due_date": task.due, "done": task.done,
        "done_at": task.done_at, "position": task.position, "created_at": created,
        "updated_at": task.done_at or created, "version": 2 if task.done else 1,
    }
