"""What the large data set's builders share: the seeded dice, the clock, and what was built so far.

Each builder (app/demo/large_*.py) reads what earlier ones made from :class:`World` (people,
campaigns, milestones, kept as small slotted records rather than ORM objects) and adds its own.
Only rows that later rows point at are kept; everything else goes straight to the database.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.demo.bulk import CHUNK, Bulk
from app.notifications.models import DEFAULTS, Notification
from app.projects.models import ProjectRole
from workflows.milestone import MilestoneState
from workflows.project import CLOSED_STATES

T = TypeVar("T")


@dataclass(slots=True, eq=False)
class Person:
    id: int
    email: str
    name: str
    role: Role
    sales_rep: bool
    active: bool
    #: Campaigns this person is on (any role), in the order they joined.
    campaigns: list[Campaign] = field(default_factory=list)

    @property
    def sells(self) -> bool:
        return self.role is Role.SALES_MANAGER or self.sales_rep


@dataclass(slots=True, eq=False)
class Band:
    id: int
    tier: str
    list_price: Decimal
    minimum: Decimal


@dataclass(slots=True, eq=False)
class Product:
    id: int
    name: str
    status: str
    owners: list[Person]
    bands: list[Band]
    #: Regions where it may be sold today.
    sellable: set[int]


@dataclass(slots=True, eq=False)
class Campaign:
    id: int
    title: str
    kind: str
    state: str
    start: date
    end: date
    owner: Person
    pm: Person | None
    members: dict[int, ProjectRole]
    people: list[Person]
    regions: list[int]
    goal_metric: str
    goal_unit: str
    goal_baseline: float
    goal_target: float
    budget: Decimal
    created_at: datetime
    #: Why it is on hold or was cancelled (its ``state_note``).
    note: str = ""
    #: When it was submitted, planned, launched, and held, completed or cancelled (None: not yet).
    steps: dict[str, datetime] = field(default_factory=dict)
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/campaigns/{self.id}"

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES


@dataclass(slots=True, eq=False)
class Milestone:
    id: int
    campaign: Campaign
    title: str
    due: date
    target: float | None
    owner: Person | None
    uuid: uuid.UUID
    position: int = 0
    state: str = MilestoneState.OPEN
    note: str = ""  # why it was cancelled
    completed_at: datetime | None = None
    version: int = 1
    tasks: list[Task] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/campaigns/{self.campaign.id}#milestone-{self.id}"


@dataclass(slots=True, eq=False)
class Task:
    id: int
    milestone: Milestone
    title: str
    assignee: Person | None
    due: date | None
    position: int = 0
    done: bool = False
    done_at: datetime | None = None

    @property
    def effective_due(self) -> date:
        return self.due or self.milestone.due


@dataclass(slots=True, eq=False)
class Commitment:
    id: int
    campaign: Campaign
    title: str  # "Customer: Product in Region", as the model's own ``title``
    state: str
    seller: Person
    signer: Person
    promised: date
    submitted_at: datetime | None


@dataclass
class World:
    """The dice, the clock and the records built so far."""

    rng: random.Random
    today: date
    now: datetime
    bulk: Bulk
    people: list[Person] = field(default_factory=list)
    regions: dict[int, str] = field(default_factory=dict)  # id -> name
    products: list[Product] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    #: Every milestone moved by a re-plan: (when, milestone, old date, new date, why).
    moves: list[tuple[datetime, Milestone, date, date, str]] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    customers: dict[str, int] = field(default_factory=dict)  # name -> id
    busy_pm: Person | None = None
    #: The notification settings rows made (by person id); everyone else has the defaults.
    prefs: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Notifications the builders told people of, as rows (see :meth:`tell`).
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: Calendar links made for people to try, by what they show: the token (shown once, as the app does).
    feed_tokens: dict[str, str] = field(default_factory=dict)

    # --- dice ------------------------------------------------------------------------------

    # ``random()`` arithmetic rather than ``randrange``: the same spread, a third of the time, and a
    # huge set draws millions of numbers.

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def number(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + int(self.rng.random() * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.number(low, high))

    def uuid4(self) -> uuid.UUID:
        """A version-4 UUID from the seeded dice, so a rebuild makes the very same ones."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # --- time ------------------------------------------------------------------------------

    def at(self, day: date, hour: int = 10) -> datetime:
        """``hour`` o'clock on ``day`` (plus a few random minutes), never later than now."""
        moment = datetime.combine(day, time(hour, int(self.rng.random() * 60)))
        return min(moment, self.now)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A random moment from ``start`` to ``end`` (``start`` if the span is empty), never later than now."""
        end = min(end, self.now)
        span = (end - start).total_seconds()
        if span <= 0:
            return min(start, self.now)
        return start + timedelta(seconds=int(self.rng.random() * span))

    # --- who -------------------------------------------------------------------------------

    def with_role(self, role: Role, active: bool = True) -> list[Person]:
        return [p for p in self.people if p.role is role and (p.active or not active)]

    def sellers(self) -> list[Person]:
        return [p for p in self.people if p.sells and p.active]

    # --- the inbox -------------------------------------------------------------------------

    def tell(self, person: Person, at: datetime, kind: str, subject: str, body: str, link: str,
             project_id: int | None = None, dedupe_key: str | None = None) -> None:
        """A notification as ``notifications.services.write`` stores it, long since emailed (when the
        person takes email) and mostly read; nothing is left pending, so no old email goes out now."""
        if not person.active:
            return  # nobody notifies a deactivated account
        settings = self.prefs.get(person.id, DEFAULTS)
        category = "reminders" if kind == "reminder" else "updates"
        emailed = bool(settings[f"{category}_email"])
        old = at < self.now - timedelta(days=2)
        read = self.chance(0.8 if old else 0.3)
        self.notes.append({
            "user_id": person.id, "project_id": project_id, "kind": kind, "subject": subject[:200], "body": body,
            "link": link, "created_at": at, "in_app": True, "dedupe_key": dedupe_key,
            "read_at": min(at + timedelta(minutes=self.number(5, 3000)), self.now) if read else None,
            "email_status": "sent" if emailed else "none", "email_digest": emailed and bool(settings["email_digest"]),
            "email_due_at": at if emailed else None, "email_enqueued_at": at if emailed else None,
            "email_claimed_at": at if emailed else None,
            "email_sent_at": min(at + timedelta(minutes=1), self.now) if emailed else None,
            "email_attempts": 1 if emailed else 0, "email_error": "",
        })
        if len(self.notes) >= CHUNK:
            self.flush_notes()

    def flush_notes(self) -> None:
        """Write the notifications told so far (every campaign they name is written by then)."""
        self.bulk.insert(Notification.__table__, self.notes)
        self.notes = []

    # --- the history -----------------------------------------------------------------------

    def audit(self, rows: Iterable[dict[str, Any]]) -> None:
        self.bulk.insert(AuditEvent.__table__, rows)


def audit_row(at: datetime, actor: Person | None, action: str, summary: str, entity: str, entity_id: int | None,
              project_id: int | None = None, from_state: str | None = None, to_state: str | None = None,
              details: dict[str, Any] | None = None) -> dict[str, Any]:
    """One audit event as ``app.audit.services.record`` writes it."""
    return {
        "at": at, "actor_id": actor.id if actor else None, "project_id": project_id, "entity": entity,
        "entity_id": entity_id, "action": action, "from_state": from_state, "to_state": to_state,
        "summary": summary[:300], "details": details or {},
    }
