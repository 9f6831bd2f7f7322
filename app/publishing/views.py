"""The admins' page on publishing tokens, and the printable sales sheet of a product.

The sales sheet is one template for two readers: people signed in open it from the catalog
(``/catalog/<id>/sales-sheet``), and an intranet shows it with a publishing token
(``/published/products/<id>/sheet``, the token in ``Authorization: Bearer`` or in ``?token=``
for a plain link). Both carry a strong ETag of the page and answer ``If-None-Match`` with 304.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts.auth import own_bearer
from app.core.forms import CsrfForm
from app.core.headers import response_policy
from app.core.pagination import page_request
from app.core.urls import base_url
from app.core.views import no_store, press, save_form
from app.publishing import published, services
from app.publishing.access import Refused, reader, require_manager, token_or_404
from app.publishing.forms import PublishingTokenForm

bp = Blueprint("publishing", __name__)
bp.record_once(lambda _state: own_bearer("publishing.published_sheet"))


# --- Admin → Published catalog --------------------------------------------------------------------

@bp.route("/admin/publishing", methods=["GET", "POST"])
@login_required
@response_policy(referrer="no-referrer")  # it shows a new token once
def admin() -> Response:
    require_manager()
    form = PublishingTokenForm()
    created = save_form(form, lambda: services.create_token(current_user, form.name.data or ""), "token")
    if created is not None:
        form = PublishingTokenForm(formdata=None)
    token, secret = created if created is not None else (None, None)
    response = make_response(render_template(
        "publishing/admin.html", form=form, created=token, secret=secret, base=base_url(),
        page=(page := services.tokens(page_request())), tokens=page.items, buttons=CsrfForm(),
    ))
    return no_store(response) if secret else response


@bp.post("/admin/publishing/<int:publishing_token_id>/revoke")
@login_required
def revoke(publishing_token_id: int) -> Response:
    require_manager()
    token = token_or_404(publishing_token_id)
    return press(lambda: services.revoke_token(current_user, token),
                 f"“{token.name}” is revoked: it reads nothing from now on.", url_for(".admin"))


# --- the sales sheet --------------------------------------------------------------------------------

@bp.get("/catalog/<int:product_id>/sales-sheet")
@login_required
def sales_sheet(product_id: int) -> Response:
    """The sales sheet for people signed in (everyone reads the catalog), with a way back to it."""
    return _sheet(product_id, back=url_for("catalog.index") + f"#product-{product_id}")


@bp.get("/published/products/<int:product_id>/sheet")
@response_policy(referrer="no-referrer")  # a ?token= in this URL must not ride along to the material's sites
def published_sheet(product_id: int) -> Response:
    """The same sheet for an intranet, with a publishing token instead of a session."""
    found = reader(query=True)
    if isinstance(found, Refused):
        response = make_response(render_template(
            "error.html", status=found.status, title="Not signed in" if found.status == 401 else "Too many attempts",
            message=found.message), found.status)
        response.headers.update(found.headers)
        return response
    return _sheet(product_id, back=None)


def _sheet(product_id: int, back: str | None) -> Response:
    sheet = published.product_sheet(product_id)
    if sheet is None:
        abort(404)
    response = make_response(render_template("publishing/sheet.html", sheet=sheet, back=back))
    return published.conditional(response, sheet.updated_at)
