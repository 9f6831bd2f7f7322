"""Column types shared by the models of every feature."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from app.core import clock


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


def money() -> sa.Numeric[Decimal]:
    """Amounts of money: exact decimals with cents, never floats."""
    return sa.Numeric(14, 2, asdecimal=True)


def str_enum(enum_class: type[enum.StrEnum]) -> sa.Enum:
    """A string-enum column that stores the members' values ('sales_manager'), not their names."""
    return sa.Enum(
        enum_class, native_enum=False, length=20, validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def one_of(column: str, values: Iterable[str]) -> sa.CheckConstraint:
    """A CHECK that ``column`` holds one of ``values`` (a workflow's states), named after the column."""
    return sa.CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


def touch(record: Any) -> None:
    """Mark ``record`` edited: stamp ``updated_at`` and force an UPDATE that bumps its version.

    Edits to a record's links (members, regions, owners) live in other tables and would leave the
    row itself unchanged, so a stale copy could undo them unnoticed. Setting the timestamp alone is
    not enough: two edits within the same clock tick (or under a frozen clock) write the same value,
    SQLAlchemy sees no change and skips the UPDATE, and the version stays put.
    """
    record.updated_at = clock.now()
    flag_modified(record, "updated_at")
