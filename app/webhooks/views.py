"""The admins' webhook pages: the endpoints, one endpoint with its delivery log, the form."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.views import admins_only, no_store, press, run_and_flash, save_form
from app.webhooks import services
from app.webhooks.access import endpoint_or_404, message_or_404
from app.webhooks.catalogue import TYPES
from app.webhooks.forms import EndpointForm
from app.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


admins_only(bp)


@bp.get("/")
def index() -> str:
    page = services.endpoints(page_request())
    return render_template("webhooks/index.html", page=page, endpoints=page.items, total=services.endpoint_count(),
                           types=TYPES)


@bp.route("/new", methods=["GET", "POST"])
@response_policy(referrer="no-referrer")  # the answer to a save shows the secret, once
def new() -> str | Response:
    form = EndpointForm()
    created = save_form(form, lambda: services.create_endpoint(current_user, form.data_for_service()),
                        "webhook endpoint")
    if created is not None:
        endpoint, secret = created
        flash(f"Endpoint {endpoint.url} registered.", "success")
        return _endpoint_page(endpoint, secret=secret)
    return render_template("webhooks/form.html", form=form, hook=None, types=TYPES)


@bp.get("/<int:endpoint_id>")
def endpoint(endpoint_id: int) -> str | Response:
    return _endpoint_page(endpoint_or_404(current_user, endpoint_id))


def _endpoint_page(endpoint: WebhookEndpoint, secret: str | None = None) -> Response:
    page = services.messages(endpoint, page_request())
    response = make_response(render_template(
        "webhooks/endpoint.html", hook=endpoint, secret=secret, page=page, messages=page.items,
        total=services.message_count(endpoint), types=TYPES))
    return no_store(response) if secret else response


@bp.route("/<int:endpoint_id>/edit", methods=["GET", "POST"])
def edit(endpoint_id: int) -> str | Response:
    endpoint = endpoint_or_404(current_user, endpoint_id)
    form = EndpointForm(obj=endpoint)
    saved = save_form(form, lambda: services.update_endpoint(current_user, endpoint, form.data_for_service(),
                                                              form.version.data or 0), "webhook endpoint")
    if saved is not None:
        flash("Endpoint saved.", "success")
        return redirect(url_for(".endpoint", endpoint_id=endpoint.id))
    return render_template("webhooks/form.html", form=form, hook=endpoint, types=TYPES)


@bp.post("/<int:endpoint_id>/rotate")
@response_policy(referrer="no-referrer")
def rotate(endpoint_id: int) -> Response:
    endpoint = endpoint_or_404(current_user, endpoint_id)
    secrets: list[str] = []
    if run_and_flash(lambda: secrets.append(services.rotate_secret(current_user, endpoint)),
                     "New secret made: messages are signed with it from now on.", "webhook endpoint"):
        return _endpoint_page(endpoint, secret=secrets[0])
    return redirect(url_for(".endpoint", endpoint_id=endpoint.id))


@bp.post("/<int:endpoint_id>/test")
def send_test(endpoint_id: int) -> Response:
    endpoint = endpoint_or_404(current_user, endpoint_id)
    return press(lambda: services.send_test(current_user, endpoint),
                 "Test event (ping) sent: its delivery is at the top of the log.",
                 url_for(".endpoint", endpoint_id=endpoint.id))


@bp.post("/<int:endpoint_id>/delete")
def delete(endpoint_id: int) -> Response:
    endpoint = endpoint_or_404(current_user, endpoint_id)
    url = endpoint.url
    return press(lambda: services.delete_endpoint(current_user, endpoint), f"Endpoint {url} deleted.",
                 url_for(".index"))


@bp.post("/<int:endpoint_id>/messages/<int:message_id>/redeliver")
def redeliver(endpoint_id: int, message_id: int) -> Response:
    endpoint = endpoint_or_404(current_user, endpoint_id)
    message = message_or_404(current_user, endpoint, message_id)
    return press(lambda: services.redeliver(current_user, message),
                 f"Message {message.msg_id} sent again, under the same webhook-id.",
                 url_for(".endpoint", endpoint_id=endpoint.id))
