"""Keyset pagination: one way to page every list, in the pages and in the API.

A list is a ``Select`` and an order: columns (or expressions) that end in a unique one, the id,
so that the order is total and stable. A page is ``limit`` rows after a cursor; the cursor is
the last row's values of those keys, written as opaque URL-safe text. Paging this way costs
the same on page 500 as on page 1 (the database seeks to the cursor through the index the
order uses), and a row inserted or deleted meanwhile never shifts another onto the wrong page,
as an OFFSET would.

The keys must not be NULL: order by ``coalesce(...)`` of a nullable column, or by a column that
is never NULL.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import request, url_for

from app.core import values
from app.core.errors import InvalidInput
from app.extensions import db

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Key:
    """One part of a list's order."""

    expression: Any  # a column or SQL expression, never NULL
    descending: bool = False

    @property
    def ordering(self) -> Any:
        return self.expression.desc() if self.descending else self.expression.asc()


def asc(expression: Any) -> Key:
    return Key(expression)


def desc(expression: Any) -> Key:
    return Key(expression, descending=True)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # None on the last page
    limit: int

    def next_url(self, **values: Any) -> str | None:
        """This request's URL with the next page's cursor, or None on the last page."""
        return None if self.next_cursor is None else _this_url(cursor=self.next_cursor, **values)

    def first_url(self) -> str | None:
        """This request's URL without its cursor, or None when this is the first page."""
        return _this_url() if request.args.get("cursor") else None


def _this_url(**values: Any) -> str:
    """The current request's URL, its filters kept, its cursor replaced by ``values``."""
    args = {key: value for key, value in request.args.items() if key != "cursor"}
    return url_for(request.endpoint or "", **{**(request.view_args or {}), **args, **values})


@dataclass(frozen=True)
class PageRequest:
    """What a request asked for: how many rows, after which cursor."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


#: The first page at the default size: what a service lists when no request says otherwise.
FIRST_PAGE = PageRequest()


def page_request(default_limit: int = DEFAULT_LIMIT) -> PageRequest:
    """``?limit=`` (1 to 200) and ``?cursor=`` of this request; bad values are a 400 naming the field."""
    raw = request.args.get("limit", "")
    limit = default_limit
    if raw:
        try:
            limit = values.parse_whole_number(raw)  # int() would also take "٥", "+5" and "1_0"
        except values.BadValue:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput("Invalid paging.", {"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
    return PageRequest(limit, request.args.get("cursor") or None)


def ordered(query: sa.Select[Any], keys: Sequence[Key]) -> sa.Select[Any]:
    """``query`` in the order of ``keys``, whole: for a list read at once (an export, a card's head)."""
    return query.order_by(*(key.ordering for key in keys))


def paginate(query: sa.Select[Any], keys: Sequence[Key], asked: PageRequest | None = None) -> Page[Any]:
    """The page of ``query`` (which selects one entity or column: the items) that ``asked``
    names, in the order of ``keys``."""
    asked = asked or page_request()
    after = _decode(asked.cursor, len(keys)) if asked.cursor else None
    width = len(query.column_descriptions)  # what the query selects: entities count as one
    paged = ordered(query.add_columns(*(key.expression for key in keys)).order_by(None), keys)
    if after is not None:
        paged = paged.where(_after(keys, after))
    rows = db.session.execute(paged.limit(asked.limit + 1)).all()
    more = len(rows) > asked.limit
    rows = rows[:asked.limit]
    items = [row[0] for row in rows]
    cursor = _encode(list(rows[-1][width:])) if more and rows else None
    return Page(items, cursor, asked.limit)


@dataclass(frozen=True)
class Head(Generic[T]):
    """The first rows of a list, and how many rows the whole list has."""

    items: list[T]
    total: int


def head(query: sa.Select[Any], keys: Sequence[Key], limit: int) -> Head[Any]:
    """The first ``limit`` rows of ``query`` in the order of ``keys`` and the list's length, in one
    query: the count is a window over the filtered rows, which the database reads to sort them
    anyway (a card's "10 of 143", without a second pass for :func:`total`)."""
    counted = query.add_columns(sa.func.count().over().label("whole_list"))
    rows = db.session.execute(ordered(counted, keys).limit(limit)).all()
    return Head([row[0] for row in rows], rows[0][-1] if rows else 0)


def total(query: sa.Select[Any]) -> int:
    """How many rows ``query`` has: an aggregate over it, no row read. For the "N in all" beside
    a paged list, where the count is cheap (an indexed filter)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


def _after(keys: Sequence[Key], values: list[Any]) -> Any:
    """Rows after ``values`` in the order of ``keys`` (each key ascending or descending):
    (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ..."""
    # Bound with each key's own type, so that booleans compare (true > false) and dates are
    # written as the column stores them.
    bound = [sa.literal(value, type_=key.expression.type) for key, value in zip(keys, values, strict=True)]
    clauses = []
    for index, key in enumerate(keys):
        beyond = key.expression < bound[index] if key.descending else key.expression > bound[index]
        clauses.append(sa.and_(*(keys[i].expression == bound[i] for i in range(index)), beyond))
    return sa.or_(*clauses)


# --- the cursor: typed values as opaque text -----------------------------------------------------

def _encode(values: list[Any]) -> str:
    parts = [_tagged(value) for value in values]
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tagged(value: Any) -> list[Any]:
    if isinstance(value, bool) or value is None:
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if isinstance(value, float):
        return ["f", value]
    return ["s", str(getattr(value, "value", value))]  # text, and enums by their stored value


_READERS: dict[str, Any] = {
    "b": lambda v: v, "i": int, "t": datetime.fromisoformat, "d": date.fromisoformat, "n": Decimal, "f": float,
    "s": str,
}


def _decode(cursor: str, count: int) -> list[Any]:
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(parts, list) or len(parts) != count:
            raise ValueError(cursor)
        return [_READERS[tag](value) for tag, value in parts]
    except (ValueError, TypeError, KeyError, binascii.Error, InvalidOperation, UnicodeDecodeError):
        raise InvalidInput("Invalid paging.", {"cursor": ["Not a cursor from this list: start again from the "
                                                          "first page."]}) from None
