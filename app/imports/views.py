"""The import's pages: upload a CSV into a campaign, map its columns, preview every row, import, follow progress.

The upload page accepts a body up to MAX_UPLOAD_BYTES (plus room for the form) instead of the
app-wide MAX_CONTENT_LENGTH; as for briefing decks, the app-wide CSRF check would read the body
before the limit is raised, so that view is exempt from it and runs it itself once it is.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.core.errors import InvalidInput
from app.core.forms import CsrfForm
from app.core.pagination import page_request
from app.core.views import run_and_flash, save_form
from app.extensions import csrf
from app.imports import access, progress, services
from app.imports import mapping as columns
from app.imports.forms import MappingForm, UploadForm
from app.imports.models import ImportRun
from app.projects.access import get_project_or_404
from app.projects.models import Project
from workflows.imports import EDITABLE_STATES, ImportState

bp = Blueprint("imports", __name__, url_prefix="/campaigns/<int:project_id>/imports")
bp.before_request(login_required(lambda: None))
bp.add_app_template_global(access.can_import, "can_import_deals")
bp.add_app_template_global(ImportState, "ImportState")
bp.add_app_template_global(EDITABLE_STATES, "IMPORT_EDITABLE_STATES")

#: Room in the upload's request for the CSRF token and the multipart framing, beside the file.
FORM_OVERHEAD = 64 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the limit is refused before it is read: say what the limit is."""
    return render_template(
        "error.html", status=413, title="The file is too large",
        message=f"A CRM export may be at most {services.size_limit_text()}. Nothing was saved: export fewer deals at a time "
                "(by close date or region, say) and import each file.",
    ), 413


def _project(project_id: int) -> Project:
    project = get_project_or_404(current_user, project_id)
    if not access.can_import(current_user, project):
        abort(404)
    return project


@bp.route("/", methods=["GET", "POST"])
@csrf.exempt
def index(project_id: int) -> str | Response:
    """The campaign's imports, newest first, and the form to upload another file."""
    project = _project(project_id)
    request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"] + FORM_OVERHEAD
    if request.method == "POST" and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    form = UploadForm()

    def upload() -> ImportRun:
        file = form.file.data
        if file is None or not getattr(file, "filename", ""):
            raise InvalidInput("Choose a file.", {"file": ["Choose the CSV file exported from your CRM."]})
        return services.upload(current_user, project, file.filename, file.read())

    run = save_form(form, upload, "import")
    if run is not None:
        flash(f"{run.filename}: {services.row_count_text(run)} read ({columns.SOURCE_LABELS[run.source]}). "
              "Check the columns.", "success")
        return redirect(url_for(".mapping", project_id=project.id, run_id=run.id))
    runs = services.project_runs(project, page_request())
    return render_template("imports/index.html", project=project, form=form, runs=runs.items, page=runs,
                           max_upload=services.size_limit_text(),
                           generic_headers=columns.FIELD_NAMES)


@bp.route("/<int:run_id>/mapping", methods=["GET", "POST"])
def mapping(project_id: int, run_id: int) -> str | Response:
    project = _project(project_id)
    run = access.get_run_or_404(current_user, project, run_id)
    form = MappingForm(run=run)
    if request.method == "GET":
        for name in columns.FIELD_NAMES:
            form[name].data = run.mapping.get(name, "")
        form.date_format.data, form.decimal_mark.data = run.date_format, run.decimal_mark

    def map_and_preview() -> ImportRun:
        services.set_mapping(current_user, run, form.to_input())
        return services.preview(current_user, run)

    if save_form(form, map_and_preview, "import") is not None:
        return redirect(url_for(".show", project_id=project.id, run_id=run.id))
    return render_template("imports/mapping.html", project=project, run=run, form=form,
                           samples=services.sample_rows(run) if run.content is not None else [],
                           source_label=columns.SOURCE_LABELS[run.source],
                           editable=run.state in EDITABLE_STATES)


@bp.get("/<int:run_id>")
def show(project_id: int, run_id: int) -> str:
    """Where the run stands: its preview's totals and errors, the import's progress, or what it did."""
    project = _project(project_id)
    run = access.get_run_or_404(current_user, project, run_id)
    errors = services.row_errors(run, page_request())
    return render_template("imports/show.html", project=project, run=run, errors=errors.items, page=errors,
                           form=CsrfForm(), labels=columns.LABELS, source_label=columns.SOURCE_LABELS[run.source],
                           done=progress.read(run.id) if run.state == ImportState.IMPORTING else None)


@bp.post("/<int:run_id>/preview")
def preview(project_id: int, run_id: int) -> Response:
    """Check every row again (the catalog may have changed since)."""
    project = _project(project_id)
    run = access.get_run_or_404(current_user, project, run_id)
    if CsrfForm().validate_on_submit():
        run_and_flash(lambda: services.preview(current_user, run), "Previewed again.", "import")
    return redirect(url_for(".show", project_id=project.id, run_id=run.id))


@bp.post("/<int:run_id>/start")
def start(project_id: int, run_id: int) -> Response:
    project = _project(project_id)
    run = access.get_run_or_404(current_user, project, run_id)
    if CsrfForm().validate_on_submit():
        run_and_flash(lambda: services.start(current_user, run), _said, "import")
    return redirect(url_for(".show", project_id=project.id, run_id=run_id))


def _said(finished: bool) -> tuple[str, str]:
    if finished:
        return "", "info"  # the page says how it ended, done or failed
    return "The import runs in the background: this page follows it.", "info"


@bp.get("/<int:run_id>/status.json")
def status(project_id: int, run_id: int) -> Response:
    """What the page polls while the import runs (static/js/import-progress.js)."""
    project = _project(project_id)
    return jsonify(services.status(access.get_run_or_404(current_user, project, run_id)))
