"""What the API tests share: a JSON client with a bearer token, a fixed campaign start, assertions."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.accounts.models import User
from app.extensions import db

#: A fixed start, so the template's milestone offsets can be asserted as exact dates.
START = date(2027, 1, 4)

_UNSET = object()


class Api:
    """A JSON client for one user, authenticated by a bearer token."""

    def __init__(self, client: FlaskClient, user: User, token: str) -> None:
        self.client = client
        self.user = user
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **(extra or {})}

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.delete(url, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url: str, json: Any = _UNSET, **kwargs: Any) -> TestResponse:
        return self._write("post", url, json, **kwargs)

    def patch(self, url: str, json: Any = _UNSET, **kwargs: Any) -> TestResponse:
        return self._write("patch", url, json, **kwargs)

    def put(self, url: str, json: Any = _UNSET, **kwargs: Any) -> TestResponse:
        return self._write("put", url, json, **kwargs)

    def _write(self, method: str, url: str, json: Any, **kwargs: Any) -> TestResponse:
        send = getattr(self.client, method)
        headers = self.headers(kwargs.pop("headers", None))
        if json is not _UNSET:
            kwargs["json"] = json
        return send(url, headers=headers, **kwargs)


def assert_json_error(response: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the API's JSON error shape with this status (and code); returns ``error``."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.headers.get("Content-Type")
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error


def count(model: Any) -> int:
    """Rows of ``model`` in the database, read fresh."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def items(response: TestResponse) -> list[Any]:
    """The items of a one-page collection (the API's list shape, with no next page)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"items", "next"}, body
    assert body["next"] is None and "Link" not in response.headers, body["next"]
    return body["items"]
