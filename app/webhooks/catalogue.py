"""The webhook event types: which domain event each is, and the payload every message carries.

A webhook type is a published name (``commitment.countersigned``) for a domain event of
:mod:`app.events`, or for some of its steps: a commitment's sign-off steps are one event there
and several types here. A message's body is ``{"type", "timestamp", "data"}``, ``data`` being the
event's own fields (ids and plain values: a receiver reads more through the JSON API).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from app.core.events import Event
from app.events import (
    CampaignStateChanged,
    CommitmentStateChanged,
    FeedbackAnswered,
    MilestoneCompleted,
    MilestoneMoved,
    ProductChanged,
)
from workflows.commitment import COMMITMENT_WORKFLOW

#: A commitment's sign-off steps that are published, by their name in workflows/commitment.py.
COMMITMENT_STEPS = {
    "submit": "commitment.submitted",
    "approve": "commitment.countersigned",
    "reject": "commitment.rejected",
    "request_changes": "commitment.changes_requested",
    "flag_risk": "commitment.at_risk",
    "withdraw": "commitment.withdrawn",
}
assert set(COMMITMENT_STEPS) <= {t.event for t in COMMITMENT_WORKFLOW.transitions}, "a step the workflow lost"

#: The test message "Send test event" sends; no endpoint subscribes to it.
PING = "ping"

#: Every type an endpoint may subscribe to, with what it reports (the form and the OpenAPI document show it).
TYPES: dict[str, str] = {
    "commitment.submitted": "A commitment was submitted for countersignature.",
    "commitment.countersigned": "A product manager countersigned a commitment.",
    "commitment.rejected": "A product manager rejected a commitment, with the reason.",
    "commitment.changes_requested": "A product manager sent a commitment back for changes, with a note.",
    "commitment.at_risk": "A countersigned commitment's milestone moved past its promised date.",
    "commitment.withdrawn": "The seller withdrew a commitment, with the reason.",
    "milestone.moved": "A planned campaign's milestone got a new due date, in a re-plan with its reason.",
    "milestone.completed": "A milestone was marked done.",
    "campaign.state_changed": "A campaign took a lifecycle step (submit, plan, launch, hold, complete, cancel…).",
    "feedback.answered": "A product manager decided on a feedback item and answered the seller.",
    "product.updated": "A product's facts changed (name, summary, traits, status, regions, price bands, material).",
}

#: The domain event behind each type, for the payload's schema, and how an event names its type.
EVENTS: dict[type[Event], Callable[[Any], str | None]] = {
    CommitmentStateChanged: lambda e: COMMITMENT_STEPS.get(e.step),
    MilestoneMoved: lambda e: "milestone.moved",
    MilestoneCompleted: lambda e: "milestone.completed",
    CampaignStateChanged: lambda e: "campaign.state_changed",
    FeedbackAnswered: lambda e: "feedback.answered",
    ProductChanged: lambda e: "product.updated",
}
SOURCES: dict[str, type[Event]] = {
    **{name: CommitmentStateChanged for name in COMMITMENT_STEPS.values()},
    "milestone.moved": MilestoneMoved, "milestone.completed": MilestoneCompleted,
    "campaign.state_changed": CampaignStateChanged, "feedback.answered": FeedbackAnswered,
    "product.updated": ProductChanged,
}
assert set(SOURCES) == set(TYPES)


def type_of(event: Event) -> str | None:
    """The webhook type ``event`` is published as, or None (a step no type names: a commitment amended)."""
    name = EVENTS.get(type(event))
    return name(event) if name is not None else None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat() + "Z"  # stored times are naive UTC
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def event_data(event: Event) -> dict[str, Any]:
    """The event's fields as JSON values: dates ISO 8601, tuples lists."""
    return {field.name: _plain(getattr(event, field.name)) for field in dataclasses.fields(event)}


def body(type_name: str, at: datetime, data: dict[str, Any]) -> str:
    """A message's body, as it is stored, signed and sent: compact JSON."""
    return json.dumps({"type": type_name, "timestamp": at.isoformat(timespec="seconds") + "Z", "data": data},
                      separators=(",", ":"), ensure_ascii=False)
