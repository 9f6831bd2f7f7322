"""Small helpers every feature's views use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from app.core.errors import Conflict, ServiceError, StaleEdit, TransitionRefused
from app.core.forms import CsrfForm, TransitionForm, place_field_errors, show_service_error
from app.extensions import db

T = TypeVar("T")


@contextmanager
def conflicts_as_service_errors(noun: str = "record") -> Iterator[None]:
    """Turn a lost race into the conflict message people see, with nothing half-written.

    The version check in the services catches an edit made on an old copy; the version
    column in the UPDATE catches two saves racing each other, at whichever flush comes
    first (a service's own, or the commit); a unique index catches two saves of the same
    name. All end as a conflict (409), never an error page.
    """
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        raise StaleEdit(noun) from None
    except IntegrityError:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from None


CONFLICT_MESSAGE = "Someone saved the same thing a moment ago, so nothing was saved. Reload and check."


@contextmanager
def saving(noun: str = "record") -> Iterator[None]:
    """Run the request's service calls inside, then commit its one transaction.

    A race lost at a service's own flush or at the commit becomes the conflict message.
    """
    with conflicts_as_service_errors(noun):
        yield
        db.session.commit()


def commit(noun: str = "record") -> None:
    """Commit the request's one transaction (see :func:`conflicts_as_service_errors`)."""
    with saving(noun):
        pass


#: What a button says once its service call was saved: one success message, or a function of what
#: the call returned giving the message and its flash category ("info" when nothing was there to change).
Said = str | Callable[[T], tuple[str, str]]


def run_and_flash(action: Callable[[], T], success: Said[T] = "", noun: str = "record") -> bool:
    """Run one service call for a button or one-line form, commit, and flash what happened."""
    try:
        with saving(noun):
            result = action()
    except ServiceError as error:
        db.session.rollback()
        # A refusal often names its field with its own message (a refused upload): say it once.
        said = dict.fromkeys([error.message, *[m for messages in error.fields.values() for m in messages]])
        flash(" ".join(said), "error")
        return False
    message, category = (success, "success") if isinstance(success, str) else success(result)
    if message:
        flash(message, category)
    return True


def press(action: Callable[[], T], success: Said[T], back: str, noun: str = "record") -> Response:
    """A button's POST (a form of its CSRF token alone): run one service call when the token is
    good, commit, flash what happened, and go ``back``.

    A bad token never gets here (CSRFProtect answers it with 400 first); the check stays for
    configurations that turn CSRFProtect off.
    """
    if CsrfForm().validate_on_submit():
        run_and_flash(action, success, noun)
    return redirect(back)


def save_form(form: FlaskForm, action: Callable[[], T], noun: str = "record") -> T | None:
    """A form page's POST: validate, run its one service call and commit.

    Returns what the service returned (the saved record) when it was saved; otherwise None,
    with the service's refusal shown beside the fields it names and nothing written.
    """
    if not form.validate_on_submit():
        return None
    try:
        with saving(noun):
            result = action()
    except ServiceError as error:
        db.session.rollback()
        show_service_error(form, error)
        return None
    return result


def save_or_show_again(form: FlaskForm, action: Callable[[], object], show: Callable[[int], Response],
                       noun: str = "record") -> Response | None:
    """A form on a record's own page (a decision with a long note): run its one service call and commit.

    Returns None when it was saved, for the view to say so and redirect. A refusal writes nothing
    and returns ``show`` at the refusal's status, the page again with what was typed, so a long
    note is never lost. Field errors go beside the form's fields; a workflow's reasons, and the
    refusal's message when no field of the form carries it, are flashed rather than put on the
    form, since the record may have moved on and the page draw no form to show them in.
    """
    try:
        with saving(noun):
            action()
    except TransitionRefused as refused:
        db.session.rollback()
        flash_refusal(refused)
        return show(refused.status)
    except ServiceError as error:
        db.session.rollback()
        unplaced = place_field_errors(form, error)
        if not any(name in form._fields for name in error.fields):
            unplaced.insert(0, error.message)
        if unplaced:
            flash(" ".join(unplaced), "error")
        return show(error.status)
    return None


def fire_from_form(fire: Callable[[str, str], object], noun: str) -> bool:
    """A lifecycle button's POST: fire its event with the reason given; a refusal flashes its reasons."""
    form = TransitionForm()
    if not form.validate_on_submit():
        flash("That action was not understood; reload the page and try again.", "error")
        return False
    try:
        with saving(noun):
            fire(form.event.data or "", form.reason.data or "")
    except TransitionRefused as refused:
        db.session.rollback()
        flash_refusal(refused)
        return False
    except ServiceError as error:  # a closed campaign, a lost race
        db.session.rollback()
        flash(error.message, "error")
        return False
    return True


def flash_refusal(refused: TransitionRefused) -> None:
    """Flash why a workflow step was refused: its message, then each reason (the layout lists them under it)."""
    flash(refused.message, "error")
    for reason in refused.reasons:
        flash(reason, "reason")


def no_store(response: Response) -> Response:
    """A page showing a secret once (a new calendar link, a new API token): never kept in any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def admins_only(bp: Blueprint) -> None:
    """Make every page of ``bp`` the admins': signed out, the sign-in page; anyone else, not found
    (404), so an admin page is never confirmed to exist. The admin blueprints (jobs, regions, teams,
    webhooks) each kept this guard as a copy of its own."""

    @bp.before_request
    @login_required
    def _admins_only() -> None:
        if not current_user.is_admin:
            abort(404)
