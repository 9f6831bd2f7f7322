"""Schemathesis against the real app: every operation of the OpenAPI document, fed generated
requests (valid and invalid), must never answer a server error and must answer what the
document says (status, and a body matching its schema).

The caller is an admin with a bearer token on the demo data set (app/demo/services.py), so the
records exist: path ids are drawn from the first few ids as often as from anywhere, and an admin
reaches every campaign. ``FUZZ_EXAMPLES`` sets the examples per operation
(100 in ``scripts/test``; ``bench/fuzz.sh`` runs many more, freshly drawn, by hand).
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from app import create_app
from app.accounts.services import find_by_email, issue_token
from app.api import PREFIX
from app.api.openapi import api_rules, openapi_path
from app.core import clock
from app.demo.services import load_demo
from app.extensions import db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# The suite draws the same requests every run, so a landing is never blocked by luck; a long run
# by hand (bench/fuzz.sh) sets FUZZ_RANDOM=1 to explore new ones.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
KNOWN_IDS = range(1, 6)  # the demo data set's first records of every kind


def _isolated(app: Flask) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The app as a WSGI callable whose every request runs in its own context, as in production
    (tests/conftest.py RequestClient explains why): what the test wrote is committed first."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        db.session.commit()
        body = contextvars.Context().run(lambda: list(app(environ, start_response)))
        db.session.expire_all()
        return body

    return call


@pytest.fixture
def fuzz_target(app: Flask, configure: Callable[..., None], tmp_path: Any) -> tuple[schemathesis.BaseSchema, str]:
    configure(UPLOAD_DIR=str(tmp_path))
    load_demo(clock.today())
    _token, plain = issue_token(find_by_email("admin@example.com"), "schemathesis")
    db.session.commit()
    loaded = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", _isolated(app))

    @loaded.hook
    def map_path_parameters(_context: Any, parameters: dict[str, Any] | None) -> dict[str, Any] | None:
        # Half of the generated ids (the even ones) become one of the records that exist.
        return {name: KNOWN_IDS[value % len(KNOWN_IDS)] if isinstance(value, int) and value % 2 == 0 else value
                for name, value in (parameters or {}).items()} if parameters else parameters

    return loaded, plain


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the routes of an app made for the purpose
    (parametrizing needs them before any fixture runs)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    return [(method, openapi_path(rule)) for rule in api_rules(app)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]


@pytest.mark.parametrize("method, path", _operations())
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(
    fuzz_target: tuple[schemathesis.BaseSchema, str], method: str, path: str,
) -> None:
    loaded, token = fuzz_target
    operation = loaded[path][method]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
        )

    call()


def test_linked_operations_called_in_sequence_never_fail(fuzz_target: tuple[schemathesis.BaseSchema, str]) -> None:
    """The stateful run: schemathesis follows the document's links (a campaign it made, then its
    milestones, their tasks, its commitments and their transitions; a product, then its bands...),
    so the requests reach records made moments before, not only the demo's."""
    loaded, token = fuzz_target
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]

    class Sequences(loaded.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: Any, case: schemathesis.Case, additional_checks: Any = None,
                              **kwargs: Any) -> None:
            case.validate_response(response, checks=checks, transport_kwargs=kwargs)

    Sequences.run(settings=settings(max_examples=max(EXAMPLES // 2, 10), stateful_step_count=8, deadline=None,
                                    derandomize=DERANDOMIZE, database=None, suppress_health_check=list(HealthCheck)))
