"""Catalog pages: one place for sales to see what they may promise, where, and at what price.

Everyone signed in reads the catalog. A product's own product managers (and admins) keep it
current on its edit page: details, price bands, marketing links and coverage per region, each
card posting to a small endpoint that redirects back with a flash. To anyone else the edit page
and every one of those endpoints is *not found*.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.catalog import services
from app.catalog.access import can_add_products, can_edit, get_band_or_404, get_link_or_404, get_product_or_404
from app.catalog.forms import CoverageForm, LinkForm, PriceBandForm, ProductForm
from app.catalog.models import COVERAGE, PRODUCT_STATUSES, PriceBand, Product
from app.core.forms import CsrfForm
from app.core.pagination import page_request
from app.core.views import run_and_flash, save_form
from app.extensions import db
from app.regions.models import Region
from app.regions.services import active_regions
from workflows.commitment import OPEN_STATES
from workflows.commitment import STATES as COMMITMENT_STATES

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

#: The open commitment states the catalog counts per product, in the workflow's order, with their labels.
OPEN_COMMITMENT_STATES = [(state, label) for state, label in COMMITMENT_STATES.items() if state in OPEN_STATES]
bp.before_request(login_required(lambda: None))


@bp.get("/")
def index() -> str:
    status = request.args.get("status", "")
    page = services.products(page_request(default_limit=20), status if status in PRODUCT_STATUSES else "")
    products = page.items
    return render_template(
        "catalog/index.html", products=products, page=page, regions=active_regions(), status=status,
        statuses=PRODUCT_STATUSES, can_add=can_add_products(current_user),
        editable={p.id for p in products if can_edit(current_user, p)},
        changed=services.last_changed([p.id for p in products]),
        promises=services.promise_counts(current_user, [p.id for p in products]),
        open_states=OPEN_COMMITMENT_STATES,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    if not can_add_products(current_user):
        abort(404)
    form = ProductForm()
    if request.method == "GET" and current_user.id in {c.value for c in form.owner_ids.choices or []}:  # type: ignore[union-attr]
        form.owner_ids.data = [current_user.id]
    product = save_form(form, lambda: services.create_product(current_user, form.to_input()), "product")
    if product is not None:
        flash(f"Product “{product.name}” added. Now give it price bands and say where it can be sold.", "success")
        return redirect(url_for(".edit", product_id=product.id))
    return render_template("catalog/form.html", form=form, product=None)


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
def edit(product_id: int) -> str | Response:
    product = _editable_or_404(product_id)
    form = ProductForm(obj=product, product=product)
    if request.method == "GET":
        form.owner_ids.data = [u.id for u in product.owners]
    saved = save_form(
        form, lambda: services.update_product(current_user, product, form.to_input(), form.version.data or 0), "product"
    )
    if saved is not None:
        flash(f"Product “{product.name}” saved.", "success")
        if not can_edit(current_user, product):  # they handed it over to other product managers
            return redirect(url_for(".index") + f"#product-{product.id}")
        return redirect(url_for(".edit", product_id=product.id))
    return render_template("catalog/edit.html", form=form, product=product, failed=request.args.get("failed", ""),
                           **_cards(product))


@bp.post("/<int:product_id>/bands")
def add_band(product_id: int) -> Response:
    product = _editable_or_404(product_id)
    form = PriceBandForm()
    return _save_small_form(product, form, lambda: _save_band(product, None, form), "Price band added.", "bands")


@bp.post("/<int:product_id>/bands/<int:band_id>")
def update_band(product_id: int, band_id: int) -> Response:
    product = _editable_or_404(product_id)
    band = get_band_or_404(product, band_id)
    form = PriceBandForm()
    return _save_small_form(product, form, lambda: _save_band(product, band, form), "Price band saved.", "bands")


@bp.post("/<int:product_id>/bands/<int:band_id>/delete")
def delete_band(product_id: int, band_id: int) -> Response:
    product = _editable_or_404(product_id)
    band = get_band_or_404(product, band_id)
    tier = band.tier
    return _save_small_form(
        product, CsrfForm(), lambda: services.delete_band(current_user, product, band), f"The {tier} band was removed.", "bands"
    )


@bp.post("/<int:product_id>/links")
def add_link(product_id: int) -> Response:
    product = _editable_or_404(product_id)
    form = LinkForm()
    return _save_small_form(
        product, form, lambda: services.add_link(current_user, product, form.title.data or "", form.url.data or ""),
        "Link added.", "links",
    )


@bp.post("/<int:product_id>/links/<int:link_id>/delete")
def delete_link(product_id: int, link_id: int) -> Response:
    product = _editable_or_404(product_id)
    link = get_link_or_404(product, link_id)
    return _save_small_form(
        product, CsrfForm(), lambda: services.delete_link(current_user, product, link), f"“{link.title}” removed.", "links"
    )


@bp.post("/<int:product_id>/coverage")
def set_coverage(product_id: int) -> Response:
    product = _editable_or_404(product_id)
    form = CoverageForm()
    region = db.session.get(Region, form.region_id.data) if isinstance(form.region_id.data, int) else None
    status = form.status.data or ""
    said = COVERAGE.get(status, "unknown").lower()
    return _save_small_form(
        product, form,
        lambda: services.set_coverage(current_user, product, region or abort(404), status,
                                      form.reason.data or "", form.planned_from.data),
        f"{product.name} in {region.name if region else 'that region'}: {said}.",
        "coverage", f"region-{region.id}" if region else "",
    )


def _editable_or_404(product_id: int) -> Product:
    """The product, if the signed-in person keeps it; to anyone else it is not found."""
    product = get_product_or_404(product_id)
    return product if can_edit(current_user, product) else abort(404)


def _save_band(product: Product, band: PriceBand | None, form: PriceBandForm) -> PriceBand:
    assert form.list_price.data is not None and form.minimum_price.data is not None  # InputRequired
    return services.save_band(current_user, product, band, form.tier.data or "", form.list_price.data,
                              form.minimum_price.data, form.unit.data or "")


def _cards(product: Product) -> dict[str, object]:
    """The edit page's management cards, each form filled from what is saved (never from this request)."""
    display = {"formdata": None, "meta": {"csrf": False}}
    coverage = []
    for region in active_regions():
        entry = product.coverage_in(region.id)
        data = {"region_id": region.id, "status": entry.status if entry else "",
                "reason": entry.reason if entry else "", "planned_from": entry.planned_from if entry else None}
        coverage.append((region, entry, CoverageForm(data=data, **display)))
    return {
        "bands": [(band, PriceBandForm(obj=band, **display)) for band in product.bands],
        "band_form": PriceBandForm(**display),
        "link_form": LinkForm(**display),
        "coverage": coverage,
    }


def _save_small_form(
    product: Product, form: FlaskForm, action: Callable[[], object], success: str, card: str, anchor: str = ""
) -> Response:
    """Validate one card's form, run its service call, flash the outcome and go back to the card.

    A refusal goes back with ``failed=<card>``, so the card repeats the error where the person is looking.
    """
    if form.validate_on_submit():
        if run_and_flash(action, success, "product"):
            return redirect(url_for(".edit", product_id=product.id) + f"#{anchor or card}")
    else:
        for name, errors in form.errors.items():
            field = form._fields.get(name)
            label = field.label.text if field is not None and name != "csrf_token" else "Form"
            flash(f"{label}: {' '.join(errors)}", "error")
    return redirect(url_for(".edit", product_id=product.id, failed=card) + f"#{card}")
