"""Fixtures for the JSON API: a client that speaks JSON with a personal bearer token.

``api(user)`` issues a token through the accounts service (committed before the first
request by the RequestClient) and returns a small helper whose ``get/post/patch/delete``
send ``Authorization: Bearer <token>`` and, for writes, a JSON body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app.accounts.models import User
from app.accounts.services import issue_token
from app.extensions import db
from tests.api import conformance
from tests.api.helpers import START, Api
from tests.factories import RegionFactory
from tests.fixtures.clients import RequestClient


@pytest.fixture
def api(app: Flask) -> Callable[[User], Api]:
    """``api(user)`` returns a JSON client authenticated with a fresh token of ``user``."""

    def for_user(user: User) -> Api:
        _token, plain = issue_token(user, "API tests")
        db.session.commit()
        app.test_client_class = RequestClient
        return Api(app.test_client(), user, plain)

    return for_user


@pytest.fixture
def campaign_payload(people: dict[str, User]) -> Callable[..., dict[str, Any]]:
    """``campaign_payload(**overrides)``: a complete, valid body for POST /api/v1/projects."""

    def build(**overrides: Any) -> dict[str, Any]:
        region = RegionFactory()
        payload: dict[str, Any] = {
            "title": "Acme Pro upgrade",
            "start_date": START.isoformat(),
            "end_date": (START + timedelta(days=730)).isoformat(),
            "goal_metric": "Current customers on the new tier",
            "goal_unit": "%",
            "goal_baseline": 0,
            "goal_target": 50,
            "budget": "120000.00",
            "currency": "EUR",
            "region_ids": [region.id],
            "project_manager_id": people["pm"].id,
            "product_manager_ids": [people["product"].id],
            "member_ids": [people["team"].id],
        }
        payload.update(overrides)
        return payload

    return build


@pytest.fixture(autouse=True)
def _responses_match_the_document(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every /api/v1 response of an API test must match the OpenAPI document (tests/api/conformance.py)."""
    if "app" not in request.fixturenames:
        yield
        return
    responses = conformance.checker(request.getfixturevalue("app"))
    responses.problems.clear()
    responses.active = True
    try:
        yield
    finally:
        responses.active = False
    assert not responses.problems, "responses the OpenAPI document does not describe:\n" + "\n".join(responses.problems)
