"""The signed-in user in the JSON API."""

from __future__ import annotations

from typing import Annotated, TypedDict

from flask import Response, jsonify
from flask_login import current_user

from app.accounts import twofactor
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
    two_factor: bool  # on for this account (a client may remind its user to turn it on)
    two_factor_required: bool  # the person's role must use it (an admin's rule)


@bp.get("/me")
@operation(MeJson)
def me() -> Response:
    """The signed-in user."""
    body: MeJson = {"id": current_user.id, "email": current_user.email, "name": current_user.name,
                    "role": current_user.role.value,
                    "two_factor": twofactor.is_on(current_user), "two_factor_required": twofactor.is_required(current_user)}
    return jsonify(body)
