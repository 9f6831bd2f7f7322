"""The signed-in user in the JSON API."""

from __future__ import annotations

from flask import Response, jsonify
from flask_login import current_user

from app.api import api_blueprint

bp = api_blueprint("accounts", __name__)


@bp.get("/me")
def me() -> Response:
    return jsonify({"id": current_user.id, "email": current_user.email, "name": current_user.name,
                    "role": current_user.role.value})
