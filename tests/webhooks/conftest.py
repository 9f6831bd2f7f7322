"""Fixtures of the webhook tests: a real receiver on 127.0.0.1, and endpoints pointing at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app.accounts.models import User
from app.extensions import db
from app.webhooks import services
from app.webhooks.catalogue import TYPES
from app.webhooks.models import WebhookEndpoint
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def make_endpoint(people: dict[str, User], receiver: Receiver) -> Callable[..., WebhookEndpoint]:
    """``make_endpoint(event_types=..., url=...)``: an endpoint of the admin's, committed; the receiver
    is given its secret (the last one made)."""

    def build(event_types: tuple[str, ...] = tuple(TYPES), url: str | None = None,
              active: bool = True) -> WebhookEndpoint:
        endpoint, secret = services.create_endpoint(people["admin"], services.EndpointInput(
            url=url or receiver.url, description="CRM sync", event_types=event_types, active=active))
        db.session.commit()
        receiver.secret = secret
        return endpoint

    return build
