"""The commitments list's filters and order, read from query arguments.

The page, its CSV and the API read them the same way; a bad one is an InvalidInput naming its
field, so a page shows the message and the API answers 400, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.errors import InvalidInput
from app.core.query import arg_date, arg_number, arg_text
from app.customers.services import find_by_name
from workflows.commitment import STATES

#: How the list may be ordered, by query value: what each is called on the page.
SORTS: dict[str, str] = {
    "promised": "Promised date",
    "customer": "Customer A–Z",
    "state": "State",
    "changed": "Last change",
}
DEFAULT_SORT = "promised"
#: ``?mine=products``: only the commitments on the products the reader keeps.
MINE_PRODUCTS = "products"
#: The value rule's own ends (app/core/values.py): no promised date lies outside them.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2200, 12, 31)
_FLAG = {"1", "true", "yes"}


@dataclass(frozen=True)
class CommitmentFilters:
    state: str = ""
    at_risk: bool = False
    product_id: int | None = None
    region_id: int | None = None
    customer: int | None = None  # the customer's record (``?customer=<id>``, as its page links here)
    seller_id: int | None = None
    promised_from: date | None = None
    promised_to: date | None = None
    sort: str = DEFAULT_SORT
    mine_products: bool = False

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order narrows the list (the page offers "Clear" then)."""
        return any((self.state, self.at_risk, self.product_id, self.region_id, self.customer is not None,
                    self.seller_id,
                    self.promised_from, self.promised_to))

    def as_args(self) -> dict[str, str]:
        """The filters as query arguments: the CSV link and the tabs keep them."""
        args = {"state": self.state, "at_risk": "1" if self.at_risk else "", "customer": _str(self.customer),
                "product_id": _str(self.product_id), "region_id": _str(self.region_id),
                "seller_id": _str(self.seller_id),
                "promised_from": self.promised_from.isoformat() if self.promised_from else "",
                "promised_to": self.promised_to.isoformat() if self.promised_to else "",
                "sort": "" if self.sort == DEFAULT_SORT else self.sort,
                "mine": MINE_PRODUCTS if self.mine_products else ""}
        return {name: value for name, value in args.items() if value}


def parse_filters(args: Mapping[str, Any]) -> CommitmentFilters:
    """Filters from query arguments; every bad one is named in one InvalidInput."""
    errors: dict[str, list[str]] = {}
    state = arg_text(args, "state")
    if state and state not in STATES:
        errors["state"] = [f"Choose one of: {', '.join(STATES)}."]
    sort = arg_text(args, "sort") or DEFAULT_SORT
    if sort not in SORTS:
        errors["sort"] = [f"Choose one of: {', '.join(SORTS)}."]
    mine = arg_text(args, "mine")
    if mine and mine != MINE_PRODUCTS:
        errors["mine"] = [f"Only “{MINE_PRODUCTS}” (the products you keep)."]
    filters = {name: arg_number(args, name, errors, "Enter a whole number (an id).")
               for name in ("product_id", "region_id", "seller_id", "customer")}
    name = arg_text(args, "customer_name")
    if name and filters["customer"] is None:  # the filter bar's search box: the customer of that name
        found = find_by_name(name) if len(name) <= 160 and printable(name) else None
        if found is None:
            errors["customer_name"] = ["No customer has that name: pick one of the suggestions."]
        else:
            filters["customer"] = found.id
    promised_from = arg_date(args, "promised_from", errors, FIRST_DAY, LAST_DAY)
    promised_to = arg_date(args, "promised_to", errors, FIRST_DAY, LAST_DAY)
    if promised_from and promised_to and promised_from > promised_to:
        errors["promised_to"] = ["The end of the range must be on or after its start."]
    if errors:
        raise InvalidInput("Some filters are invalid.", errors)
    return CommitmentFilters(state=state, at_risk=arg_text(args, "at_risk").lower() in _FLAG,
                             promised_from=promised_from, promised_to=promised_to, sort=sort,
                             mine_products=mine == MINE_PRODUCTS, **filters)


def printable(text: str) -> bool:
    return not any(ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _str(value: int | None) -> str:
    return "" if value is None else str(value)
