"""Catalog pages: one place for sales to see what they may promise, where, and at what price."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.catalog import services
from app.catalog.models import PRODUCT_STATUSES
from app.regions.services import active_regions

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
bp.before_request(login_required(lambda: None))


@bp.get("/")
def index() -> str:
    status = request.args.get("status", "")
    products = [p for p in services.products() if not status or p.status == status]
    return render_template(
        "catalog/index.html", products=products, regions=active_regions(), status=status,
        statuses=PRODUCT_STATUSES, can_add=services.can_add_products(current_user),
        editable={p.id for p in products if services.can_edit(current_user, p)},
    )
