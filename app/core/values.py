"""The one rule for every value Countersign stores, whoever sends it (a page, the API, the CLI).

Forms apply it to every field they bind (``app.core.forms.Form``), so pages and the API, which
validates with the same forms, refuse the same values with the same words. Parsers that read
JSON without a form (the re-plan body) call these functions directly.

The ranges are documented in the README ("What Countersign stores") and in the API description:
- **text**: valid Unicode (no lone surrogates) without NUL or other C0/C1 control characters;
  a multi-line field keeps line breaks (stored as ``\\n``) and tabs;
- **dates**: from 1 Jan 1970 to 31 Dec 2200; a campaign lasts at most ``MAX_CAMPAIGN_YEARS``, and
  its milestones and promised dates fall between its start and ``DATES_AFTER_END_YEARS`` after
  its end;
- **goal numbers** (baselines, targets, actuals, milestone targets): finite, at most
  ``GOAL_LIMIT`` either side of zero;
- **whole numbers**: plain ASCII digits with an optional minus, at most 18 of them (parsed
  without going through a float, so a 400-digit number is refused, not an overflow).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date

from app.core.text import date_label

EARLIEST = date(1970, 1, 1)
LATEST = date(2200, 12, 31)
GOAL_LIMIT = 1e12
MAX_CAMPAIGN_YEARS = 10
DATES_AFTER_END_YEARS = 5
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
WHOLE_LIMIT = 10**18 - 1
#: The largest id a database key holds (PostgreSQL's integer); beyond it nothing can exist.
MAX_ID = 2**31 - 1

#: The text rule as JSON Schema patterns, for the API's description (app/api/formschema.py); a
#: multi-line field also takes "\r", which it stores as a line break.
_LINE_REFUSED = r"\x00-\x1f\x7f-\x9f"  # every C0 and C1 control, DEL included
_LINES_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # the same but tab, line feed, carriage return
LINE_PATTERN = f"^[^{_LINE_REFUSED}]*$"
LINES_PATTERN = f"^[^{_LINES_REFUSED}]*$"

# Line breaks and tabs are the only controls a multi-line field keeps (a carriage return is
# stored as a line break before this check); nothing else in C0 or C1.
_CONTROLS = re.compile(f"[{_LINES_REFUSED}]")
_LINE_CONTROLS = re.compile(f"[{_LINE_REFUSED}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: What no text may hold anywhere, not even in a URL: NUL (PostgreSQL's text type refuses it) and a
#: lone surrogate (no encoding writes it). app/core/url_guard.py refuses URLs holding either.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadValue(ValueError):
    """A value outside the rule; ``str(error)`` is the message shown beside the field."""


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` as it is stored (line breaks as ``\\n``), or :class:`BadValue`."""
    if _SURROGATE.search(value):
        raise BadValue("This text is not valid Unicode: remove the broken character.")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    found = (_CONTROLS if multiline else _LINE_CONTROLS).search(value)
    if found:
        if found.group() in "\n\r\t":
            raise BadValue("Write this on one line, without line breaks or tabs.")
        raise BadValue(f"Remove the control character {_describe(found.group())} from this text.")
    return value


def _describe(char: str) -> str:
    name = "NUL" if char == "\x00" else unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def check_day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise BadValue(f"Pick a date between {EARLIEST.year} and {LATEST.year}.")
    return value


def check_goal_number(value: float) -> float:
    """A goal's baseline, target or actual: finite and within ``GOAL_LIMIT`` of zero."""
    if not math.isfinite(value):
        raise BadValue("Enter a finite number.")
    if abs(value) > GOAL_LIMIT:
        raise BadValue(f"Enter a number between {-GOAL_LIMIT:,.0f} and {GOAL_LIMIT:,.0f}.")
    return value


def parse_goal_number(value: object) -> float:
    """A JSON number or numeric string as a goal number (a huge integer is refused, not overflowed)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadValue("Enter a number.")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        raise BadValue("Enter a number.") from None
    return check_goal_number(number)


def parse_whole_number(text: str) -> int:
    if not WHOLE_NUMBER.fullmatch(text.strip()):
        raise BadValue("Enter a whole number.")
    return int(text)


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 Feb becomes 28 Feb in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def campaign_dates_problem(start: date, end: date) -> str | None:
    """Why a campaign cannot run from ``start`` to ``end``, or None."""
    if end <= start:
        return "The end date must be after the start date."
    if end > add_years(start, MAX_CAMPAIGN_YEARS):
        return f"A campaign lasts at most {MAX_CAMPAIGN_YEARS} years: end it by {date_label(add_years(start, MAX_CAMPAIGN_YEARS))}."
    return None


def campaign_day_problem(day: date, start: date | None, end: date | None, *, before_start: bool = True) -> str | None:
    """Why ``day`` cannot be one of a campaign's milestone dates (or, with ``before_start=False``,
    a promised date, which may come before the campaign), or None."""
    if before_start and start is not None and day < start:
        return f"Pick a date on or after the campaign start ({start.isoformat()})."
    anchor = end or start
    if anchor is not None and day > add_years(anchor, DATES_AFTER_END_YEARS):
        return (f"Pick a date at most {DATES_AFTER_END_YEARS} years after the campaign ends "
                f"(by {date_label(add_years(anchor, DATES_AFTER_END_YEARS))}).")
    return None
