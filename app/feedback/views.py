"""Feedback pages: file what a customer said, find what colleagues filed, triage it, see what became of it.

Sellers, product managers and admins read all feedback; anyone else only what they filed.
An item someone may not see is *not found*. Its product managers (and admins) triage it
on its page; the triage queue lists what waits for them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.catalog.services import pickable_products
from app.core.forms import record_id
from app.core.pagination import page_request, total
from app.core.text import date_label
from app.core.views import save_form, save_or_show_again
from app.feedback import access, decisions, services
from app.feedback.forms import FeedbackForm, TriageForm
from app.feedback.models import Feedback
from app.projects.access import visible_project_ids
from app.regions.services import all_regions
from workflows.feedback import FEEDBACK_WORKFLOW, KINDS, OPEN_STATES, STATES, FeedbackState

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
bp.before_request(login_required(lambda: None))
# Pages of the features feedback builds on link here (a commitment's "Pass on customer feedback"):
# their templates ask feedback's own rule, so those features need not import feedback, above them.
bp.add_app_template_global(access.can_file, "can_file_feedback")

#: What the page says after a decision, naming who was told.
DONE = {
    "now": "Planned now: {who} has been told where it will be delivered.",
    "later": "Put off until {revisit}: {who} has been told.",
    "decline": "Declined: {who} has been told why.",
    "duplicate": "Merged as a duplicate: its weight now counts on the original, and {who} has been told.",
    "done": "Marked done: {who} has been told.",
}


@bp.get("/")
def index() -> str | Response:
    if not access.sees_all(current_user):
        return redirect(url_for(".mine"))  # they only ever see what they filed themselves
    filters = {
        "product_id": request.args.get("product", type=record_id),
        "region_id": request.args.get("region", type=record_id),
        "kind": request.args.get("kind", "") if request.args.get("kind", "") in KINDS else "",
        "state": request.args.get("state", "") if request.args.get("state", "") in STATES else "",
        "text": request.args.get("q", "").strip()[:200],
    }
    page = services.search(current_user, **filters, asked=page_request())  # type: ignore[arg-type]
    return render_template(
        "feedback/index.html", items=page.items, page=page, total=total(services.searched(current_user, **filters)),
        filters=filters, filtered=any(filters.values()),
        products=pickable_products(), regions=all_regions(),
        kinds=KINDS, states=STATES, can_file=access.can_file(current_user),
        show_queue=access.has_triage_queue(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> str | Response:
    if not access.can_file(current_user):
        flash("Feedback is filed by sales (sales managers and team members who sell) and admins.", "error")
        return redirect(url_for(".mine"))
    form = FeedbackForm(current_user, project_hint=request.args.get("project_id", type=record_id))
    if request.method == "GET":
        # Linked from a campaign or a commitment: start from where the seller was.
        form.project_id.data = request.args.get("project_id", type=record_id)
        form.commitment_id.data = request.args.get("commitment_id", type=record_id)
        regions = [c.value for c in form.region_id.choices or [] if c.value]  # type: ignore[union-attr]
        if len(regions) == 1:
            form.region_id.data = regions[0]
    feedback = save_form(form, lambda: services.file_feedback(current_user, form.to_input()), "feedback item")
    if feedback is not None:
        owners = sorted({o.name for p in feedback.products for o in p.owners})
        told = f" {', '.join(owners)} {'has' if len(owners) == 1 else 'have'} been told." if owners else ""
        flash(f"Feedback filed.{told} You will hear here and in your inbox what product decides.", "success")
        return redirect(url_for(".show", feedback_id=feedback.id))
    return render_template("feedback/form.html", form=form)


@bp.get("/mine")
def mine() -> str:
    page = services.my_feedback(current_user, page_request())
    # A milestone's campaign is its item's planned_project: these ids cover what each decision named.
    return render_template("feedback/mine.html", items=page.items, page=page, can_file=access.can_file(current_user),
                           visible_projects=visible_project_ids(current_user,
                                                                       (f.planned_project_id for f in page.items)),
                           originals={f.id for f in page.items if access.sees_original(current_user, f)})


@bp.get("/triage")
def triage() -> str:
    """The product manager's queue: new items first, then by revenue at stake."""
    if not access.has_triage_queue(current_user):
        abort(404)
    page = decisions.triage_queue(current_user, page_request())
    return render_template("feedback/triage.html", items=page.items, page=page,
                           ages={f.id: services.age_days(f) for f in page.items},
                           total=decisions.triage_count(current_user),
                           new_count=decisions.triage_count(current_user, state=FeedbackState.NEW))


@bp.get("/<int:feedback_id>")
def show(feedback_id: int) -> Response:
    return _render_show(access.feedback_or_404(current_user, feedback_id))


@bp.post("/<int:feedback_id>/triage")
def decide(feedback_id: int) -> Response:
    """Record one decision; a refusal shows the page again with what was typed, so a long answer is never lost."""
    feedback = access.feedback_or_404(current_user, feedback_id)
    if not access.can_triage(current_user, feedback):
        flash("Feedback is triaged by a product manager of one of its products, or by an admin.", "error")
        return redirect(url_for(".show", feedback_id=feedback.id))
    form = TriageForm(current_user, feedback)
    if not form.validate_on_submit():
        return _render_show(feedback, form, status=400)
    event = form.event.data or ""
    refused = save_or_show_again(form, lambda: decisions.triage(
        current_user, feedback, event, form.answer.data or "", milestone_id=form.milestone_id.data,
        project_id=form.project_id.data, revisit_on=form.revisit_on.data, reason=form.reason.data or "",
        duplicate_of_id=form.duplicate_of_id.data, expected_version=form.version.data,
    ), lambda status: _render_show(feedback, form, status), "feedback item")
    if refused is not None:
        return refused
    revisit = date_label(feedback.revisit_on) if feedback.revisit_on else ""
    flash(DONE[event].format(who=feedback.submitted_by.name, revisit=revisit), "success")
    return redirect(url_for(".show", feedback_id=feedback.id))


def _render_show(feedback: Feedback, form: TriageForm | None = None, status: int = 200) -> Response:
    can_triage = access.can_triage(current_user, feedback) and not FEEDBACK_WORKFLOW.is_final(feedback.state)
    if can_triage and form is None:
        form = TriageForm(current_user, feedback, formdata=None, obj=None)
        form.version.data = feedback.version
        form.answer.data = ""
    return make_response(render_template(
        "feedback/show.html",
        feedback=feedback,
        decisions=feedback.history,
        merged=services.merged_into(feedback, current_user),
        form=form if can_triage else None,
        offered={t.event for t in decisions.options(current_user, feedback)},
        is_open=feedback.state in OPEN_STATES,
        visible_projects=visible_project_ids(current_user, access.linked_project_ids(feedback)),
        original_visible=access.sees_original(current_user, feedback),
        commitment_visible=bool(access.visible_commitment_ids(current_user, [feedback.commitment_id])),
        age=services.age_days(feedback),
        triagers=sorted({owner.name for product in feedback.products for owner in product.owners}),
    ), status)
