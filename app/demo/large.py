"""``flask demo --size large|huge``: a data set the size of a real sales organisation, in seconds.

On top of the demo (whose sign-ins keep working), :func:`build` adds people of every role,
campaigns in every state with their roadmaps, tasks, actuals and spend, commitments, feedback,
briefings, product updates, inboxes, calendar links and the reminder schedules of all of it:
realistic shapes at any :class:`Size`, from the same seed the same data.

Why not through the services, as the demo is: a service call per row costs milliseconds, and
the large set has hundreds of thousands of rows. So each row is a dict and each chunk one
``INSERT ... executemany`` (app/demo/bulk.py), written as the services would have left it: the
same columns, states reached by the workflows' own transitions, the audit trail, and derived
rows (reminder schedules, feedback weights, outcomes) consistent with the rest. tests/demo
checks that the forms accept the values and that a sync of the schedules changes nothing.

It runs in the caller's transaction and only flushes; the caller commits. A second build is
refused (:class:`AlreadyBuilt`): the busy project manager's account marks a built set.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.calendars import stamps
from app.core import clock
from app.core.errors import ServiceError
from app.demo import large_campaigns, large_inbox, large_org, large_roadmaps, large_sales
from app.demo.bulk import Bulk, analyze
from app.demo.large_world import World
from app.demo.services import DEMO_PASSWORD, DemoSummary, load_demo
from app.extensions import db
from app.milestones.models import Milestone, Task
from app.notifications.models import Notification
from app.projects.models import Project, ProjectMember
from app.reminders.models import ReminderSchedule
from app.roadmap.models import BaselineItem
from workflows.commitment import CommitmentState

__all__ = ["BUSY_PM_EMAIL", "SEED", "AlreadyBuilt", "Size", "Summary", "analyze", "build", "is_built"]

#: The project manager on many campaigns; their account also marks a built large set.
BUSY_PM_EMAIL = "pm.large@example.com"
BUSY_PM_NAME = "Rosa Delgado"
SEED = 14


@dataclass(frozen=True)
class Size:
    """How much to build. ``Size.LARGE`` and ``Size.HUGE`` are the presets; ``scaled`` makes any other."""

    people: int
    campaigns: int
    milestones: int
    tasks: int
    commitments: int
    feedback: int
    #: Campaigns the busy project manager leads (and so sees, as any member does).
    busy_pm_campaigns: int
    briefings: int
    updates: int

    LARGE: ClassVar[Size]
    HUGE: ClassVar[Size]

    #: The fewest people that still hold every role (and the busy project manager).
    MIN_PEOPLE: ClassVar[int] = 12

    def __post_init__(self) -> None:
        if self.people < self.MIN_PEOPLE or self.campaigns < 1 or self.milestones < self.campaigns:
            raise ValueError(f"Too small to hold every role and a milestone per campaign: {self}")
        if any(n < 0 for n in (self.tasks, self.commitments, self.feedback, self.briefings, self.updates)):
            raise ValueError(f"Counts cannot be negative: {self}")
        if not 1 <= self.busy_pm_campaigns <= self.campaigns:
            raise ValueError(f"The busy project manager leads 1 to {self.campaigns} campaigns, not "
                             f"{self.busy_pm_campaigns}")

    def scaled(self, factor: float) -> Size:
        """Every count times ``factor`` (``Size.LARGE.scaled(0.01)``: a hundredth), within the minimums."""
        def times(count: int, least: int = 1) -> int:
            # At least one of whatever the size has, so a small scale still shows every kind of record.
            return max(least if count else 0, round(count * factor))

        campaigns = times(self.campaigns)
        return Size(
            people=times(self.people, self.MIN_PEOPLE), campaigns=campaigns,
            milestones=times(self.milestones, campaigns), tasks=times(self.tasks), commitments=times(self.commitments),
            feedback=times(self.feedback), busy_pm_campaigns=min(campaigns, times(self.busy_pm_campaigns)),
            briefings=times(self.briefings), updates=times(self.updates),
        )


Size.LARGE = Size(people=200, campaigns=1_000, milestones=20_000, tasks=20_000, commitments=3_000, feedback=2_000,
                  busy_pm_campaigns=200, briefings=200, updates=40)
#: Ten times the organisation: each person's own share stays as in LARGE (the busy project manager too, on
#: 200 campaigns), so what grows is the database around them, not what one person sees.
Size.HUGE = replace(Size.LARGE.scaled(10), busy_pm_campaigns=Size.LARGE.busy_pm_campaigns)


@dataclass
class Summary:
    """What :func:`build` made, and whom to sign in as to see it."""

    size: Size
    seconds: float
    #: Rows written per table (the demo's own rows not included).
    rows: dict[str, int]
    campaigns_by_state: dict[str, int]
    admin_email: str
    busy_pm_email: str
    busy_pm_campaigns: int
    #: A seller on many campaigns, and a product manager with a queue of requests to countersign.
    seller_email: str
    signer_email: str
    #: The busy project manager's calendar links by kind ("mine", "project"): the token of each.
    feed_tokens: dict[str, str] = field(default_factory=dict)
    demo: DemoSummary = field(default_factory=DemoSummary)


class AlreadyBuilt(ServiceError):
    status = 409
    code = "conflict"

    def __init__(self) -> None:
        super().__init__(f"A large data set is already loaded ({BUSY_PM_EMAIL} exists): nothing changed. "
                         "Start from an empty database to build another.")


def is_built() -> bool:
    """Whether a large data set is already in the database (the busy project manager's account)."""
    return db.session.scalar(sa.select(User.id).where(User.email == BUSY_PM_EMAIL)) is not None


def build(size: Size, *, seed: int = SEED, progress: Callable[[str], None] | None = None) -> Summary:
    """Load the demo if missing, then add a data set of ``size`` on top; flushes, the caller commits.

    Raises :class:`AlreadyBuilt` when one is there already (nothing is written then).
    """
    if is_built():
        raise AlreadyBuilt()
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    demo = load_demo(clock.today())
    db.session.flush()
    say(f"demo data ready ({time.perf_counter() - started:.1f} s)")
    world = World(rng=random.Random(seed), today=clock.today(), now=clock.now(), bulk=Bulk())
    world.bulk.defer_indexes(DEFERRED_INDEXES)
    # Millions of rows are made and dropped, and the records kept grow all along: the cycle collector
    # would walk them again and again for nothing (nothing here is garbage until the build ends).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name, step in STEPS:
            began = time.perf_counter()
            step(world, size)
            say(f"{name} ({time.perf_counter() - began:.1f} s)")
    finally:
        if collecting:
            gc.enable()
    began = time.perf_counter()
    world.bulk.finish()
    # The feeds' change stamps follow ORM writes only: these bypassed them (see app/calendars/stamps.py).
    stamps.bump_all(db.session)
    say(f"indexes and calendar stamps ({time.perf_counter() - began:.1f} s)")
    return _summary(world, size, demo, time.perf_counter() - started)


def _organisation(world: World, size: Size) -> None:
    large_org.build_people(world, size.people, _password_hash(), BUSY_PM_EMAIL, BUSY_PM_NAME)
    large_org.build_preferences(world)
    large_org.build_regions(world)
    large_org.build_teams(world)
    large_org.build_catalog(world)


def _campaigns(world: World, size: Size) -> None:
    large_campaigns.build_campaigns(world, size.campaigns, size.busy_pm_campaigns)
    large_roadmaps.build_roadmaps(world, size.milestones)
    large_roadmaps.build_tasks(world, size.tasks)


def _sales(world: World, size: Size) -> None:
    large_sales.build_commitments(world, size.commitments)
    large_sales.build_feedback(world, size.feedback)
    large_sales.build_briefings(world, size.briefings)
    large_sales.build_updates(world, size.updates)


def _inboxes(world: World, size: Size) -> None:
    large_inbox.build_inboxes(world)
    large_inbox.build_mutes(world)
    large_inbox.build_calendars(world)


def _schedules(world: World, size: Size) -> None:
    large_inbox.build_schedules(world)


#: The largest tables, whose indexes are made once after the load rather than kept up row by row.
DEFERRED_INDEXES = tuple(model.__table__ for model in (
    ReminderSchedule, Milestone, Task, Notification, AuditEvent, BaselineItem, ProjectMember))

#: In order: each step reads what the ones before it built.
STEPS: tuple[tuple[str, Callable[[World, Size], None]], ...] = (
    ("people, settings, regions and catalog", _organisation),
    ("campaigns, roadmaps and tasks", _campaigns),
    ("commitments, feedback, briefings and updates", _sales),
    ("inboxes, muted campaigns and calendar links", _inboxes),
    ("reminder schedules", _schedules),
)


def _password_hash() -> str:
    """One hash of the demo password for everyone: scrypt is slow on purpose, and it is the same password."""
    return generate_password_hash(DEMO_PASSWORD, method="scrypt")


def _summary(world: World, size: Size, demo: DemoSummary, seconds: float) -> Summary:
    by_state: dict[str, int] = {}
    for campaign in world.campaigns:
        by_state[campaign.state] = by_state.get(campaign.state, 0) + 1
    sellers = sorted(world.sellers(), key=lambda p: -len(p.campaigns))
    signers = {c.signer.email: 0 for c in world.commitments}
    for commitment in world.commitments:
        if commitment.state == CommitmentState.PENDING_SIGNOFF:
            signers[commitment.signer.email] += 1
    busy = world.busy_pm
    assert busy is not None
    admin = db.session.scalar(sa.select(User.email).where(User.role == Role.ADMIN, User.active).order_by(User.id))
    return Summary(
        size=size, seconds=seconds, rows=dict(world.bulk.rows), campaigns_by_state=by_state,
        admin_email=admin or "", busy_pm_email=busy.email,
        busy_pm_campaigns=db.session.scalar(sa.select(sa.func.count()).select_from(Project)
                                            .where(Project.project_manager_id == busy.id)) or 0,
        seller_email=sellers[0].email if sellers else "",
        signer_email=max(signers, key=lambda email: signers[email]) if signers else "",
        feed_tokens=dict(world.feed_tokens), demo=demo,
    )
