"""Errors that services raise and views translate: a flash and a form error, or JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ServiceError(Exception):
    """A rule refused the request; ``message`` is written for the person who made it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, fields: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {name: list(errors) for name, errors in (fields or {}).items()}


class InvalidInput(ServiceError):
    status = 400
    code = "invalid"


class NotAllowed(ServiceError):
    """The person may see the record but not do this to it (records they may not see are 404)."""

    status = 403
    code = "forbidden"


class RecordClosed(ServiceError):
    """The record's state no longer allows changes (a completed or cancelled campaign)."""

    status = 409
    code = "closed"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class StaleEdit(ServiceError):
    """Someone else saved the record after this edit was started."""

    status = 409
    code = "conflict"

    def __init__(self, noun: str) -> None:
        super().__init__(
            f"This {noun} was changed by someone else after you opened it. "
            "Nothing was saved: reload to see their changes, then make yours again."
        )


class TransitionRefused(ServiceError):
    status = 409
    code = "transition_refused"

    def __init__(self, message: str, reasons: Sequence[str]) -> None:
        super().__init__(message)
        self.reasons = list(reasons)
