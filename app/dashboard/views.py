from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.commitments.access import keeps_products
from app.core import clock
from app.core.forms import CsrfForm
from app.core.pagination import page_request
from app.dashboard import services
from app.projects.services import can_launch

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index() -> str:
    today = clock.today()
    return render_template(
        "dashboard/index.html", board=services.build(current_user, today), today=today,
        can_launch=can_launch(current_user), keeps_products=keeps_products(current_user), csrf_form=CsrfForm(),
    )


@bp.get("/my-work/", defaults={"key": "tasks"})
@bp.get("/my-work/<key>")
@login_required
def work(key: str) -> str:
    """Everything the dashboard's cards show the head of, a page at a time."""
    lists = services.work_lists(current_user)
    chosen = next((w for w in lists if w.key == key), None)
    if chosen is None:
        abort(404)
    today = clock.today()
    page = chosen.read(current_user, today, page_request())
    rows = services.signoff_rows(page.items, clock.now()) if key == "signoff" else page.items
    return render_template("dashboard/work.html", lists=lists, chosen=chosen, page=page, rows=rows, today=today)
