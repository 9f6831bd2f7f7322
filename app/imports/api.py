"""CRM imports in the JSON API: the same steps as the pages — upload, map, preview, start, follow.

A file is uploaded as ``multipart/form-data`` (the one operation of the API that takes more than JSON,
said so in its OpenAPI description), or as JSON with its bytes base64-encoded (``content_base64``).
"""

from __future__ import annotations

import base64
import binascii
from typing import TypedDict

from flask import Response, abort, current_app, jsonify, request, url_for
from flask_login import current_user

from app.api import PersonRef, api_blueprint, json_body, page_json, person, timestamp, validated
from app.api.openapi import NEW_ID, Body, follow, from_path, operation
from app.api.schemas import Timestamp
from app.core.errors import InvalidInput
from app.core.pagination import page_request
from app.core.views import commit
from app.imports import access, services
from app.imports import mapping as columns
from app.imports.forms import MappingForm
from app.imports.models import ImportRowError, ImportRun
from app.projects.access import get_project_or_404
from app.projects.models import Project

bp = api_blueprint("imports", __name__)

#: Room for the JSON around a file's base64 text (which is 4/3 of its bytes).
JSON_OVERHEAD = 64 * 1024


class UploadBody(TypedDict):
    filename: str  # shown on the pages; its last path part is kept
    content_base64: str  # the file's bytes, base64 (RFC 4648)


class ImportJson(services.Status):
    id: int
    project_id: int
    filename: str
    size_bytes: int
    encoding: str
    delimiter: str
    headers: list[str]
    source: str  # salesforce, hubspot, generic or other
    mapping: dict[str, str]  # field → the file's header ("" for none)
    date_format: str
    decimal_mark: str
    error_rows: int
    created_by: PersonRef | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    errors_url: str
    status_url: str


class RowErrorJson(TypedDict):
    row: int  # the file's row: 1 is the header, 2 the first deal
    column: str
    message: str


def import_json(run: ImportRun) -> ImportJson:
    return {
        **services.status(run),
        "id": run.id, "project_id": run.project_id, "filename": run.filename, "size_bytes": run.size_bytes,
        "encoding": run.encoding, "delimiter": run.delimiter, "headers": list(run.headers), "source": run.source,
        "mapping": {name: str(run.mapping.get(name, "")) for name in columns.FIELD_NAMES},
        "date_format": run.date_format, "decimal_mark": run.decimal_mark, "error_rows": run.error_rows,
        "created_by": person(run.created_by), "created_at": timestamp(run.created_at),
        "started_at": timestamp(run.started_at), "finished_at": timestamp(run.finished_at),
        "errors_url": url_for(".list_errors", project_id=run.project_id, run_id=run.id),
        "status_url": url_for(".get_import", project_id=run.project_id, run_id=run.id),
    }


def error_json(error: ImportRowError) -> RowErrorJson:
    return {"row": error.row, "column": error.column, "message": error.message}


def _project(project_id: int) -> Project:
    project = get_project_or_404(current_user, project_id)
    if not access.can_import(current_user, project):
        abort(404)
    return project


_NEXT = ("api_imports.get_import", "api_imports.set_mapping", "api_imports.preview_import",
         "api_imports.start_import", "api_imports.list_errors")


@bp.get("/projects/<int:project_id>/imports")
@operation(ImportJson, paged=True)
def list_imports(project_id: int) -> Response:
    """The campaign's imports, newest first (for whoever may import into it)."""
    return page_json(services.project_runs(_project(project_id), page_request()), import_json)


@bp.post("/projects/<int:project_id>/imports")
@operation(ImportJson, status=201, errors=(403, 409),
           body=Body(extra=UploadBody, closed=True, files=("file",)),
           links=follow(*_NEXT, project_id=from_path("project_id"), run_id=NEW_ID))
def upload_import(project_id: int) -> tuple[Response, int]:
    """Upload a CSV export: as ``multipart/form-data`` (its ``file``), or as JSON with the bytes base64 in
    ``content_base64``. It is read and its columns mapped where known.

    UTF-8 (with or without BOM) or Windows-1252, comma-, semicolon- or tab-separated, at most
    ``MAX_UPLOAD_BYTES``. Nothing is imported yet: check ``mapping``, then preview.
    """
    project = _project(project_id)
    request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"] * 4 // 3 + JSON_OVERHEAD
    filename, data, field = _multipart_file() if request.mimetype == "multipart/form-data" else _json_file()
    try:
        run = services.upload(current_user, project, filename, data)
    except InvalidInput as error:
        if "file" in error.fields:
            raise InvalidInput(error.message, {field: error.fields["file"]}) from None
        raise
    commit("import")
    return jsonify(import_json(run)), 201


def _multipart_file() -> tuple[str, bytes, str]:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise InvalidInput("Some fields are invalid.", {"file": ["The CSV file, as a multipart file field."]})
    return file.filename, file.read(), "file"


def _json_file() -> tuple[str, bytes, str]:
    payload = json_body()
    errors: dict[str, list[str]] = {}
    filename, content = payload.get("filename"), payload.get("content_base64")
    if not isinstance(filename, str) or not filename.strip():
        errors["filename"] = ["The file's name, such as opportunities.csv."]
    data = b""
    if not isinstance(content, str):
        errors["content_base64"] = ["The file's bytes, base64-encoded."]
    else:
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            errors["content_base64"] = ["Not base64 (RFC 4648)."]
    for key in sorted(set(payload) - {"filename", "content_base64"}):
        errors[key] = ["Not a field of an upload: send filename and content_base64."]
    if errors:
        raise InvalidInput("Some fields are invalid.", errors)
    return str(filename), data, "content_base64"


@bp.get("/projects/<int:project_id>/imports/<int:run_id>")
@operation(ImportJson, links=follow(*_NEXT, project_id=from_path("project_id"), run_id=NEW_ID))
def get_import(project_id: int, run_id: int) -> Response:
    """One import: its mapping, where it stands, what its preview found, and while it runs ``rows_done``."""
    return jsonify(import_json(access.get_run_or_404(current_user, _project(project_id), run_id)))


@bp.put("/projects/<int:project_id>/imports/<int:run_id>/mapping")
@operation(ImportJson, body=MappingForm, errors=(403, 409))
def set_mapping(project_id: int, run_id: int) -> Response:
    """Say which header holds each field (``""`` for none), and how the file writes dates and numbers.

    Fields: deal_id, deal_name, customer_name, customer_id, product, region, promised_date, amount,
    unit_price, quantity, discount_percent, owner, stage. Then preview again.
    """
    run = access.get_run_or_404(current_user, _project(project_id), run_id)
    form = validated(MappingForm, {**run.mapping, "date_format": run.date_format, "decimal_mark": run.decimal_mark,
                                   **json_body()}, run=run)
    services.set_mapping(current_user, run, form.to_input())
    commit("import")
    return jsonify(import_json(run))


@bp.post("/projects/<int:project_id>/imports/<int:run_id>/preview")
@operation(ImportJson, body=Body(), errors=(403, 409))
def preview_import(project_id: int, run_id: int) -> Response:
    """Check every row: ``error_rows`` and the errors at ``errors_url``; what the import would create,
    update and leave unchanged. Send ``{}``."""
    run = access.get_run_or_404(current_user, _project(project_id), run_id)
    json_body()
    services.preview(current_user, run)
    commit("import")
    return jsonify(import_json(run))


@bp.get("/projects/<int:project_id>/imports/<int:run_id>/errors")
@operation(RowErrorJson, paged=True)
def list_errors(project_id: int, run_id: int) -> Response:
    """The preview's errors by row: the row, the column and what is wrong."""
    run = access.get_run_or_404(current_user, _project(project_id), run_id)
    return page_json(services.row_errors(run, page_request()), error_json)


@bp.post("/projects/<int:project_id>/imports/<int:run_id>/start")
@operation(ImportJson, body=Body(), errors=(403, 409))
def start_import(project_id: int, run_id: int) -> Response:
    """Import a preview without errors, all or nothing. Small files are done when this answers
    (``state`` ``done`` or ``failed``); larger ones run in the background: poll ``status_url``. Send ``{}``."""
    run = access.get_run_or_404(current_user, _project(project_id), run_id)
    json_body()
    services.start(current_user, run)
    commit("import")
    return jsonify(import_json(run))
