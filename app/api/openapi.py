"""The OpenAPI 3.1 document of ``/api/v1``, built from the code rather than kept by hand.

Each view says what it takes and gives with :func:`operation`, beside its route: the form that
validates its body (``app.api.formschema`` reads its fields), the TypedDict its serializer returns
(``app.api.schemas`` converts it), its query filters, and the errors its services may raise. The
document walks ``app.url_map``, so every path and path parameter is the route's own; a route
without an :func:`operation` is missing from the document, which tests/api/test_openapi.py refuses.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.routing import Rule

from app.api import PREFIX, idempotency
from app.api.formschema import form_schema
from app.api.schemas import JsonSchema, SchemaSet
from app.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.core.slots import Slot
from app.core.values import MAX_ID
from app.errors import ErrorJson

V = TypeVar("V", bound=Callable[..., Any])
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Body:
    """A request body: a form's fields and/or the keys the view reads itself (a TypedDict)."""

    form: type[FlaskForm] | None = None
    extra: type | None = None
    #: A PATCH: every form field may be left out, the record's own values stand in.
    partial: bool = False
    optional: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    #: The view refuses keys it does not know (forms ignore them).
    closed: bool = False
    #: The operation also takes ``multipart/form-data``, with these file fields beside the other keys as
    #: text (app/api/__init__.py lets such a body past its JSON-only check).
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """A next step from a success (an OpenAPI link): the operation a client calls next with what it got,
    ``parameters`` naming each path parameter's source (``$response.body#/id``, ``$request.path.project_id``).
    Client generators follow them, and so does the stateful fuzz (tests/api/test_fuzz.py)."""

    operation: str  # its endpoint, which is its operationId: "api_projects.get_project"
    parameters: tuple[tuple[str, str], ...]


#: Where a link finds the id of what the operation just made, and an id the request itself named.
NEW_ID = "$response.body#/id"


def from_path(name: str) -> str:
    return f"$request.path.{name}"


def follow(*operations: str, **parameters: str) -> tuple[Link, ...]:
    """Links to each of ``operations``, all given the same ``parameters``."""
    return tuple(Link(name, tuple(parameters.items())) for name in operations)


@dataclass(frozen=True)
class Operation:
    response: Any = None  # the success body's type; None: no body (204)
    status: int = 200
    body: Body | None = None
    query: type | None = None  # a TypedDict (total=False) of the query filters
    paged: bool = False  # a page of ``response`` items: ?limit=&cursor=, {"items", "next"}
    page_extra: type | None = None  # keys about the whole collection beside "items" and "next"
    errors: tuple[int, ...] = ()  # besides those every such route answers (see _error_statuses)
    public: bool = False  # readable without signing in
    links: tuple[Link, ...] = ()
    security: str | None = None  # a scheme of SECURITY_SCHEMES instead of a person's token or session
    conditional: bool = False  # answers with an ETag, and If-None-Match with a 304
    #: An upsert's other success, with the same body: 201 when it created what ``status`` 200 updates.
    created: bool = False


def operation(response: Any = None, *, status: int = 200, body: Body | type[FlaskForm] | None = None,
              query: type | None = None, paged: bool = False, page_extra: type | None = None,
              errors: tuple[int, ...] = (), public: bool = False, links: tuple[Link, ...] = (),
              security: str | None = None, conditional: bool = False, created: bool = False) -> Callable[[V], V]:
    """Describe a view for the OpenAPI document; its docstring gives the summary (first line) and description."""
    if security is not None and security not in SECURITY_SCHEMES:
        raise ValueError(f"unknown security scheme {security!r}: one of {', '.join(SECURITY_SCHEMES)}")
    spec = Operation(response, status, Body(form=body) if isinstance(body, type) else body, query, paged,
                     page_extra, errors, public, links, security, conditional, created)

    def describe(view: V) -> V:
        view.openapi = spec  # type: ignore[attr-defined]
        return view

    return describe


_ERRORS = {
    400: ("BadRequest", "Invalid input: `fields` names each bad field (malformed JSON, wrong types, impossible "
                        "values, a bad filter, `limit` or `cursor`)."),
    401: ("Unauthorized", "Not signed in: send `Authorization: Bearer <token>` (or the session cookie; "
                          "`two_factor_required` while the person's role requires two-factor sign-in and they "
                          "have not set it up)."),
    403: ("Forbidden", "You can see the record but may not do this to it (`forbidden`)."),
    404: ("NotFound", "Not found, or not yours: Countersign never confirms that someone else's record exists."),
    409: ("Conflict", "Refused: a step the rules refuse (`transition_refused`, with `reasons`), an edit of an "
                      "older `version` or a name already taken (`conflict`), a closed campaign (`closed`); on a "
                      "POST with an `Idempotency-Key`, the first request with that key still running "
                      "(`idempotency_in_progress`) or saved without its response (`idempotency_response_lost`)."),
    413: ("PayloadTooLarge", "The body is larger than the server accepts."),
    415: ("UnsupportedMediaType", "The body must be sent as `application/json`."),
    422: ("UnprocessableContent", "This `Idempotency-Key` was used for another request (another method, path or "
                                  "body): `idempotency_key_reused`, naming the header in `fields`."),
    429: ("TooManyRequests", "Too many unknown tokens from your address: wait the seconds `Retry-After` gives "
                             "(`too_many_requests`)."),
}
_WRITES = {"POST", "PUT", "PATCH"}
#: Every POST may carry one (app/api/idempotency.py).
_IDEMPOTENCY_KEY: JsonSchema = {
    "name": idempotency.HEADER, "in": "header", "required": False,
    "description": (f"Makes a retry safe: the first response to this key (per person) is kept "
                    f"{int(idempotency.KEPT_FOR.total_seconds() // 3600)} hours, and a retry with the same method, path and body gets "
                    f"it again, with `{idempotency.REPLAYED}: true`, without running twice. A UUID is a good key."),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
}
_REPLAYED_HEADER: JsonSchema = {
    "description": "`true` when this is the kept response to an earlier request with the same `Idempotency-Key`.",
    "schema": {"type": "string", "enum": ["true"]},
}

#: How a request proves who it is: a person (token or session, every operation's default) or, for
#: the published catalog, a publishing token an admin made for another system.
SECURITY_SCHEMES: dict[str, JsonSchema] = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A personal API token (Settings → Personal API tokens): `cs_…`."},
    "publishing": {"type": "http", "scheme": "bearer",
                   "description": "A publishing token (Admin → Published catalog): `cspub_…`. It reads the "
                                  "published catalog and nothing else; personal tokens and sessions do not "
                                  "read the published catalog."},
}


#: The document's ``webhooks`` section (OpenAPI 3.1): the requests this server makes to others, by
#: name. The feature that sends them builds it (with the document's schemas) and hands it over at
#: start-up, so the API's plumbing imports no feature.
WebhooksSection = Callable[[SchemaSet], dict[str, Any]]
_webhooks: Slot[WebhooksSection] = Slot("the webhooks section of the OpenAPI document", "app/webhooks/api.py")


def describe_webhooks(section: WebhooksSection) -> None:
    """Have the document describe the webhooks ``section`` returns."""
    _webhooks.fill(section)


def document(app: Flask) -> JsonSchema:
    """The OpenAPI document of ``app``'s ``/api/v1`` routes (built once per app: the routes do not change)."""
    cached = app.extensions.get("openapi")
    if cached is None:
        cached = app.extensions["openapi"] = _build(app)
    return cached


def openapi_path(rule: Rule) -> str:
    """``/projects/<int:project_id>`` as OpenAPI writes it: ``/projects/{project_id}``."""
    return _ARGUMENT.sub(lambda match: "{" + match["name"] + "}", rule.rule)


def api_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX + "/")), key=lambda r: r.rule)


def _build(app: Flask) -> JsonSchema:
    schemas = SchemaSet()
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, str] = {}
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        spec: Operation | None = getattr(view, "openapi", None)
        if spec is None:
            continue
        tag = rule.endpoint.split(".")[0].removeprefix("api_")
        tags.setdefault(tag, _first_line(sys.modules[view.__module__].__doc__))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(
                schemas, rule, method, view, spec, tag)
    schemas.named(ErrorJson)
    section = _webhooks.get_or_none()
    webhooks = section(schemas) if section is not None else {}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Countersign API",
            "version": PREFIX.rsplit("/", 1)[-1],
            "description": _INTRO,
        },
        "tags": [{"name": name, "description": text} for name, text in sorted(tags.items())],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        **({"webhooks": webhooks} if webhooks else {}),
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "responses": {
                **{name: _error_response(text) for name, text in _ERRORS.values()},
                "TooManyRequests": {**_error_response(_ERRORS[429][1]), "headers": {"Retry-After": {
                    "description": "Seconds to wait.", "schema": {"type": "integer", "minimum": 1}}}},
            },
            "securitySchemes": {
                **SECURITY_SCHEMES,
                "session": {"type": "apiKey", "in": "cookie", "name": app.config.get("SESSION_COOKIE_NAME", "session"),
                            "description": "The browser's session, once signed in on the pages."},
            },
        },
    }


_INTRO = (
    "The JSON API of Countersign. Bodies are JSON (`Content-Type: application/json`); fields are named as on "
    "the forms and validated by the same rules. Dates are `YYYY-MM-DD`; amounts are sent as strings or numbers "
    "and come back as decimal strings with cents (`\"1600.00\"`). Every collection comes a page at a time as "
    "`{\"items\": [...], \"next\": URL | null}`, also as an RFC 8288 `Link` header. Errors always have one "
    "shape: `{\"error\": {\"code\", \"message\", \"fields\"}}`, the HTTP status telling the kind."
)


def _operation(schemas: SchemaSet, rule: Rule, method: str, view: Callable[..., Any], spec: Operation,
               tag: str) -> JsonSchema:
    summary, _, description = (view.__doc__ or rule.endpoint).strip().partition("\n")
    body: JsonSchema = {
        "operationId": rule.endpoint,
        "tags": [tag],
        "summary": _markdown(summary),
        "parameters": [*_path_parameters(rule), *_query_parameters(schemas, spec),
                       *([_IDEMPOTENCY_KEY] if method == "POST" else [])],
    }
    if description.strip():
        body["description"] = _markdown(" ".join(description.split()))
    if spec.public:
        body["security"] = []
    elif spec.security is not None:
        body["security"] = [{spec.security: []}]
    if spec.body is not None:
        body["requestBody"] = {"required": True, "content": {"application/json": {"schema": _body(schemas, spec.body)}}}
        if spec.body.files:
            body["requestBody"]["content"]["multipart/form-data"] = {"schema": _multipart(spec.body)}
    success = _success(schemas, spec)
    if method == "POST":
        success = {**success, "headers": {**success.get("headers", {}), idempotency.REPLAYED: _REPLAYED_HEADER}}
    body["responses"] = {
        str(spec.status): success,
        **({"201": {**success, "description": "Created."}} if spec.created else {}),
        **({"304": {"description": "Not modified: the `ETag` sent in `If-None-Match` is still current.",
                    "headers": _VALIDATORS}} if spec.conditional else {}),
        **{str(status): {"$ref": f"#/components/responses/{_ERRORS[status][0]}"}
           for status in _error_statuses(rule, method, spec)},
        # Any other status (405, a 500) still has the one error shape.
        "default": _error_response("An error: the status tells its kind."),
    }
    return body


def _error_statuses(rule: Rule, method: str, spec: Operation) -> list[int]:
    statuses = set(spec.errors)
    if not spec.public:
        statuses |= {401, 429}  # 429: an address that sent too many unknown tokens (accounts/signin.py)
    if rule.arguments:
        statuses.add(404)
    if method in _WRITES:
        statuses |= {413, 415}
    if method == "POST":
        statuses |= {400, 409, 422}  # a bad Idempotency-Key; the same key still running, or reused
    if (spec.body is not None and (spec.body.form or spec.body.extra)) or spec.paged or spec.query is not None:
        statuses.add(400)
    return sorted(statuses)


_VALIDATORS: JsonSchema = {
    "ETag": {"description": "A strong validator of the body: send it back in `If-None-Match`.",
             "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the newest record shown last changed (informative).",
                      "schema": {"type": "string"}},
    "Cache-Control": {"description": "How long the body may be reused before asking again.",
                      "schema": {"type": "string"}},
}


def _success(schemas: SchemaSet, spec: Operation) -> JsonSchema:
    validators = _VALIDATORS if spec.conditional else {}
    if spec.response is None:
        return {"description": "Done: no body."}
    if spec.paged:
        schema = {"$ref": f"#/components/schemas/{_page_schema(schemas, spec.response, spec.page_extra)}"}
        return {"description": "A page of the collection.", "content": {"application/json": {"schema": schema}},
                "headers": {"Link": {"description": 'The next page, as `<URL>; rel="next"` (RFC 8288), '
                                                    'when there is one.', "schema": {"type": "string"}},
                            **validators}}
    success: JsonSchema = {"description": "OK.", "content": {"application/json": {"schema": schemas.schema(spec.response)}}}
    if validators:
        success["headers"] = dict(validators)
    if spec.links:
        success["links"] = {
            step.operation.split(".")[-1]: {"operationId": step.operation, "parameters": dict(step.parameters)}
            for step in spec.links
        }
    return success


def _page_schema(schemas: SchemaSet, item: Any, extra: type | None) -> str:
    name = f"{item.__name__}Page"
    if name not in schemas.components:
        page: JsonSchema = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": schemas.schema(item)},
                "next": {"type": ["string", "null"], "format": "uri",
                         "description": "The next page's URL (the same filters, a cursor), or null on the last."},
            },
            "required": ["items", "next"],
            "additionalProperties": False,
        }
        if extra is not None:
            more = schemas.object(extra)
            page["properties"].update(more["properties"])
            page["required"] += more["required"]
        schemas.components[name] = page
    return name


def _body(schemas: SchemaSet, body: Body) -> JsonSchema:
    # A write always sends JSON, {} at least: the API answers 415 to any other body.
    schema: JsonSchema = {"type": "object", "properties": {}, "required": []}
    if body.form is not None:
        schema = form_schema(body.form, body.partial, body.optional, body.exclude)
        schema["description"] = f"Validated by {body.form.__name__}, the form of the pages."
    if body.extra is not None:
        extra = schemas.object(body.extra)
        schema["properties"].update(extra["properties"])
        schema["required"] = sorted({*schema["required"], *extra["required"]})
    if body.closed:
        schema["additionalProperties"] = False
    return schema


def _multipart(body: Body) -> JsonSchema:
    """A multipart body: each file field as binary content, required."""
    return {"type": "object", "required": list(body.files),
            "properties": {name: {"type": "string", "contentMediaType": "application/octet-stream"}
                           for name in body.files}}


def _path_parameters(rule: Rule) -> list[JsonSchema]:
    parameters = []
    for match in _ARGUMENT.finditer(rule.rule):
        converter = match["converter"] or "default"
        # Beyond MAX_ID no record can exist: such an id is a 404 (app.core.url_guard.RecordIdConverter).
        schema: JsonSchema
        if converter == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        elif converter == "any":  # <any(salesforce, hubspot):source>: one of those words
            schema = {"type": "string", "enum": [o.strip().strip("'\"") for o in (match["options"] or "").split(",")]}
        else:  # a segment of text, never empty, never holding a slash (a CRM's id)
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(schemas: SchemaSet, spec: Operation) -> list[JsonSchema]:
    parameters: list[JsonSchema] = []
    if spec.query is not None:
        hints = get_type_hints(spec.query, include_extras=True)
        required = spec.query.__required_keys__  # type: ignore[attr-defined]
        for name, tp in hints.items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": schemas.schema(tp)})
    if spec.paged:
        parameters += [
            {"name": "limit", "in": "query", "required": False, "description": "How many items a page holds.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
            {"name": "cursor", "in": "query", "required": False,
             "description": "Opaque: where the previous page ended, from its `next`.", "schema": {"type": "string"}},
        ]
    return parameters


def _error_response(description: str) -> JsonSchema:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorJson"}}}}


def _first_line(text: str | None) -> str:
    return _markdown((text or "").strip().partition("\n")[0])


def _markdown(text: str) -> str:
    """Docstrings write code as ``this`` (reStructuredText); the document's descriptions are Markdown."""
    return text.replace("``", "`")
