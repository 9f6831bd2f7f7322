"""The signed-in user in the JSON API."""

from __future__ import annotations

from typing import Annotated, TypedDict

from flask import Response, jsonify
from flask_login import current_user

from app.accounts.models import Role
from app.api import api_blueprint
from app.api.openapi import operation
from app.api.schemas import OneOf

bp = api_blueprint("accounts", __name__)


class MeJson(TypedDict):
    id: int
    email: str
    name: str
    role: Annotated[str, OneOf(r.value for r in Role)]


@bp.get("/me")
@operation(MeJson)
def me() -> Response:
    """The signed-in user."""
    body: MeJson = {"id": current_user.id, "email": current_user.email, "name": current_user.name,
                    "role": current_user.role.value}
    return jsonify(body)
