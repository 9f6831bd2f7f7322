"""Queries per request do not grow with the data.

Every GET route (tests/routes.py) is walked, as an admin (who sees everything) and as the busy
project manager of the large data set (app/demo/large.py), on a data set and on one ten times
larger; a route whose query count grows fails, naming the route and both counts. Each route is
fetched once first (caches warm, the session's "last seen" written) and counted on the second.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import User
from app.core import clock
from app.demo.large import Size, build
from app.extensions import db
from app.milestones import services as milestones
from tests import routes
from tests.fixtures.clients import RequestClient
from tests.fixtures.database import empty_tables
from tests.queries import counting

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
