"""Calendar links for the tests: ``subscribe(user, kind, ...)`` returns the link's token,
``fetch(token)`` the parsed calendar (or the response, for status checks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import icalendar
import pytest
from flask.testing import FlaskClient

from app.accounts.models import User
from app.calendars import services
from app.calendars.services import FeedInput
from app.commitments import services as commitments
from app.commitments.services import CommitmentInput
from app.core import clock
from app.extensions import db
from app.milestones import services as milestones
from app.milestones.services import TaskInput
from app.projects.models import Project
from tests.calendars.helpers import feed_path
from tests.factories import RegionFactory


@pytest.fixture
def campaign(make_project: Callable[..., Project], people: dict[str, User]) -> Project:
    """An active campaign with its template's milestones, Tara on it, and two tasks on the first
    milestone: one for Tara (due with the milestone), one for Priya (due three days before)."""
    project = make_project(title="Northwind Pro upgrade", state="active")
    first = project.milestones[0]
    milestones.create_task(people["pm"], first, TaskInput(title="Call the top 20 accounts",
                                                          assignee_id=people["team"].id))
    milestones.create_task(people["pm"], first, TaskInput(title="Draft the offer", assignee_id=people["pm"].id,
                                                          due_date=first.due_date - timedelta(days=3)))
    db.session.commit()
    return project


@pytest.fixture
def subscribe(app: Any) -> Callable[..., str]:
    def create(user: User, kind: str = "mine", **fields: Any) -> str:
        _, token = services.create_feed(user, FeedInput(name=fields.pop("name", f"{kind} feed"), kind=kind, **fields))
        db.session.commit()
        return token

    return create


@pytest.fixture
def fetch(client: FlaskClient) -> Callable[..., icalendar.Calendar]:
    def get(token: str, **headers: str) -> icalendar.Calendar:
        response = client.get(feed_path(token), headers=headers)
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/calendar"
        return icalendar.Calendar.from_ical(response.data)

    return get


@pytest.fixture
def promised(campaign, people, make_product):
    """Three commitments on the campaign: one waiting for countersignature, one countersigned and
    depending on the second milestone, one draft."""
    region = RegionFactory(name="Southern Europe")
    campaign.regions.append(region)  # a commitment names one of its campaign's regions
    product = make_product(coverage={region: "sellable"})

    def record(customer: str, days: int, **extra) -> object:
        return commitments.create_commitment(people["sales"], campaign, CommitmentInput(
            customer=customer, product_id=product.id, region_id=region.id, promise="SSO for 500 seats",
            promised_date=clock.today() + timedelta(days=days), unit_price=Decimal("90.00"), quantity=500,
            band_id=product.bands[0].id, **extra))

    waiting = record("Acme GmbH", 60)
    commitments.fire(people["sales"], waiting, "submit")
    signed = record("Globex", 400, milestone_id=campaign.milestones[1].id)
    commitments.fire(people["sales"], signed, "submit")
    commitments.fire(people["product"], signed, "approve")
    draft = record("Initech", 90)
    db.session.commit()
    return {"waiting": waiting, "signed": signed, "draft": draft}
