"""Webhook endpoints in the JSON API (admins only), and the ``webhooks`` section of the OpenAPI
document: each event type's payload and the signature headers every message carries."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, TypedDict, get_type_hints

from flask import Response, jsonify
from flask_login import current_user

from app.api import Versioned, api_blueprint, expected_version, json_body, page_json, timestamp, validated
from app.api.openapi import NEW_ID, Body, describe_webhooks, follow, from_path, operation
from app.api.schemas import IsoDate, JsonSchema, OneOf, SchemaSet, Timestamp
from app.core.pagination import page_request
from app.core.views import commit, saving
from app.webhooks import catalogue, services
from app.webhooks.access import endpoint_or_404, message_or_404, require_admin
from app.webhooks.forms import EndpointForm
from app.webhooks.models import MESSAGE_STATES, WebhookEndpoint, WebhookMessage

bp = api_blueprint("webhooks", __name__)
bp.before_request(lambda: require_admin(current_user))
# The document describes the webhooks once the app registers this blueprint (its plumbing knows no feature).
bp.record_once(lambda _state: describe_webhooks(webhooks_section))

EventType = Annotated[str, OneOf(catalogue.TYPES)]
MessageState = Annotated[str, OneOf(MESSAGE_STATES)]


class EndpointJson(TypedDict):
    """A webhook endpoint, without its secret: that is shown once, when it is made or rotated."""

    id: int
    url: str
    description: str
    event_types: list[EventType]
    active: bool
    created_at: Timestamp
    secret_rotated_at: Timestamp
    last_success_at: Timestamp | None
    failing_since: Timestamp | None
    disabled_at: Timestamp | None
    disabled_reason: str
    version: int


class NewSecretJson(EndpointJson):
    secret: str  # whsec_…, shown this once


class MessageJson(TypedDict):
    """One message of an endpoint's delivery log: its last attempt, and when the next is due."""

    id: int
    webhook_id: str
    event_type: str  # one of the event types, or "ping"
    status: MessageState
    attempts: int
    created_at: Timestamp
    last_attempt_at: Timestamp | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_response: str
    next_attempt_at: Timestamp | None
    delivered_at: Timestamp | None
    payload: str  # the body exactly as sent and signed


def endpoint_json(endpoint: WebhookEndpoint) -> EndpointJson:
    return {
        "id": endpoint.id, "url": endpoint.url, "description": endpoint.description,
        "event_types": list(endpoint.event_types), "active": endpoint.active,
        "created_at": timestamp(endpoint.created_at), "secret_rotated_at": timestamp(endpoint.secret_rotated_at),
        "last_success_at": timestamp(endpoint.last_success_at), "failing_since": timestamp(endpoint.failing_since),
        "disabled_at": timestamp(endpoint.disabled_at), "disabled_reason": endpoint.disabled_reason,
        "version": endpoint.version,
    }


def message_json(message: WebhookMessage) -> MessageJson:
    return {
        "id": message.id, "webhook_id": message.msg_id, "event_type": message.event_type, "status": message.status,
        "attempts": message.attempts, "created_at": timestamp(message.created_at),
        "last_attempt_at": timestamp(message.last_attempt_at), "last_status_code": message.last_status_code,
        "last_latency_ms": message.last_latency_ms, "last_response": message.last_response,
        "next_attempt_at": timestamp(message.next_attempt_at), "delivered_at": timestamp(message.delivered_at),
        "payload": message.payload,
    }


def _fields(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "description": endpoint.description, "event_types": list(endpoint.event_types),
            "active": endpoint.active}


@bp.get("/webhooks")
@operation(EndpointJson, paged=True)
def list_endpoints() -> Response:
    """The webhook endpoints, newest first (admins)."""
    return page_json(services.endpoints(page_request()), endpoint_json)


@bp.post("/webhooks")
@operation(NewSecretJson, status=201, body=Body(EndpointForm, exclude=frozenset({"version"})), errors=(403, 409),
           links=follow("api_webhooks.get_endpoint", "api_webhooks.update_endpoint", "api_webhooks.send_test",
                        "api_webhooks.list_messages", endpoint_id=NEW_ID))
def create_endpoint() -> tuple[Response, int]:
    """Register an endpoint: the answer holds its signing ``secret``, the only time it is shown."""
    form = validated(EndpointForm, json_body())
    with saving("webhook endpoint"):
        endpoint, secret = services.create_endpoint(current_user, form.data_for_service())
    body: NewSecretJson = {**endpoint_json(endpoint), "secret": secret}
    return jsonify(body), 201


@bp.get("/webhooks/<int:endpoint_id>")
@operation(EndpointJson)
def get_endpoint(endpoint_id: int) -> Response:
    """One endpoint."""
    return jsonify(endpoint_json(endpoint_or_404(current_user, endpoint_id)))


@bp.patch("/webhooks/<int:endpoint_id>")
@operation(EndpointJson, body=Body(EndpointForm, extra=Versioned, partial=True, exclude=frozenset({"version"})),
           errors=(403, 409))
def update_endpoint(endpoint_id: int) -> Response:
    """Edit an endpoint: any subset of its fields, with the ``version`` you are editing."""
    endpoint = endpoint_or_404(current_user, endpoint_id)
    payload = json_body()
    version = expected_version(payload)
    form = validated(EndpointForm, {**_fields(endpoint), **payload})
    services.update_endpoint(current_user, endpoint, form.data_for_service(), version)
    commit("webhook endpoint")
    return jsonify(endpoint_json(endpoint))


@bp.delete("/webhooks/<int:endpoint_id>")
@operation(None, status=204, errors=(403, 409))
def delete_endpoint(endpoint_id: int) -> tuple[str, int]:
    """Delete an endpoint and its delivery log."""
    endpoint = endpoint_or_404(current_user, endpoint_id)
    services.delete_endpoint(current_user, endpoint)
    commit("webhook endpoint")
    return "", 204


@bp.post("/webhooks/<int:endpoint_id>/rotate-secret")
@operation(NewSecretJson, body=Body(), errors=(403, 409))
def rotate_secret(endpoint_id: int) -> Response:
    """Give the endpoint a new signing secret: the answer holds it, the only time it is shown."""
    endpoint = endpoint_or_404(current_user, endpoint_id)
    with saving("webhook endpoint"):
        secret = services.rotate_secret(current_user, endpoint)
    body: NewSecretJson = {**endpoint_json(endpoint), "secret": secret}
    return jsonify(body)


@bp.post("/webhooks/<int:endpoint_id>/test")
@operation(MessageJson, status=202, body=Body(), errors=(403,))
def send_test(endpoint_id: int) -> tuple[Response, int]:
    """Send the endpoint a ``ping`` message; it is delivered in the background, like any other."""
    endpoint = endpoint_or_404(current_user, endpoint_id)
    with saving("webhook endpoint"):
        message = services.send_test(current_user, endpoint)
    return jsonify(message_json(message)), 202


@bp.get("/webhooks/<int:endpoint_id>/messages")
@operation(MessageJson, paged=True)
def list_messages(endpoint_id: int) -> Response:
    """The endpoint's delivery log, newest first."""
    endpoint = endpoint_or_404(current_user, endpoint_id)
    return page_json(services.messages(endpoint, page_request()), message_json)


@bp.post("/webhooks/<int:endpoint_id>/messages/<int:message_id>/redeliver")
@operation(MessageJson, status=202, body=Body(), errors=(403, 409),
           links=follow("api_webhooks.list_messages", endpoint_id=from_path("endpoint_id")))
def redeliver(endpoint_id: int, message_id: int) -> tuple[Response, int]:
    """Send a delivered or failed message again, now, under the same ``webhook-id``."""
    endpoint = endpoint_or_404(current_user, endpoint_id)
    message = message_or_404(current_user, endpoint, message_id)
    with saving("webhook message"):
        services.redeliver(current_user, message)
    return jsonify(message_json(message)), 202


# --- the OpenAPI document's webhooks section -----------------------------------------------------

_HEADERS = (
    ("webhook-id", "The message's id (`msg_…`): the same on every attempt, so a receiver drops a repeat by it."),
    ("webhook-timestamp", "When this attempt was signed, in Unix seconds: refuse one far from your clock "
                          "(the Standard Webhooks libraries allow 5 minutes)."),
    ("webhook-signature", "`v1,` and the base64 HMAC-SHA256, keyed with the base64-decoded part of the "
                          "endpoint's `whsec_` secret, of `{webhook-id}.{webhook-timestamp}.{body}`; "
                          "several, space-separated, are possible. Verify with any Standard Webhooks library: "
                          "`Webhook(secret).verify(body, headers)`."),
)


def _data_schema(schemas: SchemaSet, event: type) -> JsonSchema:
    hints = get_type_hints(event)
    properties = {f.name: schemas.schema(IsoDate if hints[f.name] is date else hints[f.name])
                  for f in dataclasses.fields(event)}
    return {"type": "object", "properties": properties, "required": sorted(properties),
            "description": " ".join((event.__doc__ or "").split())}


def _message_schema(type_name: str, data: JsonSchema) -> JsonSchema:
    return {"type": "object", "required": ["type", "timestamp", "data"], "additionalProperties": False,
            "properties": {"type": {"const": type_name},
                           "timestamp": {"type": "string", "format": "date-time",
                                         "description": "When the event happened (UTC)."},
                           "data": data}}


def webhooks_section(schemas: SchemaSet) -> dict[str, Any]:
    """One entry per event type (and ``ping``): the POST Countersign makes to a subscribed endpoint."""
    parameters = [{"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
                  for name, text in _HEADERS]
    responses = {"2XX": {"description": "Received. Any other status (a redirect too: none is followed), or no "
                                        "answer within the timeout, is retried with backoff for about a day."}}
    described = {**{name: (text, _data_schema(schemas, catalogue.SOURCES[name]))
                     for name, text in catalogue.TYPES.items()},
                 catalogue.PING: ("The test message *Send test event* sends.",
                                  {"type": "object", "required": ["endpoint_id", "actor_id"],
                                   "properties": {"endpoint_id": {"type": "integer"}, "actor_id": {"type": "integer"}}})}
    return {name: {"post": {
        "operationId": f"webhook_{name.replace('.', '_')}", "summary": text, "tags": ["webhooks"],
        "parameters": parameters,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _message_schema(name, data)}}},
        "responses": responses,
    }} for name, (text, data) in described.items()}

