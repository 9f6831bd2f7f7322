"""One calendar event per record: the wording, UID and SEQUENCE that feeds, single downloads and
email invitations share, so a date added from any of them is the same event in the person's calendar.

Each ``*_event`` function takes plain values (the feeds pass the columns of their rows, not ORM
objects: see :mod:`app.calendars.feeds`); the ``*_item`` functions read a loaded record for the
one-event downloads and the invitations. UID is the record's UUID, SEQUENCE its version less one.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from app.calendars.ical import Event
from app.commitments.models import Commitment
from app.core.urls import base_url
from app.milestones.models import Milestone, Task
from app.templating import fmt_date, fmt_number
from workflows import commitment as commitment_workflow
from workflows import milestone as milestone_workflow
from workflows import project as project_workflow
from workflows.commitment import CommitmentState
from workflows.milestone import MilestoneState
from workflows.project import ProjectState


@functools.lru_cache(maxsize=1024)  # a feed repeats the same few targets thousands of times
def quantity(value: float, unit: str) -> str:
    number = fmt_number(value)
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


def milestone_event(uid: str, title: str, due: date, m_state: str, target: float | None, version: int,
                    updated: datetime, mid: int, pid: int, p_title: str, p_state: str, metric: str | None,
                    unit: str, owner_name: str | None, root: str) -> Event:
    url = f"{root}/campaigns/{pid}#milestone-{mid}"
    lines = [
        f"Milestone of {p_title} ({project_workflow.STATES[p_state].lower()})",
        f"State: {milestone_workflow.STATES[m_state]}",
        f"Owner: {owner_name or 'nobody yet'}",
    ]
    if target is not None:
        lines.append(f"Goal target: {quantity(target, unit)}" + (f" {metric}" if metric else ""))
    lines.append(url)
    return Event(
        uid=uid, day=due, summary=f"{'✓ ' if m_state == MilestoneState.DONE else ''}{title} · {p_title}",
        modified=updated, description="\n".join(lines), url=url, sequence=version - 1,
        cancelled=m_state == MilestoneState.CANCELLED or p_state == ProjectState.CANCELLED,
    )


def task_event(uid: str, title: str, due: date | None, done: bool, version: int, updated: datetime, mid: int,
               m_title: str, m_due: date, m_state: str, pid: int, p_title: str, p_state: str,
               assignee_name: str | None, root: str) -> Event:
    url = f"{root}/campaigns/{pid}#milestone-{mid}"
    description = "\n".join([
        f"Task for the milestone {m_title} of {p_title}",
        f"State: {'Done' if done else 'Open'}" + ("" if due else " (due with its milestone)"),
        f"Assigned to: {assignee_name or 'nobody yet'}",
        url,
    ])
    return Event(
        uid=uid, day=due or m_due, summary=f"{'✓ ' if done else ''}Task: {title} · {p_title}",
        modified=updated, description=description, url=url, sequence=version - 1,
        cancelled=m_state == MilestoneState.CANCELLED or p_state == ProjectState.CANCELLED,
    )


def commitment_event(uid: str, cid: int, customer: str, product: str, region: str, promise: str, promised: date,
                     c_state: str, version: int, updated: datetime, p_title: str, p_state: str, seller_name: str,
                     root: str, waiting: tuple[str, datetime | None] | None = None) -> Event:
    """``waiting`` (the countersigners' feed): how long it has waited, and since when."""
    url = f"{root}/commitments/{cid}"
    lines = [
        f"Promised to {customer}: {product} in {region}, by {fmt_date(promised)}",
        f"State: {commitment_workflow.STATES[c_state]}",
        f"Campaign: {p_title}",
        f"Sold by: {seller_name}",
    ]
    if waiting is not None:
        label, submitted_at = waiting
        summary = f"Countersign: {customer}, {product} ({label}) · {p_title}"
        if submitted_at is not None:
            lines.insert(1, f"Waiting for your countersignature since {fmt_date(submitted_at)} ({label})")
    else:
        mark = {CommitmentState.AT_RISK: "⚠ At risk: ", CommitmentState.FULFILLED: "✓ "}.get(c_state, "")
        summary = f"{mark}Promised to {customer}: {product} · {p_title}"
    lines.extend(["", promise.strip(), url])
    return Event(
        uid=uid, day=promised, summary=summary, modified=updated, description="\n".join(lines), url=url,
        sequence=version - 1, cancelled=c_state in commitment_workflow.VOID_STATES or p_state == ProjectState.CANCELLED,
    )


# --- from loaded records (one event at a time) ----------------------------------------------------

def milestone_item(milestone: Milestone) -> Event:
    project, owner = milestone.project, milestone.owner
    return milestone_event(
        str(milestone.uuid), milestone.title, milestone.due_date, milestone.state, milestone.target_value,
        milestone.version, milestone.updated_at, milestone.id, project.id, project.title, project.state,
        project.goal_metric, project.goal_unit, owner.name if owner else None, base_url())


def task_item(task: Task) -> Event:
    milestone = task.milestone
    project, assignee = milestone.project, task.assignee
    return task_event(
        str(task.uuid), task.title, task.due_date, task.done, task.version, task.updated_at, milestone.id,
        milestone.title, milestone.due_date, milestone.state, project.id, project.title, project.state,
        assignee.name if assignee else None, base_url())


def commitment_item(commitment: Commitment) -> Event:
    project = commitment.project
    return commitment_event(
        str(commitment.uuid), commitment.id, commitment.customer.name, commitment.product.name,
        commitment.region.name, commitment.promise, commitment.promised_date, commitment.state, commitment.version,
        commitment.updated_at, project.title, project.state, commitment.created_by.name, base_url())
