"""The OpenAPI document: complete (every /api/v1 route), valid, truthful, and readable at /api/docs.

Truthful is mostly proved elsewhere: tests/api/conftest.py checks every response of every API
test against the document (tests/api/conformance.py). Here: that the document lacks no route,
passes the OpenAPI 3.1 validator, that its request schemas accept the bodies the API accepts
and say what the forms require, and that the reference page loads nothing from elsewhere.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Annotated, Literal, TypedDict

import pytest
from flask import Flask, Response
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.api import PREFIX
from app.api.openapi import api_rules, document, openapi_path
from app.api.schemas import Format, OneOf, SchemaSet
from tests.api import conformance
from tests.api.helpers import assert_json_error


@pytest.fixture
def spec(app: Flask) -> dict:
    return document(app)


def _operations(spec: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in item}


def test_every_api_route_is_in_the_document(app, spec):
    routes = {(method, openapi_path(rule)) for rule in api_rules(app)
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}

    missing = routes - _operations(spec)

    assert not missing, ("routes without @operation(...) beside them (app/api/openapi.py), so missing from "
                         f"the OpenAPI document: {sorted(missing)}")
    assert _operations(spec) == routes
    assert len(routes) >= 68


def test_the_document_is_valid_openapi_3_1(spec):
    validate(spec)  # raises on any violation of the OpenAPI 3.1 schema

    assert spec["openapi"] == "3.1.0"


#: The path parameters that are words, not record ids: the CRM upserts' source and external ids.
TEXT_PARAMETERS = frozenset({"source", "external_id", "deal_id"})


def test_every_path_parameter_is_declared_with_its_converter_type(spec):
    for path, item in spec["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        for method, operation in item.items():
            declared = {p["name"]: p for p in operation["parameters"] if p["in"] == "path"}
            assert sorted(declared) == sorted(names), (method, path)
            for name, parameter in declared.items():
                # Record ids are integers; the few words (a CRM's name and its own ids) are strings, a
                # closed set of them an enum.
                assert parameter["schema"]["type"] == ("string" if name in TEXT_PARAMETERS else "integer"), \
                    (method, path, name)


def test_every_link_leads_to_an_operation_and_fills_each_of_its_path_parameters(spec):
    operations = {op["operationId"]: (path, op) for path, item in spec["paths"].items() for op in item.values()}
    links = [(source["operationId"], name, step) for item in spec["paths"].values() for source in item.values()
             for response in source["responses"].values() for name, step in response.get("links", {}).items()]
    assert len(links) >= 20  # campaigns, milestones, tasks, commitments, feedback, briefings, products, updates
    for source, name, step in links:
        path, _target = operations[step["operationId"]]
        assert set(step["parameters"]) == set(re.findall(r"{(\w+)}", path)), (source, name)
        for value in step["parameters"].values():
            assert re.fullmatch(r"\$response\.body#/\w+|\$request\.path\.\w+", value), (source, name, value)


def test_every_operation_has_a_summary_a_success_and_the_error_shape(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation["summary"] and not operation["summary"].startswith("api_"), f"{where}: no docstring"
            successes = [s for s in operation["responses"] if s.startswith("2")]
            # One success, or an upsert's two (201 created, 200 updated or unchanged) with the same body.
            assert len(successes) == 1 or (method == "put" and successes == ["200", "201"]), where
            assert operation["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorJson"}
            if path != f"{PREFIX}/openapi.json":
                assert "401" in operation["responses"], where
            if method in {"post", "put", "patch"}:
                assert "requestBody" in operation and "415" in operation["responses"], where
            if "{" in path:
                assert "404" in operation["responses"], where


def test_lists_document_their_paging_and_page_shape(spec):
    operation = spec["paths"][f"{PREFIX}/projects"]["get"]
    names = {p["name"]: p for p in operation["parameters"]}

    assert names["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    assert names["cursor"]["schema"] == {"type": "string"}
    assert names["state"]["schema"]["enum"][0] == "draft"
    page = spec["components"]["schemas"]["ProjectJsonPage"]
    assert page["required"] == ["items", "next"]
    assert page["properties"]["next"]["type"] == ["string", "null"]
    inbox = spec["components"]["schemas"]["NotificationJsonPage"]
    assert set(inbox["required"]) == {"items", "next", "unread"}


def test_request_schemas_come_from_the_forms(spec):
    body = spec["paths"][f"{PREFIX}/projects"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    fields = body["properties"]

    assert set(body["required"]) == {"title", "goal_metric", "goal_target", "start_date", "end_date"}
    assert fields["title"]["maxLength"] == 160
    assert fields["start_date"]["format"] == "date"
    assert fields["region_ids"]["type"] == "array" and fields["region_ids"]["items"]["type"] == "integer"
    assert fields["budget"]["minimum"] == 0 and fields["budget"]["maximum"] == 999999999999.99
    assert "string" in fields["budget"]["type"] and "number" in fields["budget"]["type"]  # "1600.00" or 1600
    assert fields["template"]["enum"][0] == "upgrade_campaign"  # the template keys, not any string
    assert "version" not in fields
    quantity = spec["paths"][f"{PREFIX}/projects/{{project_id}}/commitments"]["post"]["requestBody"]
    assert quantity["content"]["application/json"]["schema"]["properties"]["quantity"]["maximum"] == 10_000_000


def test_a_patch_requires_only_the_version(spec):
    body = spec["paths"][f"{PREFIX}/projects/{{project_id}}"]["patch"]["requestBody"]["content"]["application/json"]

    assert body["schema"]["required"] == ["version"]


def test_request_schemas_carry_the_value_rule(spec):
    campaign = spec["paths"][f"{PREFIX}/projects"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    fields = campaign["properties"]

    assert (fields["goal_target"]["minimum"], fields["goal_target"]["maximum"]) == (-1e12, 1e12)
    assert {"pattern": r"^[^\x00-\x1f\x7f-\x9f]*$"} in fields["title"]["allOf"]
    assert {"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"} in fields["goal_statement"]["allOf"]
    assert fields["end_date"]["description"].endswith("(1970-01-01 to 2200-12-31)")
    validator = Draft202012Validator(fields["title"])
    assert validator.is_valid("Acme Pro upgrade") and not validator.is_valid("Acme\x00")


def test_static_choices_become_enums_and_per_request_ones_plain_ids(spec):
    feedback = spec["paths"][f"{PREFIX}/feedback"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    triage = spec["paths"][f"{PREFIX}/feedback/{{feedback_id}}/triage"]["post"]["requestBody"]
    triage_fields = triage["content"]["application/json"]["schema"]["properties"]

    assert "feature_request" in feedback["properties"]["kind"]["enum"]
    assert feedback["properties"]["region_id"]["type"] == ["integer", "null"]
    assert feedback["properties"]["product_ids"]["minItems"] == 1
    assert triage_fields["event"]["enum"] == ["now", "later", "decline", "duplicate", "done"]
    assert triage_fields["revisit_on"] == {"type": ["string", "null"], "format": "date",
                                           "description": "Look at it again on (1970-01-01 to 2200-12-31)"}


def test_the_request_schema_accepts_a_body_the_api_accepts(api, people, spec, campaign_payload):
    payload = campaign_payload()
    schema = spec["paths"][f"{PREFIX}/projects"]["post"]["requestBody"]["content"]["application/json"]["schema"]

    assert not list(Draft202012Validator(schema).iter_errors(payload))
    assert api(people["sales"]).post("/api/v1/projects", json=payload).status_code == 201


def test_response_schemas_are_closed_and_nullable_where_the_data_may_be_missing(spec):
    project = spec["components"]["schemas"]["ProjectJson"]
    commitment = spec["components"]["schemas"]["CommitmentJson"]

    assert project["additionalProperties"] is False
    assert project["properties"]["start_date"] == {"type": ["string", "null"], "format": "date"}
    assert project["properties"]["budget"]["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"
    assert commitment["properties"]["band"] == {"anyOf": [{"$ref": "#/components/schemas/CommitmentBandJson"},
                                                          {"type": "null"}]}


def test_the_checker_refuses_a_response_the_document_does_not_describe(app, spec):
    checker = conformance.checker(app)
    good = {"id": 1, "email": "a@example.com", "name": "A", "role": "admin", "two_factor": False,
            "two_factor_required": False}

    assert checker.problem(f"{PREFIX}/me", "GET", Response_json(good)) is None
    assert "unexpected" in checker.problem(f"{PREFIX}/me", "GET", Response_json({**good, "token": "x"}))
    assert "'pope' is not one of" in checker.problem(f"{PREFIX}/me", "GET", Response_json({**good, "role": "pope"}))
    assert "does not list" in checker.problem(f"{PREFIX}/me", "GET", Response_json(good, status=201))


def Response_json(body: object, status: int = 200) -> Response:  # noqa: N802 - reads as the response it builds
    import json

    return Response(json.dumps(body), status=status, mimetype="application/json")


# --- the converter -----------------------------------------------------------------------------

class _Inner(TypedDict):
    day: Annotated[str, Format("date")]


class _Outer(TypedDict):
    count: int
    ratio: float | None
    tags: list[str]
    inner: _Inner | None
    kind: Literal["a", "b"]
    state: Annotated[str, OneOf({"open": "Open", "done": "Done"})] | None
    extra: dict[str, int]


def test_typeddicts_convert_to_closed_named_schemas():
    schemas = SchemaSet()

    assert schemas.schema(_Outer) == {"$ref": "#/components/schemas/_Outer"}
    outer = schemas.components["_Outer"]
    assert outer["required"] == sorted(_Outer.__annotations__)
    assert outer["additionalProperties"] is False
    assert outer["properties"] == {
        "count": {"type": "integer"},
        "ratio": {"type": ["number", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "inner": {"anyOf": [{"$ref": "#/components/schemas/_Inner"}, {"type": "null"}]},
        "kind": {"enum": ["a", "b"]},
        "state": {"type": ["string", "null"], "enum": ["open", "done", None]},
        "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
    }
    assert schemas.components["_Inner"]["properties"]["day"] == {"type": "string", "format": "date"}


# --- served ------------------------------------------------------------------------------------

def test_the_document_is_served_to_anyone(client, spec):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.get_json() == spec


def test_operations_still_need_credentials(client):
    assert_json_error(client.get("/api/v1/projects"), 401, "unauthorized")


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.loaded: list[str] = []  # what the browser fetches by itself: scripts, styles, icons

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = [value for name, value in attrs if name in {"src", "href"} and value]
        self.urls += found
        if tag in {"script", "link", "img"}:
            self.loaded += found


def test_the_reference_page_loads_only_local_files(client):
    response = client.get("/api/docs")
    parser = _Sources()
    parser.feed(response.get_data(as_text=True))

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert parser.urls and all(url.startswith("/") and not url.startswith("//") for url in parser.urls), parser.urls
    assert "/api/v1/openapi.json" in parser.urls
    for url in parser.loaded:
        assert client.get(url).status_code == 200, url


def test_only_the_viewers_own_files_are_served(client):
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/docs/assets/index.template.html").status_code == 404
    assert client.get("/api/docs/assets/..%2F__init__.py").status_code == 404
