"""Assertions shared by the API tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from werkzeug.test import TestResponse

from app.extensions import db


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
