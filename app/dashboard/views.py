from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.core import clock
from app.core.forms import CsrfForm
from app.dashboard import services
from app.projects.services import can_launch

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index() -> str:
    today = clock.today()
    return render_template(
        "dashboard/index.html", board=services.build(current_user, today), today=today,
        can_launch=can_launch(current_user), csrf_form=CsrfForm(),
    )
