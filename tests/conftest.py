"""Shared fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), a clean
database per test, a frozen clock, clients signed in as any user, and builders for campaigns.

The schema is built by the Alembic migrations, once per run, so the tests also prove
that the migrations produce what the models describe.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.accounts.models import Role, User
from app.catalog import services as catalog
from app.catalog.models import Product
from app.core import clock as app_clock
from app.extensions import db
from app.projects import services as projects
from app.projects.models import Project
from app.regions.models import Region
from tests import redisdb
from tests.clock import DEFAULT_NOW, TestClock, outside_a_test
from tests.factories import PASSWORD, RegionFactory, UserFactory
from tests.fixtures.clients import RequestClient
from tests.fixtures.database import empty_tables

app_clock.use(outside_a_test)

#: Fixtures more than one folder uses; test modules import helpers from tests/fixtures, never a conftest.
pytest_plugins = ("tests.fixtures.feasibility", "tests.fixtures.imports", "tests.fixtures.mail")


def pytest_report_header() -> list[str]:
    header = [f"app clock: frozen at {DEFAULT_NOW:%a %d %b %Y %H:%M} UTC unless a test moves it (tests/clock.py)"]
    if os.environ.get("TEST_WALL_CLOCK_OFFSET"):
        header.append(f"wall clock: moved to {app_clock.wall():%a %d %b %Y %H:%M:%S} UTC "
                      f"(TEST_WALL_CLOCK={os.environ.get('TEST_WALL_CLOCK')}, scripts/test-at)")
    return header


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def _reset_schema(app: Flask) -> None:
    """Drop whatever an earlier run left, then build the schema through the migrations."""
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    tmp_dir = tmp_path_factory.mktemp("countersign")
    # Uploaded decks go to the run's own folder, never to the developer's instance/uploads.
    application = create_app({"SQLALCHEMY_DATABASE_URI": database_url(tmp_dir), "TESTING": True,
                              "UPLOAD_DIR": str(tmp_dir / "uploads")})
    _reset_schema(application)
    return application


@pytest.fixture(autouse=True)
def _app_context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that touches the app runs inside its context and leaves the database empty."""
    if "app" not in request.fixturenames and not request.node.get_closest_marker("db"):
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        yield
        db.session.rollback()
        empty_tables()
        db.session.remove()


@pytest.fixture(autouse=True)
def clock() -> Iterator[TestClock]:
    """Every test runs on the application's clock frozen at ``DEFAULT_NOW`` (tests/clock.py), and
    moves it with ``clock.to(...)`` / ``clock.advance(...)``; a folder's conftest may start it elsewhere."""
    with TestClock(DEFAULT_NOW).installed() as frozen:
        yield frozen


_MISSING = object()


@pytest.fixture
def configure(app: Flask) -> Iterator[Callable[..., None]]:
    """``configure(MAIL_TRANSPORT="file", ...)``: change settings for this test only (the app is
    shared by the whole session, so each one is put back afterwards)."""
    saved: dict[str, Any] = {}

    def change(**values: Any) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key, _MISSING))
            app.config[key] = value

    yield change
    for key, value in saved.items():
        if value is _MISSING:
            app.config.pop(key, None)
        else:
            app.config[key] = value


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = RequestClient
    return app.test_client()


@pytest.fixture
def login(app: Flask) -> Callable[[User], FlaskClient]:
    """``login(user)`` returns a new client signed in as ``user``."""

    def sign_in(user: User) -> FlaskClient:
        app.test_client_class = RequestClient
        signed_in = app.test_client()
        response = signed_in.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return signed_in

    return sign_in


@pytest.fixture
def people(app: Flask) -> dict[str, User]:
    """One person of every role, plus a second sales manager and an outsider team member."""
    users = {
        "admin": UserFactory(role=Role.ADMIN, name="Ada Admin"),
        "sales": UserFactory(role=Role.SALES_MANAGER, name="Sam Seller"),
        "sales2": UserFactory(role=Role.SALES_MANAGER, name="Sue Second"),
        "pm": UserFactory(role=Role.PROJECT_MANAGER, name="Priya Planner"),
        "product": UserFactory(role=Role.PRODUCT_MANAGER, name="Pat Product"),
        "team": UserFactory(role=Role.TEAM_MEMBER, name="Tara Teammate"),
        "outsider": UserFactory(role=Role.TEAM_MEMBER, name="Oscar Outsider"),
    }
    db.session.commit()
    return users


@pytest.fixture
def make_product(people: dict[str, User]) -> Callable[..., Product]:
    """A catalog product owned by ``people["product"]``, with coverage per region and one price band."""

    def build(
        name: str = "Northwind Pro",
        status: str = "available",
        owners: list[User] | None = None,
        coverage: dict[Region, str] | None = None,
        available_from: date | None = None,
        band: tuple[str, str, str] | None = ("Pro", "100.00", "80.00"),
    ) -> Product:
        owner = (owners or [people["product"]])[0]
        product = catalog.create_product(owner, catalog.ProductInput(
            name=name, status=status, available_from=available_from,
            owner_ids=[u.id for u in (owners or [people["product"]])],
            key_traits="Single sign-on\nAudit log", differences="Half the price of the leader",
        ))
        for region, state in (coverage or {}).items():
            reason = "Not certified under local rules" if state == "not_allowed" else ""
            planned = app_clock.today() + timedelta(days=90) if state == "planned" else None
            catalog.set_coverage(owner, product, region, state, reason, planned)
        if band is not None:
            catalog.save_band(owner, product, None, band[0], Decimal(band[1]), Decimal(band[2]), "per seat / month")
        db.session.commit()
        return product

    return build


@pytest.fixture
def make_project(people: dict[str, User]) -> Callable[..., Project]:
    """Build a campaign through the services, optionally walked to a lifecycle state."""

    def build(
        title: str = "Upgrade campaign",
        template: str | None = "upgrade_campaign",
        state: str = "draft",
        start: date | None = None,
        owner: User | None = None,
        **overrides: Any,
    ) -> Project:
        start = start or app_clock.today() - timedelta(days=30)
        # Every region the test made so far (commitments may name only their campaign's), else a new one.
        made = db.session.scalars(sa.select(Region.id).where(Region.active).order_by(Region.id)).all()
        region_ids = list(made) or [RegionFactory().id]
        fields: dict[str, Any] = {
            "title": title,
            "start_date": start,
            "end_date": start + timedelta(days=730),
            "goal_metric": "Customers on the new tier",
            "goal_unit": "%",
            "goal_baseline": 0.0,
            "goal_target": 50.0,
            "region_ids": region_ids,
            "project_manager_id": people["pm"].id,
            "product_manager_ids": [people["product"].id],
            "member_ids": [people["team"].id],
        }
        fields.update(overrides)
        chosen = projects.templates_by_key()[template] if template else None
        project = projects.launch_project(owner or people["sales"], projects.ProjectInput(**fields), chosen)
        path = [("submit", project.owner), ("plan", people["pm"]), ("launch", people["pm"])]
        targets = {"draft": 0, "proposed": 1, "planned": 2, "active": 3}
        for event, actor in path[: targets[state]]:
            projects.fire_transition(actor, project, event)
        db.session.commit()
        return project

    return build


@pytest.fixture
def feedback_world(make_product, make_project, people: dict[str, User]) -> dict[str, Any]:
    """For the feedback suites: Northwind Pro (managed by people["product"]), Contoso Hub (by another
    product manager), a planned campaign and a region."""
    other_pm = UserFactory(role=Role.PRODUCT_MANAGER, name="Olga Other")
    product = make_product()
    other = make_product(name="Contoso Hub", owners=[other_pm])
    project = make_project(state="planned")
    region = RegionFactory(name="Southern Europe")
    db.session.commit()
    return {"product": product, "other": other, "other_pm": other_pm, "project": project, "region": region}


# --- Redis -------------------------------------------------------------------------------------------

@pytest.fixture
def redis_db(app: Flask, configure: Callable[..., None]) -> Iterator[redisdb.ClaimedRedis]:
    """A real Redis database of this test's own on 127.0.0.1:6379 (one of 1..15, claimed with
    ``SET countersign-test-db-claim <uuid> NX EX 3600``: see tests/redisdb.py), with the app's queue
    on it under a name of its own (jobs not inline), so no two runs ever share one."""
    claimed = redisdb.claim()
    try:
        redisdb.drop_app_connection(app)
        configure(REDIS_URL=claimed.url, QUEUE_NAME=claimed.queue_name, JOBS_INLINE=False)
        yield claimed
    finally:
        redisdb.drop_app_connection(app)
        claimed.release()


@pytest.fixture
def no_redis(app: Flask, configure: Callable[..., None]) -> Iterator[None]:
    """No REDIS_URL at all (the tests' default, made explicit whatever the environment says)."""
    redisdb.drop_app_connection(app)
    configure(REDIS_URL="")
    yield
    redisdb.drop_app_connection(app)
