"""Briefing pages: the list (by region, product and dates), logging one with its deck, reading and keeping it.

Everyone signed in reads briefings and downloads their decks. Whoever logged a briefing, the
product managers of its products and admins change it; to anyone else its edit page and every
POST is *not found*.

The pages that take a deck accept a body up to MAX_UPLOAD_BYTES (plus room for the other fields)
instead of the app-wide MAX_CONTENT_LENGTH. The app-wide CSRF check would read the body before
the view could raise that limit, so those views are exempt from it and run it themselves, once
the limit is raised.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.briefings import services, uploads
from app.briefings.forms import BriefingForm, FilterForm, MaterialForm
from app.briefings.models import Briefing, BriefingMaterial
from app.core import clock
from app.core.forms import CsrfForm
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.views import press, run_and_flash, save_form
from app.errors import http_error
from app.extensions import csrf, db

bp = Blueprint("briefings", __name__, url_prefix="/briefings")
bp.before_request(login_required(lambda: None))

#: Room in an upload's request for the form's other fields and the multipart framing, beside the deck.
FORM_OVERHEAD = 256 * 1024
#: The pages that take a deck (and so the larger body limit).
UPLOAD_ENDPOINTS = frozenset({"briefings.new", "briefings.edit", "briefings.add_material"})


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[Response | str, int]:
    """A body over the upload limit is refused before it is read: say how large it was and what the limit is."""
    if request.endpoint not in UPLOAD_ENDPOINTS:  # no deck goes there: the app-wide limit and words apply
        return http_error(error)
    limit = uploads.size_text(current_app.config["MAX_UPLOAD_BYTES"])
    sent = request.content_length
    said = f"This upload is {uploads.size_text(sent)}; the" if sent else "The"
    return render_template(
        "error.html", status=413, title="The deck is too large",
        message=f"{said} limit for a deck is {limit}. Nothing was saved: make the file smaller "
                "(export it as PDF, or compress its images) and try again.",
    ), 413


def _allow_upload() -> None:
    """Let this request carry a deck, then check the CSRF token the app-wide check skipped."""
    request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"] + FORM_OVERHEAD
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


# --- reading -----------------------------------------------------------------------------------

@bp.get("/")
def index() -> str:
    form = FilterForm(formdata=request.args)
    form.validate()

    def chosen(name: str) -> object:
        return None if form[name].errors else form[name].data

    filters = services.BriefingFilters(chosen("region"), chosen("product"),  # type: ignore[arg-type]
                                       chosen("date_from"), chosen("date_to"))  # type: ignore[arg-type]
    page = services.briefings(filters, page_request())
    return render_template(
        "briefings/index.html", briefings=page.items, page=page, totals=services.totals(filters), form=form,
        can_log=services.can_log(current_user),
        filtered=any(request.args.get(name) for name in ("region", "product", "date_from", "date_to")),
    )


@bp.get("/<int:briefing_id>")
def show(briefing_id: int) -> str:
    return _render_show(db.get_or_404(Briefing, briefing_id), MaterialForm(formdata=None))


@bp.get("/<int:briefing_id>/materials/<int:material_id>")
@response_policy(csp="sandbox")  # never run as a page, whatever a browser thinks of its bytes (and nosniff)
def download(briefing_id: int, material_id: int) -> Response:
    material = _material_or_404(db.get_or_404(Briefing, briefing_id), material_id)
    path = uploads.path_of(material.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=material.content_type, as_attachment=True,
                         download_name=material.filename, etag=material.sha256, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- logging and editing -----------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@csrf.exempt
def new() -> str | Response:
    if not services.can_log(current_user):
        abort(404)
    _allow_upload()
    form = BriefingForm()
    if request.method == "GET":
        form.presenter_id.data = current_user.id
        form.held_on.data = clock.today()

    def log() -> Briefing:
        briefing = services.log_briefing(current_user, form.to_input())
        _attach(briefing, form.material.data)
        return briefing

    briefing = save_form(form, log, "briefing")
    if briefing is not None:
        flash(f"Briefing “{briefing.title}” logged." + (" Its attendees have been told." if briefing.attendees else ""),
              "success")
        return redirect(url_for(".show", briefing_id=briefing.id))
    return _render_form(form, None)


@bp.route("/<int:briefing_id>/edit", methods=["GET", "POST"])
@csrf.exempt
def edit(briefing_id: int) -> str | Response:
    briefing = _editable_or_404(briefing_id)
    _allow_upload()
    form = BriefingForm(obj=briefing, briefing=briefing)
    if request.method == "GET":
        form.product_ids.data = [p.id for p in briefing.products]
        form.attendee_ids.data = [u.id for u in briefing.attendees]

    def update() -> Briefing:
        services.update_briefing(current_user, briefing, form.to_input(), form.version.data or 0)
        _attach(briefing, form.material.data)
        return briefing

    if save_form(form, update, "briefing") is not None:
        flash(f"Briefing “{briefing.title}” saved.", "success")
        return redirect(url_for(".show", briefing_id=briefing.id))
    return _render_form(form, briefing)


@bp.post("/<int:briefing_id>/materials")
@csrf.exempt
def add_material(briefing_id: int) -> str | Response:
    briefing = _editable_or_404(briefing_id)
    _allow_upload()
    form = MaterialForm()
    upload = form.material.data
    # A refusal is said once, beside the upload field: the page again, not a flash at its top.
    if not form.validate_on_submit() or not isinstance(upload, FileStorage) or not upload.filename:
        form.material.errors = ["Choose the deck to upload."]
        return _render_show(briefing, form)
    if save_form(form, lambda: services.add_material(current_user, briefing, upload), "briefing") is None:
        return _render_show(briefing, form)
    flash(f"Deck “{uploads.clean_filename(upload.filename)}” added.", "success")
    return redirect(url_for(".show", briefing_id=briefing.id) + "#materials")


@bp.post("/<int:briefing_id>/materials/<int:material_id>/delete")
def delete_material(briefing_id: int, material_id: int) -> Response:
    briefing = _editable_or_404(briefing_id)
    material = _material_or_404(briefing, material_id)
    name = material.filename
    return press(lambda: services.remove_material(current_user, briefing, material), f"“{name}” removed.",
                 url_for(".show", briefing_id=briefing.id) + "#materials", "briefing")


@bp.post("/<int:briefing_id>/delete")
def delete(briefing_id: int) -> Response:
    briefing = _editable_or_404(briefing_id)
    title = briefing.title
    if CsrfForm().validate_on_submit() and run_and_flash(
            lambda: services.delete_briefing(current_user, briefing), f"Briefing “{title}” deleted.", "briefing"):
        return redirect(url_for(".index"))
    return redirect(url_for(".show", briefing_id=briefing_id))


# --- helpers -----------------------------------------------------------------------------------

def _attach(briefing: Briefing, upload: object) -> None:
    """Attach the deck chosen on the form, if one was."""
    if isinstance(upload, FileStorage) and upload.filename:
        services.add_material(current_user, briefing, upload)


def _render_show(briefing: Briefing, material_form: MaterialForm) -> str:
    return render_template(
        "briefings/show.html", briefing=briefing, can_edit=services.can_edit(current_user, briefing),
        material_form=material_form, accept=uploads.ACCEPT, size_text=uploads.size_text,
        max_upload=uploads.size_text(current_app.config["MAX_UPLOAD_BYTES"]),
    )


def _render_form(form: BriefingForm, briefing: Briefing | None) -> str:
    return render_template("briefings/form.html", form=form, briefing=briefing, accept=uploads.ACCEPT,
                           max_upload=uploads.size_text(current_app.config["MAX_UPLOAD_BYTES"]))


def _editable_or_404(briefing_id: int) -> Briefing:
    """The briefing, if the signed-in person keeps it; to anyone else it is not found."""
    briefing = db.get_or_404(Briefing, briefing_id)
    if not services.can_edit(current_user, briefing):
        abort(404)
    return briefing


def _material_or_404(briefing: Briefing, material_id: int) -> BriefingMaterial:
    material = next((m for m in briefing.materials if m.id == material_id), None)
    return material if material is not None else abort(404)
