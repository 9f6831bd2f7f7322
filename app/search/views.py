"""The results page of the top bar's search box: the first few of each kind, or one kind paged."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.core.pagination import page_request
from app.search import services
from app.search.engines import MIN_LENGTH

bp = Blueprint("search", __name__, url_prefix="/search")
bp.before_request(login_required(lambda: None))

#: A page of one kind: more than the overview's few, fewer than a list's default (each result has a snippet).
PAGE_SIZE = 20


@bp.get("")
def index() -> str:
    query = request.args.get("q", "")
    kind = request.args.get("kind", "")
    if kind in services.KINDS:
        results = services.search(current_user, query, (kind,), page_request(PAGE_SIZE))
    else:
        kind = ""  # an unknown kind is no error here: the page shows every kind
        results = services.search(current_user, query)
    return render_template("search/index.html", results=results, kind=kind, labels=services.LABELS,
                           min_length=MIN_LENGTH, overview_limit=services.OVERVIEW_LIMIT)
