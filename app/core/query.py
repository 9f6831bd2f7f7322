"""Reading a list's filters from a query string: text, whole numbers and dates, each bad value an
error message under its own name (the caller raises one InvalidInput with all of them).

The pages, their CSV downloads and the API read the same arguments through these, so a filter
means the same everywhere and a typo is a clear 400, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.forms import record_id

Errors = dict[str, list[str]]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def arg_text(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    return "" if value is None else str(value).strip()


def arg_number(args: Mapping[str, Any], name: str, errors: Errors, message: str = "Enter a whole number.") -> int | None:
    """A whole number (an id, a count of days): plain ASCII digits within a key's range, or None if absent.

    ``int()`` would take "٥" and "1_0"; :func:`app.core.forms.record_id` does not.
    """
    text = arg_text(args, name)
    if not text:
        return None
    try:
        return record_id(text)
    except ValueError:
        errors[name] = [message]
        return None


def arg_date(args: Mapping[str, Any], name: str, errors: Errors, first: date, last: date) -> date | None:
    """A date written YYYY-MM-DD between ``first`` and ``last``, or None if absent."""
    text = arg_text(args, name)
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = ["Enter a date as YYYY-MM-DD."]
        return None
    if not first <= day <= last:
        errors[name] = [f"Enter a date between {first.isoformat()} and {last.isoformat()}."]
        return None
    return day
