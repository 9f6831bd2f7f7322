"""The report's filters: dates, region, product and "quiet after", read from query arguments.

The page, the CSV downloads and the API read them the same way; a bad one is an InvalidInput
naming its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.catalog.models import Product
from app.core import clock
from app.core.errors import InvalidInput
from app.core.query import arg_date, arg_number
from app.extensions import db
from app.regions.models import Region
from app.reports import figures

DEFAULT_QUIET_DAYS = 90
#: Twenty quarters: beyond five years the charts stop being readable.
MAX_QUARTERS = 20
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
    date_from = arg_date(args, "date_from", errors, FIRST_DAY, LAST_DAY)
    date_to = arg_date(args, "date_to", errors, FIRST_DAY, LAST_DAY)
    region_id = arg_number(args, "region_id", errors)
    product_id = arg_number(args, "product_id", errors)
    quiet_days = arg_number(args, "quiet_days", errors)
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


def filter_options() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Every region (inactive ones marked: their history still counts) and every product, for the filter bar."""
    regions = db.session.execute(sa.select(Region.id, Region.name, Region.active).order_by(Region.name)).all()
    products = db.session.execute(sa.select(Product.id, Product.name).order_by(Product.name)).all()
    return ([(r.id, r.name if r.active else f"{r.name} (inactive)") for r in regions],
            [(p.id, p.name) for p in products])
