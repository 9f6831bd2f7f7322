"""Queries per request do not grow with the data.

Every GET route (tests/routes.py) is walked, as an admin (who sees everything) and as the busy
project manager of the large data set (app/demo/large.py), on a data set and on one ten times
larger; a route whose query count grows fails, naming the route and both counts. Each route is
fetched once first (caches warm, the session's "last seen" written) and counted on the second.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import Role, User
from app.catalog.models import Product
from app.commitments.models import Commitment
from app.core import clock
from app.demo.large import Size, build
from app.extensions import db
from app.milestones import services as milestones
from app.projects.models import Project, ProjectMember
from app.regions.models import Region
from tests import routes
from tests.factories import CustomerFactory, UserFactory
from tests.fixtures.clients import RequestClient
from tests.fixtures.database import empty_tables
from tests.queries import counting
from workflows.commitment import STATES

SMALL = Size.LARGE.scaled(0.005)  # 5 campaigns, 100 milestones
LARGER = Size.LARGE.scaled(0.05)  # ten times that


def _sign_in(app: Flask, user: User) -> FlaskClient:
    app.test_client_class = RequestClient
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": routes.PASSWORD})
    assert response.status_code == 302, user.email
    return client


def _walk(app: Flask, size: Size) -> dict[tuple[str, str], tuple[int, int]]:
    """Build ``size``, then (status, queries) of every GET route for the admin and the busy PM."""
    build(size)
    db.session.commit()
    return _counts(app)


def _counts(app: Flask, only: str = "") -> dict[tuple[str, str], tuple[int, int]]:
    """(status, queries) of every GET route (whose rule contains ``only``) for the admin and the busy PM."""
    pm = routes.busy_pm()
    values = routes.sample_values(routes.sample_project(pm))
    results: dict[tuple[str, str], tuple[int, int]] = {}
    for who, user in (("admin", routes.admin()), ("pm", pm)):
        client = _sign_in(app, user)
        for rule, url in routes.get_routes(app, values):
            if only not in rule:
                continue
            client.get(url)
            db.session.expire_all()
            with counting() as statements:
                response = client.get(url)
            assert "/login" not in response.headers.get("Location", ""), f"{who} {url}: signed out"
            results[(who, rule)] = (response.status_code, len(statements))
    return results


def test_no_get_route_makes_more_queries_on_ten_times_the_data(app):
    small = _walk(app, SMALL)
    db.session.remove()
    empty_tables()
    larger = _walk(app, LARGER)

    walked = sorted(set(small) & set(larger))
    assert len(walked) >= 100, f"only {len(walked)} routes walked"
    assert [k for k in walked if small[k][0] != larger[k][0]] == []  # the same answer at both sizes
    assert sum(1 for k in walked if small[k][0] == 200) >= 80
    grown = [f"{who} {rule}: {small[(who, rule)][1]} → {larger[(who, rule)][1]} queries"
             for who, rule in walked if larger[(who, rule)][1] > small[(who, rule)][1]]
    assert not grown, "\n".join(grown)


def test_a_campaigns_pages_make_no_more_queries_for_more_milestones_and_tasks(app):
    """The walk above keeps each campaign's shape; this one grows a campaign itself: its page, API
    record, roadmap, change log and charts read its milestones, tasks and re-plans a query per
    list, never one per row. (One of each is added first, so no list goes from empty to not.)"""
    build(SMALL)
    db.session.commit()
    _grow(1)
    before = _counts(app, "<int:project_id>")
    _grow(15)
    after = _counts(app, "<int:project_id>")

    assert len(before) >= 20 and set(before) == set(after)
    assert [k for k in before if before[k][0] != after[k][0]] == []
    grown = [f"{who} {rule}: {before[(who, rule)][1]} → {after[(who, rule)][1]} queries"
             for who, rule in sorted(before) if after[(who, rule)][1] > before[(who, rule)][1]]
    assert not grown, "\n".join(grown)


#: The list across campaigns with filters, as a reader uses it: none may read more for more rows.
ACROSS_URLS = ("/commitments", "/commitments?sort=customer&limit=20", "/commitments?mine=products",
               "/commitments?state=approved&sort=changed", "/commitments.csv?sort=state", "/catalog/",
               "/api/v1/commitments?sort=customer", "/api/v1/commitments?limit=20",
               # Each commitment added below names a customer of its own: the customer list counts them in one
               # aggregate per page, and a customer's page reads its panels a query each.
               "/customers", "/customers?sort=updated&limit=20", "/api/v1/customers?limit=20")


def test_the_commitments_across_campaigns_make_no_more_queries_for_more_commitments(app):
    """The walk above visits /commitments unfiltered; this one fills the busy PM's campaigns with commitments,
    each by a new seller, and counts the list, its CSV, the API and the catalog's counts with filters: a
    query per list, never one per row or per seller (a row's seller, product, region and campaign are
    loaded with the page)."""
    build(SMALL)
    db.session.commit()
    _more_commitments(3)
    before = _across_counts(app)
    _more_commitments(40)
    after = _across_counts(app)

    assert [k for k in before if before[k][0] != 200 or after[k][0] != 200] == []
    grown = [f"{who} {url}: {before[(who, url)][1]} → {after[(who, url)][1]} queries"
             for who, url in sorted(before) if after[(who, url)][1] > before[(who, url)][1]]
    assert not grown, "\n".join(grown)


def _across_counts(app: Flask) -> dict[tuple[str, str], tuple[int, int]]:
    results = {}
    for who, user in (("admin", routes.admin()), ("pm", routes.busy_pm())):
        client = _sign_in(app, user)
        for url in ACROSS_URLS:
            client.get(url)
            db.session.expire_all()
            with counting() as statements:
                response = client.get(url)
            results[(who, url)] = (response.status_code, len(statements))
    return results


def _more_commitments(count: int) -> None:
    """``count`` commitments across the busy PM's campaigns, each by a new seller, across the catalog's products."""
    pm = routes.busy_pm()
    projects = db.session.scalars(sa.select(Project).join(ProjectMember).where(ProjectMember.user_id == pm.id)
                                  .order_by(Project.id)).all()
    products = db.session.scalars(sa.select(Product).order_by(Product.id)).all()
    region_id = db.session.scalar(sa.select(Region.id).order_by(Region.id).limit(1))
    for n in range(count):
        seller = UserFactory(role=Role.SALES_MANAGER)
        db.session.add(Commitment(project=projects[n % len(projects)], customer=CustomerFactory(name=f"Customer {n}"),
                                  product=products[n % len(products)],
                                  region_id=region_id, promise="More seats",
                                  promised_date=clock.today() + timedelta(days=n), created_by=seller,
                                  state=sorted(STATES)[n % len(STATES)]))
    db.session.commit()


def _grow(count: int) -> None:
    """``count`` more milestones of three tasks each on the busy PM's sample campaign (each a re-plan)."""
    pm = routes.busy_pm()
    project = routes.sample_project(pm)
    for n in range(count):
        milestone = milestones.create_milestone(pm, project, milestones.MilestoneInput(
            f"Added milestone {n}", clock.today() + timedelta(days=40 + n), owner_id=pm.id), reason="Grown for the test")
        for t in range(3):
            milestones.create_task(pm, milestone, milestones.TaskInput(f"Task {t}", assignee_id=pm.id))
    db.session.commit()


@pytest.mark.parametrize("endpoint", sorted(routes.NOT_WALKED))
def test_every_route_left_out_says_why_and_is_still_a_route(app, endpoint):
    assert endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}, f"{endpoint} is no longer a route"
