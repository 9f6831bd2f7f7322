"""Reading an uploaded CSV: its encoding, its delimiter, its header and rows. Bytes in, rows out; no Flask.

Exports from CRMs arrive as UTF-8 (with or without a byte-order mark, as Excel writes it) or as
Windows-1252 (Excel's "CSV" on a Western Windows); the delimiter is a comma, a semicolon (Excel
where the decimal mark is a comma) or a tab. Both are found from the bytes themselves, and what
was found is said back to the person so that a wrong guess is visible.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from app.core import values

#: The delimiters an export may use, as (character, name shown).
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
#: The encodings an export may use, as (Python's name, name shown).
ENCODINGS = {"utf-8-sig": "UTF-8 with byte-order mark", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
#: At most this many data rows in one file: a 10,000-deal export, with room to spare.
MAX_ROWS = 50_000
#: At most this many columns, and this many characters in one cell.
MAX_COLUMNS = 200
MAX_CELL = 10_000


class BadFile(ValueError):
    """The file cannot be read as a CSV of deals; ``str(error)`` says why, for the person who sent it."""


@dataclass(frozen=True)
class Table:
    encoding: str  # "utf-8-sig", "utf-8" or "cp1252"
    delimiter: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # each as long as ``headers`` (short rows padded with "")


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:  # cp1252 leaves five bytes undefined; UTF-8 with a BOM may still break
        raise BadFile(f"The file is neither UTF-8 nor Windows-1252 text (byte {error.start + 1} cannot be read). "
                      "Export it again as CSV (UTF-8).") from None


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate that splits it into the most columns (a comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def read(data: bytes) -> Table:
    """The table in an uploaded file, or :class:`BadFile` saying why it cannot be read."""
    if b"\x00" in data[:4096]:
        raise BadFile("This is not a CSV file (it holds binary data). Export the report as CSV.")
    text, encoding = decode(data)
    if not text.strip():
        raise BadFile("The file is empty.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        lines = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise BadFile(f"Line {reader.line_num}: the file is not valid CSV ({error}).") from None
    headers = tuple(h.strip() for h in lines[0])
    _check_headers(headers)
    body = lines[1:]
    if not body:
        raise BadFile("The file has a header line but no rows.")
    if len(body) > MAX_ROWS:
        raise BadFile(f"The file has {len(body):,} rows; at most {MAX_ROWS:,} are imported at once. Split it.")
    rows = []
    for number, row in enumerate(body, start=2):
        if len(row) > len(headers) and any(cell.strip() for cell in row[len(headers):]):
            raise BadFile(f"Row {number} has {len(row)} cells but the header names {len(headers)} columns.")
        if any(len(cell) > MAX_CELL for cell in row):
            raise BadFile(f"Row {number} has a cell longer than {MAX_CELL:,} characters.")
        cells = [cell.strip() for cell in row[:len(headers)]]
        rows.append(tuple(cells + [""] * (len(headers) - len(cells))))
    return Table(encoding, delimiter, headers, tuple(rows))


def _check_headers(headers: tuple[str, ...]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise BadFile(f"The file has {len(headers)} columns; at most {MAX_COLUMNS} are read.")
    seen: set[str] = set()
    for position, header in enumerate(headers, start=1):
        if not header:
            raise BadFile(f"Column {position} of the header line has no name.")
        try:
            values.clean_text(header)
        except values.BadValue as error:
            raise BadFile(f"Column {position} of the header line: {error}") from None
        if header.casefold() in seen:
            raise BadFile(f"Two columns are called “{header}”: rename one.")
        seen.add(header.casefold())
