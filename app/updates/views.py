"""Product update pages: what changed in the catalog that sales must know, and who has read it.

Everyone signed in reads every update. Sellers see the ones awaiting their acknowledgement, each
with its button; a product's managers (and admins) publish updates about it and, on each one,
see who has acknowledged it and who has not yet.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.catalog.models import Product
from app.core.forms import record_id
from app.core.pagination import page_request
from app.core.urls import redirect_target
from app.core.views import press, save_form
from app.extensions import db
from app.updates import services
from app.updates.forms import UpdateForm
from app.updates.models import KINDS, ProductUpdate

bp = Blueprint("updates", __name__, url_prefix="/updates")
bp.before_request(login_required(lambda: None))


@bp.get("/")
def index() -> str:
    product_id = request.args.get("product", type=record_id)
    product = db.session.get(Product, product_id) if product_id else None
    page = services.updates(product.id if product else None, page_request())
    return render_template(
        "updates/index.html", updates=page.items, page=page, product=product,
        products=services.products_with_updates(), waiting=services.awaiting(current_user, [u.id for u in page.items]),
        waiting_count=services.awaiting_count(current_user), can_publish=bool(services.publishable_products(current_user)),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    if not services.publishable_products(current_user):
        abort(404)
    form = UpdateForm(current_user)
    if request.method == "GET":
        form.product_id.data = request.args.get("product", type=record_id)
    update = save_form(form, lambda: services.publish_update(current_user, form.to_input()), "update")
    if update is not None:
        audience = len(services.audience(update))
        flash(f"Update published: {audience} seller{'s' if audience != 1 else ''} told"
              + (", each asked to acknowledge it." if update.requires_ack else "."), "success")
        return redirect(url_for(".show", update_id=update.id))
    return render_template("updates/form.html", form=form, kinds=KINDS)


@bp.get("/<int:update_id>")
def show(update_id: int) -> str:
    update = db.get_or_404(ProductUpdate, update_id)
    manages = services.can_see_status(current_user, update)
    mine = update.acknowledgement_by(current_user)
    return render_template(
        "updates/show.html", update=update, status=services.ack_status(update) if manages else None,
        awaiting=update.id in services.awaiting(current_user, [update.id]),
        acknowledged_at=mine.acknowledged_at if mine else None,
    )


@bp.post("/<int:update_id>/acknowledge")
def acknowledge(update_id: int) -> Response:
    update = db.get_or_404(ProductUpdate, update_id)
    return press(lambda: services.acknowledge(current_user, update), f"Thanks: you acknowledged “{update.title}”.",
                 redirect_target(request.form.get("next"), url_for(".show", update_id=update.id)), "acknowledgement")

