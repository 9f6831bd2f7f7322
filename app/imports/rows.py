"""One row of a file checked against the mapping and the catalog: a deal ready to write, or its errors.

Pure: what it looks names up in (products, regions, people) comes in a :class:`Lookups`, built
with one query each by the services, so checking 10,000 rows costs three queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from app.core import values
from app.core.forms import MAX_MONEY
from app.imports.mapping import DATE_FORMATS, LABELS

#: The lengths the columns written hold.
MAX_DEAL_ID = 120
MAX_CUSTOMER = 160
MAX_PROMISE = 2000
MAX_QUANTITY = 1_000_000
#: Stages of a lost deal, as Salesforce and HubSpot write them: those rows are skipped, not errors.
LOST_STAGES = frozenset({"closed lost", "closedlost", "lost"})


@dataclass(frozen=True)
class Lookups:
    products: Mapping[str, int]  # casefolded name → id
    regions: Mapping[str, int]  # casefolded name of an active region → id
    people: Mapping[str, int]  # casefolded email, and name when only one person has it → id
    start: date | None  # the campaign's dates: a promised date must fall within its range
    end: date | None


@dataclass(frozen=True)
class Settings:
    mapping: Mapping[str, str]  # field → header ("" when not mapped)
    date_format: str  # a key of mapping.DATE_FORMATS
    decimal_mark: str  # "." or ","


@dataclass(frozen=True)
class Deal:
    deal_id: str
    promise: str
    customer_name: str
    customer_id: str  # "" when the file has none
    product_id: int
    region_id: int
    promised_date: date
    unit_price: Decimal | None
    quantity: int
    discount_percent: Decimal | None
    owner_id: int | None


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file (the header is line 1)
    column: str  # the file's header, or the field's label when no column is mapped
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.message}"


@dataclass(frozen=True)
class Checked:
    row: int
    deal: Deal | None  # None when the row has errors or is skipped
    errors: tuple[RowError, ...] = ()
    skipped: bool = False  # a lost deal


def check(row_number: int, cells: Mapping[str, str], settings: Settings, lookups: Lookups) -> Checked:
    """The deal in one row (``cells``: header → value), or every error it has, each naming its column."""
    errors: list[RowError] = []

    def cell(field: str) -> str:
        header = settings.mapping.get(field, "")
        return cells.get(header, "") if header else ""

    def fail(field: str, message: str) -> None:
        errors.append(RowError(row_number, settings.mapping.get(field) or LABELS[field], message))

    if cell("stage").casefold() in LOST_STAGES:
        return Checked(row_number, None, skipped=True)

    def text(field: str, limit: int) -> str:
        value = cell(field)
        if not value:
            fail(field, "empty; this column is required")
            return ""
        try:
            value = values.clean_text(value)
        except values.BadValue as error:
            fail(field, str(error))
            return ""
        if len(value) > limit:
            fail(field, f"longer than {limit:,} characters")
        return value

    deal_id = text("deal_id", MAX_DEAL_ID)
    promise = text("deal_name", MAX_PROMISE)
    customer_name = text("customer_name", MAX_CUSTOMER)
    customer_id = ""
    if cell("customer_id"):
        # HubSpot lists every associated company ("123;456"): the deal belongs to the first.
        customer_id = re.split(r"[;,]", cell("customer_id"))[0].strip()
        if len(customer_id) > MAX_DEAL_ID or values.UNSTORABLE.search(customer_id):
            fail("customer_id", f"not an id (at most {MAX_DEAL_ID} characters)")
    product_id = _named(cell("product"), lookups.products, "product", "no catalog product has this name", fail)
    region_id = _named(cell("region"), lookups.regions, "region", "no active region has this name", fail)

    promised = None
    if not cell("promised_date"):
        fail("promised_date", "empty; this column is required")
    else:
        promised = parse_date(cell("promised_date"), settings.date_format)
        if promised is None:
            fail("promised_date", f"not a date (expected {DATE_FORMATS[settings.date_format]}, "
                                  "the format chosen for this file)")
        elif problem := (_day_problem(promised) or values.campaign_day_problem(
                promised, lookups.start, lookups.end, before_start=False)):
            fail("promised_date", problem)

    quantity = 1
    if cell("quantity"):
        number = parse_decimal(cell("quantity"), settings.decimal_mark)
        if number is None or number != number.to_integral_value() or not 1 <= number <= MAX_QUANTITY:
            fail("quantity", f"not a whole number from 1 to {MAX_QUANTITY:,}")
        else:
            quantity = int(number)
    unit_price = _money(cell("unit_price"), "unit_price", settings.decimal_mark, fail)
    if unit_price is None and settings.mapping.get("unit_price", "") == "":
        amount = _money(cell("amount"), "amount", settings.decimal_mark, fail)
        if amount is not None:
            unit_price = (amount / quantity).quantize(Decimal("0.01"))
    discount = None
    if cell("discount_percent"):
        discount = parse_decimal(cell("discount_percent").rstrip("%").strip(), settings.decimal_mark)
        if discount is None or not 0 <= discount <= 100:
            fail("discount_percent", "not a percentage from 0 to 100")
            discount = None
        else:
            discount = discount.quantize(Decimal("0.01"))
    owner_id = _named(cell("owner"), lookups.people, "owner", "no Countersign user has this email or name", fail) \
        if cell("owner") else None

    if errors:
        return Checked(row_number, None, tuple(errors))
    assert product_id is not None and region_id is not None and promised is not None
    return Checked(row_number, Deal(deal_id, promise, customer_name, customer_id, product_id, region_id, promised,
                                    unit_price, quantity, discount, owner_id))


def check_all(headers: Sequence[str], rows: Sequence[Sequence[str]], settings: Settings,
              lookups: Lookups) -> list[Checked]:
    """Every row checked, and a deal ID given twice named on its second row (a file holds a deal once)."""
    checked = [check(number, dict(zip(headers, row, strict=True)), settings, lookups)
               for number, row in enumerate(rows, start=2)]
    first: dict[str, int] = {}
    result = []
    for item in checked:
        if item.deal is not None:
            earlier = first.setdefault(item.deal.deal_id, item.row)
            if earlier != item.row:
                item = Checked(item.row, None, (RowError(item.row, settings.mapping["deal_id"],
                                                         f"the same deal ID as row {earlier}"),))
        result.append(item)
    return result


def _named(value: str, names: Mapping[str, int], field: str, unknown: str, fail) -> int | None:  # type: ignore[no-untyped-def]
    if not value:
        fail(field, "empty; this column is required")
        return None
    found = names.get(" ".join(value.casefold().split()))
    if found is None:
        fail(field, f"“{value[:80]}”: {unknown}")
    return found


def _money(value: str, field: str, mark: str, fail) -> Decimal | None:  # type: ignore[no-untyped-def]
    if not value:
        return None
    number = parse_decimal(value, mark)
    if number is None or not 0 <= number <= MAX_MONEY:
        fail(field, f"not an amount (at most {MAX_MONEY:,}, never negative)")
        return None
    return number.quantize(Decimal("0.01"))


_CURRENCY = re.compile(r"^[A-Z]{3}\s*|\s*[A-Z]{3}$|[$€£¥\s\u00a0\u202f']")


def parse_decimal(value: str, mark: str) -> Decimal | None:
    """A number as a CRM writes it ("USD 1,234.50", "1.234,50 €" with ``mark`` ","), or None."""
    text = _CURRENCY.sub("", value.strip())
    thousands = "," if mark == "." else "."
    text = text.replace(thousands, "").replace(mark, ".")
    if not re.fullmatch(r"-?\d{1,15}(\.\d{1,6})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


def parse_date(value: str, date_format: str) -> date | None:
    """A date in ``date_format`` (a time after it, as HubSpot writes one, is ignored), or None."""
    text = value.strip().split("T")[0].split(" ")[0]
    try:
        if date_format == "iso":
            return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        parts = _SLASHED.fullmatch(text)
        if parts is None:
            return None
        first, second, year = (int(p) for p in parts.groups())
        return date(year, first, second) if date_format == "mdy" else date(year, second, first)
    except ValueError:
        return None


def _day_problem(day: date) -> str | None:
    try:
        values.check_day(day)
    except values.BadValue as error:
        return str(error)
    return None
