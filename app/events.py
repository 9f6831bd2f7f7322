"""Every domain event Countersign emits, with its payload: the contract.

This module doubles as the contract webhooks publish to a CRM or any other integration
(``app/webhooks/catalogue.py`` names their types): each class is one event type (its name is the
type), each field one key of its payload. A
payload holds ids and plain values only, as they stood when the change was made; a consumer
that needs more reads the record by its id (the JSON API). Every event is emitted in the
transaction of the change it reports (:func:`app.core.events.emit`): it exists exactly when
the change does.

``step``, ``from_state`` and ``to_state`` are the names the workflow in ``workflows/`` gives
them (``"approve"``, ``"pending_signoff"`` → ``"approved"``). Adding a field is a compatible
change; renaming or removing one is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.core.events import Event


@dataclass(frozen=True)
class CampaignCreated(Event):
    """A campaign was created, as a draft: blank (``template`` is ``""``) or from the template of
    that key, whose milestones it starts with (added in the same transaction); or cloned from the
    campaign ``cloned_from_id`` (``template`` is then ``""``), whose milestones it starts with,
    moved by the difference between the two start dates."""

    project_id: int
    actor_id: int
    template: str
    #: Added for cloning; ``None`` for every campaign not cloned (listeners written before it still hold).
    cloned_from_id: int | None = None


@dataclass(frozen=True)
class CampaignStateChanged(Event):
    """A campaign took a lifecycle step (submit, plan, launch, hold, resume, complete, cancel, …)."""

    project_id: int
    actor_id: int
    step: str
    from_state: str
    to_state: str
    reason: str  # "" when the step asked for none


@dataclass(frozen=True)
class MilestoneMoved(Event):
    """A planned campaign's milestone got a new due date, as part of a re-plan with its reason."""

    milestone_id: int
    project_id: int
    replan_id: int
    actor_id: int
    old_due_date: date
    new_due_date: date
    reason: str


@dataclass(frozen=True)
class MilestonePlanChanged(Event):
    """One milestone's place on the roadmap changed through its own form or step: it was added, its
    due date or target changed, it was cancelled, restored or removed. ``changes`` lists what, as
    ``(kind, old, new)`` with ``kind`` one of ``added``, ``moved``, ``target``, ``cancelled``,
    ``restored``, ``removed``; ``old`` and ``new`` are ISO dates for ``added``, ``moved`` and
    ``removed`` (``""`` for none), numbers for ``target`` and milestone states for ``cancelled`` and
    ``restored``. Emitted after the change, except ``removed``: just before the milestone is deleted.
    In a planned campaign the roadmap records it as a re-plan (each move also announced as
    MilestoneMoved); a re-plan of several milestones at once is announced by MilestoneMoved only."""

    milestone_id: int
    project_id: int
    actor_id: int
    changes: tuple[tuple[str, str, str], ...]
    reason: str  # "" when none was given (a campaign not yet planned needs none)


@dataclass(frozen=True)
class MilestoneCompleted(Event):
    """A milestone was marked done (its ``complete`` step); reopening it later announces nothing here."""

    milestone_id: int
    project_id: int
    actor_id: int


@dataclass(frozen=True)
class TaskAssigned(Event):
    """A task was given to someone: when it was created with an assignee, or its assignee changed."""

    task_id: int
    project_id: int
    actor_id: int
    assignee_id: int


@dataclass(frozen=True)
class TaskUnassigned(Event):
    """A task was taken off its assignee and given to nobody (a new assignee is :class:`TaskAssigned`)."""

    task_id: int
    project_id: int
    actor_id: int
    previous_assignee_id: int


@dataclass(frozen=True)
class TaskRemoved(Event):
    """A task is about to be deleted (emitted just before it is, so listeners still find it)."""

    task_id: int
    project_id: int
    actor_id: int


@dataclass(frozen=True)
class CommitmentStateChanged(Event):
    """A commitment took a sign-off step: submitted, countersigned (``approve``), rejected, sent back
    for changes, amended, flagged at risk or cleared, fulfilled, withdrawn."""

    commitment_id: int
    project_id: int
    actor_id: int
    step: str
    from_state: str
    to_state: str
    note: str  # the reason or note given with the step, "" if none


@dataclass(frozen=True)
class FeedbackFiled(Event):
    """Sales recorded what a customer or the market said; it waits in its products' triage queue."""

    feedback_id: int
    actor_id: int


@dataclass(frozen=True)
class FeedbackAnswered(Event):
    """A product manager decided on a feedback item (now, later, declined, duplicate, done) with an answer."""

    feedback_id: int
    actor_id: int
    step: str
    from_state: str
    to_state: str
    answer: str


@dataclass(frozen=True)
class FeedbackMerged(Event):
    """A feedback item was decided a duplicate of ``original_id``, whose weight grew by its revenue."""

    feedback_id: int
    original_id: int
    actor_id: int


@dataclass(frozen=True)
class ProductUpdatePublished(Event):
    """A product's manager published an update (price band, region, retirement, …) to every seller."""

    update_id: int
    product_id: int
    actor_id: int
    requires_ack: bool


@dataclass(frozen=True)
class BriefingLogged(Event):
    """A product manager logged a briefing given to a sales team."""

    briefing_id: int
    actor_id: int


@dataclass(frozen=True)
class BriefingUpdated(Event):
    """A logged briefing was changed; ``added_attendee_ids`` are the people listed as attendees anew."""

    briefing_id: int
    actor_id: int
    added_attendee_ids: tuple[int, ...]


@dataclass(frozen=True)
class TeamSaved(Event):
    """An admin created a sales team or changed its name or region (``name`` and ``region_id`` as saved)."""

    team_id: int
    actor_id: int
    name: str
    region_id: int


@dataclass(frozen=True)
class ProductChanged(Event):
    """A product's facts, what sales may promise, changed: ``changes`` names which, each one of
    ``created``, ``name``, ``summary``, ``traits``, ``differences``, ``status``, ``available_from``,
    ``currency``, ``regions``, ``price_bands``, ``material`` (a change of its managers alone is none)."""

    product_id: int
    actor_id: int
    changes: tuple[str, ...]


@dataclass(frozen=True)
class WebhookEndpointDisabled(Event):
    """A webhook endpoint was turned off after failing every delivery for a day (``failing_since``
    is when its first failure in a row was, ISO 8601 UTC); the admins are told."""

    endpoint_id: int
    url: str
    failing_since: str


@dataclass(frozen=True)
class CustomerMerged(Event):
    """Two records of one customer became one: ``duplicate_id``'s commitments and feedback now point to
    ``survivor_id``, its CRM id is kept as an alias of the survivor, and the duplicate is gone."""

    survivor_id: int
    duplicate_id: int
    duplicate_name: str
    actor_id: int


@dataclass(frozen=True)
class CommentPosted(Event):
    """Someone commented on a record (``kind``: campaign, milestone, commitment or feedback) or edited
    their comment; ``mentioned_ids`` are the people it newly @mentions (each told if they may see it)."""

    comment_id: int
    kind: str
    record_id: int
    actor_id: int
    mentioned_ids: tuple[int, ...]


#: The event types there are, declared to :mod:`app.core.events` by the app factory.
CATALOGUE: tuple[type[Event], ...] = (
    CampaignCreated,
    CampaignStateChanged,
    MilestoneMoved,
    MilestonePlanChanged,
    MilestoneCompleted,
    TaskAssigned,
    TaskUnassigned,
    TaskRemoved,
    CommitmentStateChanged,
    FeedbackFiled,
    FeedbackAnswered,
    FeedbackMerged,
    ProductUpdatePublished,
    BriefingLogged,
    BriefingUpdated,
    TeamSaved,
    ProductChanged,
    WebhookEndpointDisabled,
    CustomerMerged,
    CommentPosted,
)
