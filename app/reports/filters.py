"""The report's filters: dates, region, product and "quiet after", read from query arguments.

The page, the CSV downloads and the API read them the same way; a bad one is an InvalidInput
naming its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.catalog.models import Product
from app.core import clock
from app.core.errors import InvalidInput
from app.core.forms import record_id
from app.extensions import db
from app.regions.models import Region
from app.reports import figures

DEFAULT_QUIET_DAYS = 90
#: Twenty quarters: beyond five years the charts stop being readable.
MAX_QUARTERS = 20
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The dates a filter may name: the calendar's own ends leave no quarter before or after them.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class ReportFilters:
    date_from: date
    date_to: date
    region_id: int | None = None
    product_id: int | None = None
    quiet_days: int = DEFAULT_QUIET_DAYS

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments, for the CSV links and the API's echo."""
        args = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(),
                "quiet_days": str(self.quiet_days)}
        if self.region_id is not None:
            args["region_id"] = str(self.region_id)
        if self.product_id is not None:
            args["product_id"] = str(self.product_id)
        return args


def parse_filters(args: Mapping[str, Any]) -> ReportFilters:
    """Filters from query arguments; any bad one is an InvalidInput naming its field."""
    errors: dict[str, list[str]] = {}
    date_from = _date(args, "date_from", errors)
    date_to = _date(args, "date_to", errors)
    region_id = _int(args, "region_id", errors)
    product_id = _int(args, "product_id", errors)
    quiet_days = _int(args, "quiet_days", errors)
    if quiet_days is not None and not 1 <= quiet_days <= 3650:
        errors["quiet_days"] = ["Enter a number of days between 1 and 3650."]
    if region_id is not None and "region_id" not in errors and db.session.get(Region, region_id) is None:
        errors["region_id"] = ["There is no such region."]
    if product_id is not None and "product_id" not in errors and db.session.get(Product, product_id) is None:
        errors["product_id"] = ["There is no such product."]
    if not errors:
        # A lone end date still shows five quarters, ending there; a lone start runs to today.
        default_from, today = figures.default_range(date_to or clock.today())
        date_from, date_to = date_from or default_from, date_to or today
        if date_from > date_to:
            errors["date_to"] = ["The end of the period must be on or after its start."]
        elif len(figures.quarters_between(date_from, date_to)) > MAX_QUARTERS:
            errors["date_from"] = [f"Pick a period of at most {MAX_QUARTERS} quarters (five years)."]
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    assert date_from is not None and date_to is not None
    return ReportFilters(date_from, date_to, region_id, product_id,
                         DEFAULT_QUIET_DAYS if quiet_days is None else quiet_days)


def _text(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    return "" if value is None else str(value).strip()


def _date(args: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> date | None:
    text = _text(args, name)
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = ["Enter a date as YYYY-MM-DD."]
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = [f"Enter a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."]
        return None
    return day


def _int(args: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> int | None:
    text = _text(args, name)
    if not text:
        return None
    try:
        return record_id(text)  # ids and a number of days alike: plain digits within a key's range
    except ValueError:
        errors[name] = ["Enter a whole number."]
        return None


def filter_options() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Every region (inactive ones marked: their history still counts) and every product, for the filter bar."""
    regions = db.session.execute(sa.select(Region.id, Region.name, Region.active).order_by(Region.name)).all()
    products = db.session.execute(sa.select(Product.id, Product.name).order_by(Product.name)).all()
    return ([(r.id, r.name if r.active else f"{r.name} (inactive)") for r in regions],
            [(p.id, p.name) for p in products])
