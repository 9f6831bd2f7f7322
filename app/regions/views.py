"""The admins' region list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.core.views import admins_only, save_form
from app.extensions import db
from app.regions import services
from app.regions.forms import RegionForm
from app.regions.models import Region

bp = Blueprint("regions", __name__, url_prefix="/admin/regions")


admins_only(bp)


@bp.route("/", methods=["GET", "POST"])
def index() -> str | Response:
    form = RegionForm()
    if _save(form, None):
        return redirect(url_for(".index"))
    return render_template("regions/index.html", regions=services.all_regions(), form=form)


@bp.route("/<int:region_id>", methods=["GET", "POST"])
def edit(region_id: int) -> str | Response:
    region = db.session.get(Region, region_id) or abort(404)
    form = RegionForm(obj=region)
    if _save(form, region):
        return redirect(url_for(".index"))
    return render_template("regions/edit.html", region=region, form=form)


def _save(form: RegionForm, region: Region | None) -> bool:
    saved = save_form(
        form,
        lambda: services.save_region(current_user, region, form.code.data or "", form.name.data or "", bool(form.active.data)),
    )
    if saved is not None:
        flash(f"Region {saved.name} saved.", "success")
    return saved is not None
