"""Small helpers every feature's views use."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import ServiceError, StaleEdit
from app.extensions import db


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
