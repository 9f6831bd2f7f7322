"""Error pages for people, JSON errors for the API: never a stack trace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.core.errors import Conflict, ServiceError, StaleEdit, TransitionRefused
from app.core.views import CONFLICT_MESSAGE
from app.extensions import db


class _ErrorCore(TypedDict):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorDetail(_ErrorCore, total=False):
    """What went wrong: a code for programs, a message for people, and the bad fields by name."""

    reasons: list[str]  # a refused transition (code "transition_refused"): each rule that refused it


class ErrorJson(TypedDict):
    """The API's one error shape; the HTTP status tells the kind."""

    error: ErrorDetail


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    status: int, code: str, message: str, fields: Mapping[str, list[str]] | None = None, **extra: object
) -> tuple[Response, int]:
    """The API's one error shape: {"error": {"code", "message", "fields", ...}}."""
    return jsonify({"error": {"code": code, "message": message, "fields": dict(fields or {}), **extra}}), status


def http_error(error: HTTPException) -> tuple[Response | str, int]:
    """A 404, 413, ... as a page, or as JSON for the API; also for blueprints that handle some cases themselves."""
    status = error.code or 500
    if wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        return json_error(status, code, error.description or error.name)
    titles = {400: "Not understood", 404: "Not found", 403: "Not allowed", 405: "Not allowed", 413: "Too large"}
    messages = {
        404: "There is nothing here, or it is not shared with you.",
        413: "What you sent is larger than the server accepts.",
    }
    return render_template(
        "error.html", status=status, title=titles.get(status, error.name),
        message=messages.get(status, error.description),
    ), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template(
            "error.html", status=400, title="The form expired",
            message="Your session changed since the page was loaded. Go back, reload the page and try again.",
        ), 400

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(ServiceError)
    def refused(error: ServiceError) -> tuple[Response | str, int]:
        """A refusal no view caught: still its own status and message, never an error page of ours."""
        db.session.rollback()
        if wants_json():
            extra = {"reasons": error.reasons} if isinstance(error, TransitionRefused) else {}
            return json_error(error.status, error.code, error.message, error.fields, **extra)
        return render_template("error.html", status=error.status, title="Nothing was saved",
                               message=error.message), error.status

    @app.errorhandler(StaleDataError)
    def lost_race(_error: StaleDataError) -> tuple[Response | str, int]:
        return refused(StaleEdit("record"))

    @app.errorhandler(IntegrityError)
    def same_name(_error: IntegrityError) -> tuple[Response | str, int]:
        return refused(Conflict(CONFLICT_MESSAGE))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response | str, int]:
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return json_error(500, "server_error", "Something went wrong on our side; nothing was saved.")
        return render_template(
            "error.html", status=500, title="Something went wrong",
            message="Something went wrong on our side; nothing was saved. Please try again.",
        ), 500
