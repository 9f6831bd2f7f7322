"""Small helpers every feature's views use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import Conflict, ServiceError, StaleEdit, TransitionRefused
from app.core.forms import TransitionForm, show_service_error
from app.extensions import db

T = TypeVar("T")


def commit(noun: str = "record") -> None:
    """Commit the request's one transaction.

    The version check in the services catches an edit made on an old copy; the version
    column in the UPDATE catches two saves racing each other. Both end as the same
    conflict message, and nothing is half-written.
    """
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit(noun) from None
    except IntegrityError:
        # The services check uniqueness first; only a simultaneous save of the same name lands here.
        db.session.rollback()
        raise Conflict("Someone saved the same thing a moment ago, so nothing was saved. Reload and check.") from None


def run_and_flash(action: Callable[[], object], success: str = "", noun: str = "record") -> bool:
    """Run one service call for a button or one-line form, commit, and flash what happened."""
    try:
        action()
        commit(noun)
    except ServiceError as error:
        db.session.rollback()
        flash(" ".join([error.message, *[m for messages in error.fields.values() for m in messages]]), "error")
        return False
    if success:
        flash(success, "success")
    return True


def save_form(form: FlaskForm, action: Callable[[], T], noun: str = "record") -> T | None:
    """A form page's POST: validate, run its one service call and commit.

    Returns what the service returned (the saved record) when it was saved; otherwise None,
    with the service's refusal shown beside the fields it names and nothing written.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = action()
        commit(noun)
    except ServiceError as error:
        db.session.rollback()
        show_service_error(form, error)
        return None
    return result


def fire_from_form(fire: Callable[[str, str], object], noun: str) -> bool:
    """A lifecycle button's POST: fire its event with the reason given; a refusal flashes its reasons."""
    form = TransitionForm()
    if not form.validate_on_submit():
        flash("That action was not understood; reload the page and try again.", "error")
        return False
    try:
        fire(form.event.data or "", form.reason.data or "")
        commit(noun)
    except TransitionRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        for reason in refused.reasons:  # the layout lists these under the message
            flash(reason, "reason")
        return False
    return True
