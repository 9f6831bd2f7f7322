"""Commitment pages: record a promise, read it with its feasibility checks, edit it, decide on it.

A commitment is seen by its campaign's members and by the product managers of its product
(who countersign it without joining the campaign); everyone else gets 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.audit import services as audit
from app.audit.services import describe
from app.catalog.services import pickable_products
from app.commitments import access, across, services
from app.commitments import filters as list_filters
from app.commitments.forms import CommitmentForm, DecisionForm
from app.commitments.models import Commitment
from app.core import clock
from app.core import csv as csv_table
from app.core.downloads import download
from app.core.errors import InvalidInput
from app.core.pagination import page_request, total
from app.core.text import waited
from app.core.views import save_form, save_or_show_again
from app.customers.models import Customer
from app.extensions import db
from app.projects.access import get_project_or_404, visible_project_ids
from app.projects.models import Project
from app.regions.services import all_regions
from workflows.commitment import EDITABLE_STATES, SIGNED_STATES, STATES, CommitmentState

bp = Blueprint("commitments", __name__)
bp.before_request(login_required(lambda: None))

#: The steps a product manager takes in the decision panel rather than as plain buttons.
DECISIONS = ("approve", "request_changes", "reject")

#: What the page says after a step succeeds.
DONE = {
    "submit": "Submitted for countersignature: the product managers of {product} have been asked.",
    "approve": "Countersigned: the commitment now binds.",
    "reject": "Rejected: the seller has been told why.",
    "request_changes": "Sent back for changes: the seller has been told what to change.",
    "revise": "Back to draft: change the terms, then submit again.",
    "fulfil": "Marked fulfilled.",
    "withdraw": "Withdrawn.",
}


#: How the page names the last decision, from its audit event.
_VERDICTS = {"commitment.approve": "Countersigned", "commitment.reject": "Rejected",
             "commitment.request_changes": "Changes requested"}


# --- recording ---------------------------------------------------------------------------------

@bp.route("/campaigns/<int:project_id>/commitments/new", methods=["GET", "POST"])
def new(project_id: int) -> str | Response:
    project = get_project_or_404(current_user, project_id)
    if not access.can_record(current_user, project):
        if not project.is_open:
            flash(f"This campaign is {project.state_label.lower()}: no new commitments can be recorded.", "error")
        else:
            flash("Commitments are recorded by the campaign owner or by members who sell.", "error")
        return redirect(url_for("projects.show", project_id=project.id))  # no anchor: the message shows at the top
    form = CommitmentForm(project)
    if request.method == "GET":
        form.quantity.data = 1
        if len(project.regions) == 1:
            form.region_id.data = project.regions[0].id
    commitment = save_form(form, lambda: services.create_commitment(current_user, project, form.to_input()),
                           "commitment")
    if commitment is not None:
        flash("Commitment recorded as a draft. It binds nothing until it is submitted and countersigned.", "success")
        return redirect(url_for(".show", commitment_id=commitment.id))
    return render_template("commitments/form.html", form=form, project=project, commitment=None)


# --- the form's live checks ------------------------------------------------------------------------

#: The form's fields the feasibility checks read; the others (customer, promise) do not hold them back.
CHECKED_FIELDS = ("product_id", "region_id", "band_id", "milestone_id", "promised_date", "unit_price",
                  "discount_percent", "quantity")


@bp.post("/campaigns/<int:project_id>/commitments/checks")
def checks_new(project_id: int) -> Response:
    """The feasibility checks of a new commitment's terms as typed (the form's live checks); saves nothing."""
    project = get_project_or_404(current_user, project_id)
    if not access.can_record(current_user, project):
        abort(404)  # only who may record a commitment asks for its checks
    return _checks(project, None)


@bp.post("/commitments/<int:commitment_id>/checks")
def checks_edit(commitment_id: int) -> Response:
    """The feasibility checks of a commitment's terms as the edit form has them; saves nothing."""
    commitment = access.get_commitment_or_404(current_user, commitment_id)
    if not _can_edit(commitment):
        abort(404)
    return _checks(commitment.project, commitment)


def _checks(project: Project, commitment: Commitment | None) -> Response:
    form = CommitmentForm(project, commitment=commitment)
    form.validate()  # for the field errors only: the customer and the promise may still be empty
    errors = {name: list(messages) for name, messages in form.errors.items() if name in CHECKED_FIELDS}
    ready = form.promised_date.data is not None and bool(form.product_id.data) and bool(form.region_id.data)
    preview = services.preview(project, form.to_input(), commitment, errors) if ready else services.Preview([], errors)
    blockers = [f for f in preview.findings if f.is_blocker]
    response = jsonify({
        # Checked only once product, region and date are chosen and valid; until then the form says what is missing.
        "checked": preview.checked,
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message} for f in preview.findings],
        "blockers": len(blockers),
        "warnings": len(preview.findings) - len(blockers),
        "errors": preview.errors,
    })
    response.headers["Cache-Control"] = "no-store"
    return response


# --- across campaigns ---------------------------------------------------------------------------

#: How the filter bar names each field in a message.
FILTER_LABELS = {"state": "State", "product_id": "Product", "region_id": "Region", "customer": "Customer",
                 "customer_name": "Customer",
                 "seller_id": "Seller", "promised_from": "Promised from", "promised_to": "Promised to",
                 "sort": "Sort by", "mine": "Show", "limit": "Page size", "cursor": "Page"}


@bp.get("/commitments")
def index() -> tuple[str, int]:
    """Every commitment the reader may see, across campaigns: filtered, sorted, a page at a time."""
    options = {"products": pickable_products(), "regions": all_regions(),
               "sellers": across.sellers_seen(current_user), "states": STATES, "sorts": list_filters.SORTS,
               "labels": FILTER_LABELS, "keeps_products": access.keeps_products(current_user)}
    try:
        filters = list_filters.parse_filters(request.args)
        page = across.list_across(current_user, filters, page_request())
    except InvalidInput as error:
        return render_template("commitments/index.html", error=error, values=request.args, filters=None,
                               page=None, items=[], tabs=None, **options), 400
    return render_template(
        "commitments/index.html", error=None, values=filters.as_args(), filters=filters, page=page,
        tabs=_tabs(filters), customer=db.session.get(Customer, filters.customer) if filters.customer else None,
        any_customer=url_for(".index", **{k: v for k, v in filters.as_args().items() if k != "customer"}),
        items=page.items, total=total(across.across_campaigns(current_user, filters)),
        export_limit=across.EXPORT_LIMIT,
        # A campaign is a link only for who may open it; a product manager off the campaign reads its title.
        campaigns=visible_project_ids(current_user, (c.project_id for c in page.items)), **options,
    ), 200


def _tabs(filters: list_filters.CommitmentFilters) -> dict[str, str]:
    """The two tabs of a product manager, each keeping the other filters."""
    args = {k: v for k, v in filters.as_args().items() if k != "mine"}
    return {"all": url_for(".index", **args), "mine": url_for(".index", mine=list_filters.MINE_PRODUCTS, **args)}


@bp.get("/commitments.csv")
def index_csv() -> Response:
    """The filtered list as CSV, in the page's order: its first ``EXPORT_LIMIT`` rows (the page says when more match)."""
    try:
        filters = list_filters.parse_filters(request.args)
    except InvalidInput as error:
        lines = [error.message, *(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())]
        return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")
    body = csv_table.table(across.EXPORT_HEADER, across.export_rows(current_user, filters))
    return download(body, f"countersign-commitments-{clock.today().isoformat()}.csv")


# --- reading -----------------------------------------------------------------------------------

@bp.get("/commitments/<int:commitment_id>")
def show(commitment_id: int) -> Response:
    commitment = access.get_commitment_or_404(current_user, commitment_id)
    return _render_show(commitment)


def _render_show(commitment: Commitment, decision_form: DecisionForm | None = None, status: int = 200) -> Response:
    found = services.findings(commitment)
    options = services.options(current_user, commitment, found)
    decisions = [(t, d) for t, d in options if t.event in DECISIONS]
    steps = [(t, d) for t, d in options if t.event not in DECISIONS]
    blockers = [f for f in found if f.is_blocker]
    # Over blockers, "Submit" comes with the blockers and a box for the seller's justification, not as a plain button.
    submit_over_blockers = bool(blockers) and any(t.event == "submit" and d.allowed for t, d in steps)
    if submit_over_blockers:
        steps = [(t, d) for t, d in steps if t.event != "submit"]
    project = commitment.project
    history = audit.record_history("commitment", commitment.id)
    last_decision = next((e for e in history if e.action in _VERDICTS), None)
    return make_response(render_template(
        "commitments/show.html",
        commitment=commitment,
        project=project,
        findings=found,
        blockers=blockers,
        warnings=[f for f in found if not f.is_blocker],
        submit_over_blockers=submit_over_blockers,
        steps=steps,
        decisions=decisions,
        can_decide=any(d.allowed for _, d in decisions),
        decision_refusals=list(dict.fromkeys(r for _, d in decisions for r in d.reasons)),
        verdict=_VERDICTS[last_decision.action] if last_decision else None,
        decision_form=decision_form or DecisionForm(formdata=None),
        can_edit=_can_edit(commitment),
        # Product managers who are not on the campaign see its title, not a link they cannot open.
        campaign_visible=project.id in visible_project_ids(current_user, [project.id]),
        history=history,
        # An amendment's summary names the step, not the terms: show what changed beneath it.
        changes={e.id: describe(e.details["changes"], limit=6) for e in history
                 if e.action == "commitment.amend" and isinstance(e.details, dict) and e.details.get("changes")},
        waiting=waited(clock.now() - commitment.submitted_at) if commitment.submitted_at else "",
    ), status)


def _can_edit(commitment: Commitment) -> bool:
    roles = access.roles_for(current_user, commitment)
    return (bool(roles & {"seller", "admin"}) and commitment.project.is_open
            and commitment.state in EDITABLE_STATES | SIGNED_STATES)


# --- editing -----------------------------------------------------------------------------------

@bp.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
def edit(commitment_id: int) -> str | Response:
    commitment = access.get_commitment_or_404(current_user, commitment_id)
    if not _can_edit(commitment):
        if not access.roles_for(current_user, commitment) & {"seller", "admin"}:
            flash("Only the commitment's author or the campaign owner change its terms.", "error")
        elif not commitment.project.is_open:
            flash(f"This campaign is {commitment.project.state_label.lower()}: its commitments can no longer change.",
                  "error")
        else:
            flash(f"A commitment that is {commitment.state_label.lower()} cannot be edited"
                  + (": revise it first." if commitment.state == CommitmentState.REJECTED else "."), "error")
        return redirect(url_for(".show", commitment_id=commitment.id))
    was_approved = commitment.state in SIGNED_STATES
    form = CommitmentForm(commitment.project, obj=commitment, commitment=commitment)
    saved = save_form(
        form,
        lambda: services.update_commitment(current_user, commitment, form.to_input(), form.version.data or 0,
                                           form.reason.data or ""),
        "commitment",
    )
    if saved is not None:
        if was_approved and saved.state == CommitmentState.PENDING_SIGNOFF:
            flash("Terms changed: the commitment is back with the product managers for countersignature.", "success")
        else:
            flash("Commitment saved.", "success")
        return redirect(url_for(".show", commitment_id=commitment.id))
    return render_template("commitments/form.html", form=form, project=commitment.project, commitment=commitment)


# --- the sign-off ------------------------------------------------------------------------------

@bp.post("/commitments/<int:commitment_id>/decide")
def decide(commitment_id: int) -> Response:
    """Fire one step (submit, countersign, reject, ...) with its note and, to override blockers, a justification.

    A refusal shows the page again with what was typed, so a long note is never lost.
    """
    commitment = access.get_commitment_or_404(current_user, commitment_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("That action was not understood; reload the page and try again.", "error")
        return redirect(url_for(".show", commitment_id=commitment.id))
    event = form.event.data or ""
    refused = save_or_show_again(
        form, lambda: services.fire(current_user, commitment, event, form.reason.data or "", form.justification.data or ""),
        lambda status: _render_show(commitment, form, status), "commitment",
    )
    if refused is not None:
        return refused
    flash(DONE.get(event, f"Commitment is now {commitment.state_label.lower()}.").format(
        product=commitment.product.name), "success")
    return redirect(url_for(".show", commitment_id=commitment.id))
