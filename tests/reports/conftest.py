"""A fixed data set for the report tests, with "today" frozen at 15 May 2026 (2026 Q2).

Every record is written with the ORM and explicit dates, so the figures the tests expect can be
worked out by hand from this file. The default period is then 1 Apr 2025 – 15 May 2026:
2025 Q2 … 2026 Q2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.briefings.models import Briefing
from app.catalog.models import Product
from app.commitments.models import Commitment
from app.extensions import db
from app.feedback.models import Feedback
from app.projects.models import Project
from app.regions.models import Region
from tests.factories import CustomerFactory, RegionFactory
from tests.reports.helpers import Dataset

NOW = datetime(2026, 5, 15, 12, 0)


@pytest.fixture
def frozen(clock) -> datetime:
    return clock.to(NOW)


@pytest.fixture
def dataset(people: dict[str, User], make_product: Callable[..., Product], make_project: Callable[..., Project],
            frozen: datetime) -> Dataset:
    north, south = Region(code="N", name="North"), Region(code="S", name="South")
    east = Region(code="E", name="East")  # active, never briefed
    dormant = Region(code="D", name="Dormant", active=False)
    db.session.add_all([north, south, east, dormant])
    alpha, beta = make_product("Alpha"), make_product("Beta")
    product = people["product"]

    def briefing(region: Region, held_on: date, minutes: int, products: list[Product]) -> None:
        db.session.add(Briefing(title=f"Briefing {held_on}", region=region, sales_team="Field sales", held_on=held_on,
                                duration_minutes=minutes, presenter=product, created_by=product, products=products))

    briefing(north, date(2026, 1, 10), 90, [alpha, beta])  # 2026 Q1
    briefing(north, date(2026, 2, 20), 30, [alpha])        # 2026 Q1: North's last briefing
    briefing(north, date(2025, 11, 5), 60, [beta])         # 2025 Q4
    briefing(south, date(2025, 12, 1), 45, [alpha])        # 2025 Q4: South's last briefing
    briefing(south, date(2025, 1, 15), 120, [alpha])       # 2025 Q1: before the period
    briefing(dormant, date(2025, 6, 1), 30, [beta])        # 2025 Q2, in a region since deactivated
    briefing(north, date(2026, 6, 1), 60, [alpha])         # planned: after today

    def feedback(kind: str, region: Region, created: datetime, decided: datetime | None, state: str,
                 products: list[Product] | None = None) -> None:
        db.session.add(Feedback(kind=kind, title=f"{kind} {created}", region=region, submitted_by=people["sales"],
                                created_at=created, first_decided_at=decided, decided_at=decided, state=state,
                                products=products or []))

    feedback("feature_request", north, datetime(2026, 1, 5, 9), datetime(2026, 1, 7, 9), "now", [alpha])  # 2.0 days
    feedback("feature_request", south, datetime(2026, 2, 1), datetime(2026, 2, 4, 12), "later")  # 3.5 days
    feedback("feature_request", north, datetime(2026, 3, 1), datetime(2026, 3, 11), "declined", [beta])  # 10.0 days
    feedback("problem", north, datetime(2025, 10, 10, 12), datetime(2025, 10, 11), "done")  # 0.5 days
    feedback("problem", north, datetime(2026, 4, 20, 10), None, "new")  # waiting 25 days
    feedback("pricing", south, datetime(2026, 5, 1), None, "new")  # waiting 14 days
    feedback("pricing", south, datetime(2024, 12, 1), None, "new")  # before the period, waiting 530 days
    feedback("competitor_intel", north, datetime(2025, 3, 15), datetime(2025, 3, 20), "done")  # before the period

    # Each campaign gets a region of its own (make_project would name every active one), deactivated
    # at the end so that it is no "never briefed" region of the report.
    campaign = make_project("Commitments' campaign", template=None, region_ids=[RegionFactory().id])
    acme = CustomerFactory(name="Acme")

    def commitment(product_: Product, region: Region, state: str, submitted: datetime | None,
                   decided: datetime | None = None) -> None:
        db.session.add(Commitment(project=campaign, customer=acme, product=product_, region=region, promise="SSO",
                                  promised_date=date(2026, 9, 1), state=state, created_by=people["sales"],
                                  submitted_at=submitted, decided_at=decided))

    commitment(alpha, north, "approved", datetime(2026, 1, 10, 9), datetime(2026, 1, 12, 21))  # 2.5 days, 60 h
    commitment(alpha, south, "fulfilled", datetime(2026, 2, 1, 8), datetime(2026, 2, 2, 8))  # 1.0 day, 24 h
    commitment(beta, north, "at_risk", datetime(2025, 11, 3, 10), datetime(2025, 11, 7, 10))  # 4.0 days, 96 h
    commitment(beta, north, "rejected", datetime(2026, 3, 1), datetime(2026, 3, 2))
    commitment(alpha, north, "pending_signoff", datetime(2026, 4, 2))
    commitment(alpha, south, "withdrawn", datetime(2026, 4, 5))
    commitment(alpha, north, "draft", None)  # never submitted
    commitment(alpha, north, "approved", datetime(2025, 2, 1), datetime(2025, 2, 3))  # before the period

    def completed(outcome: str, regions: list[Region], at: datetime | None, updated: datetime | None = None) -> None:
        project = make_project(f"{outcome} {at or updated}", template=None, region_ids=[RegionFactory().id])
        stray = project.regions[0]  # make_project's own region: out of the way, so it is not "never briefed"
        stray.active = False
        project.regions, project.state, project.outcome = regions, "completed", outcome
        if updated is not None:
            project.updated_at = updated
        if at is not None:
            db.session.add(AuditEvent(at=at, entity="project", entity_id=project.id, project_id=project.id,
                                      action="project.complete", summary="Complete", from_state="active",
                                      to_state="completed"))

    completed("achieved", [north], datetime(2026, 2, 10))   # 2026 Q1
    completed("missed", [south], datetime(2026, 3, 30))     # 2026 Q1
    completed("partial", [north], datetime(2025, 8, 15))    # 2025 Q3
    completed("achieved", [north], datetime(2025, 1, 10))   # before the period
    completed("achieved", [south], None, updated=datetime(2025, 12, 20))  # no trail: its last update, 2025 Q4
    campaign.regions[0].active = False
    db.session.commit()
    return Dataset(north, south, east, dormant, alpha, beta)
