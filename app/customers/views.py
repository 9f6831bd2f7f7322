"""Customer pages: the list, a customer's page (assembled from what the features above fill in), recording
and editing, merging two records of one customer, the possible duplicates, and the pickers' suggestions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.audit import services as audit
from app.core.errors import InvalidInput
from app.core.forms import CsrfForm
from app.core.pagination import page_request, total
from app.core.query import arg_number
from app.core.views import run_and_flash, save_form
from app.customers import access, registry, services
from app.customers.forms import CustomerForm
from app.customers.models import Customer
from app.extensions import db
from app.regions.services import all_regions

bp = Blueprint("customers", __name__)
bp.before_request(login_required(lambda: None))
# Pages of the features above link a customer's name here only for who may open it.
bp.add_app_template_global(access.sees_customers, "sees_customers")

FILTER_LABELS = {"q": "Search", "region_id": "Region", "owner_id": "Owning seller", "sort": "Sort by",
                 "limit": "Page size", "cursor": "Page"}


def _require_reader() -> None:
    if not access.sees_customers(current_user):
        abort(404)


@bp.get("/customers")
def index() -> tuple[str, int]:
    """Customers, searched, filtered and sorted, a page at a time, with their commitments counted in one query."""
    _require_reader()
    form = CustomerForm(formdata=None)
    options = {"regions": all_regions(), "owners": form.owner_id.choices[1:], "sorts": services.SORTS,
               "labels": FILTER_LABELS, "may_create": access.may_create(current_user),
               "may_merge": access.may_merge(current_user)}
    try:
        filters = services.parse_filters(request.args)
        page = services.list_customers(filters, page_request())
    except InvalidInput as error:
        return render_template("customers/index.html", error=error, values=request.args, filters=None, page=None,
                               items=[], counts={}, **options), 400
    return render_template(
        "customers/index.html", error=None, values=filters.as_args(), filters=filters, page=page, items=page.items,
        total=total(services.customers_query(filters)),
        counts=registry.commitment_counts(current_user, [c.id for c in page.items]), **options,
    ), 200


@bp.get("/customers/suggest")
def suggest() -> Response:
    """The pickers' suggestions for what was typed: at most :data:`~app.customers.services.SUGGESTIONS`."""
    _require_reader()
    found = services.search(request.args.get("q", "")[:160])
    return jsonify([{"id": c.id, "name": c.name, "domain": c.domain} for c in found])


@bp.route("/customers/new", methods=["GET", "POST"])
def new() -> str | Response:
    _require_reader()
    if not access.may_create(current_user):
        flash("Customers are recorded by sales and admins.", "error")
        return redirect(url_for(".index"))
    form = CustomerForm()
    customer = save_form(form, lambda: services.create_customer(form.to_input(), actor=current_user), "customer")
    if customer is not None:
        flash(f"Customer {customer.name} recorded.", "success")
        return redirect(url_for(".show", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=None)


@bp.get("/customers/<int:customer_id>")
def show(customer_id: int) -> str:
    customer = access.get_customer_or_404(current_user, customer_id)
    return render_template(
        "customers/show.html", customer=customer,
        panels=[Markup(render_template(p.template, **p.context)) for p in registry.panels(current_user, customer)],
        may_edit=access.may_edit(current_user, customer), may_merge=access.may_merge(current_user),
        history=audit.record_history("customer", customer.id, limit=20),
    )


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def edit(customer_id: int) -> str | Response:
    customer = access.get_customer_or_404(current_user, customer_id)
    if not access.may_edit(current_user, customer):
        flash("A customer's details are kept by sales managers, admins and its owning seller.", "error")
        return redirect(url_for(".show", customer_id=customer.id))
    form = CustomerForm(obj=customer, customer=customer)
    saved = save_form(form, lambda: services.update_customer(customer, form.to_input(), form.version.data or 0,
                                                             actor=current_user), "customer")
    if saved is not None:
        flash("Customer saved.", "success")
        return redirect(url_for(".show", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=customer)


# --- merging -----------------------------------------------------------------------------------

@bp.get("/customers/<int:customer_id>/merge")
def merge(customer_id: int) -> tuple[str, int]:
    """Pick the customer to merge into this one (the survivor); with one picked, what would move."""
    survivor = _merger(customer_id)
    errors: dict[str, list[str]] = {}
    duplicate_id = arg_number(request.args, "duplicate", errors, "Pick a customer from the list.")
    preview, status = None, 200
    if duplicate_id is not None:
        duplicate = db.session.get(Customer, duplicate_id)
        if duplicate is None or duplicate.id == survivor.id:
            errors["duplicate"] = ["Pick another customer from the list."]
        else:
            preview = services.merge_preview(survivor, duplicate)
    if errors:
        status = 400
    candidates = services.search(request.args.get("q", "")[:160]) if request.args.get("q") else []
    return render_template("customers/merge.html", survivor=survivor, preview=preview, errors=errors,
                           candidates=[c for c in candidates if c.id != survivor.id], q=request.args.get("q", ""),
                           form=CsrfForm()), status


@bp.post("/customers/<int:customer_id>/merge")
def confirm_merge(customer_id: int) -> Response:
    survivor = _merger(customer_id)
    form = CsrfForm()
    errors: dict[str, list[str]] = {}
    duplicate_id = arg_number(request.form, "duplicate_id", errors)
    duplicate = db.session.get(Customer, duplicate_id) if duplicate_id is not None else None
    if not form.validate_on_submit() or duplicate is None or duplicate.id == survivor.id:
        flash("That merge was not understood; pick the customer again.", "error")
        return redirect(url_for(".merge", customer_id=survivor.id))
    name = duplicate.name
    if run_and_flash(lambda: services.merge(survivor, duplicate, actor=current_user),
                     f"{name} merged into {survivor.name}: its commitments and feedback are here now.", "customer"):
        return redirect(url_for(".show", customer_id=survivor.id))
    return redirect(url_for(".merge", customer_id=survivor.id))


def _merger(customer_id: int) -> Customer:
    customer = access.get_customer_or_404(current_user, customer_id)
    if not access.may_merge(current_user):
        abort(404)  # the merge page is no page of theirs
    return customer


@bp.get("/customers/duplicates")
def duplicates() -> str:
    """Customers whose names are close but not equal, for a sales manager or admin to merge by hand."""
    if not access.may_merge(current_user):
        abort(404)
    return render_template("customers/duplicates.html", pairs=services.possible_duplicates(),
                           scan=services.DUPLICATE_SCAN, limit=services.DUPLICATE_PAIRS)
