"""CSV for people to open in a spreadsheet: one header row, RFC 4180 line ends, ISO dates, exact
decimals, and text that a spreadsheet would run as a formula (starting = + - @, a tab or a carriage
return) behind a leading quote — except a plain number such as a negative target, which stays a number.

Every CSV export (the report's sections, a roadmap's change log) is written here, and handed to
the browser by :func:`app.core.downloads.download`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

Cell = str | int | Decimal | date | bool | None
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def cell(value: Cell) -> str:
    """How one value is written: "" for none, yes/no, ISO dates (UTC instants with Z), exact decimals, guarded text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value) else value


def table(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends: what spreadsheets expect
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
