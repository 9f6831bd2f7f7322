"""Which column of a file holds which field of a deal: the target fields, and the headers Salesforce,
HubSpot and the generic format use for them, recognised without asking. Pure; no Flask.

The generic format's headers are the field names themselves (README, "Importing CRM deals").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    hint: str = ""


#: The fields a deal may fill, in the order the mapping form shows them.
FIELDS: tuple[Field, ...] = (
    Field("deal_id", "Deal ID in the CRM", True, "re-importing finds the deal by it"),
    Field("deal_name", "Deal name (what was promised)", True),
    Field("customer_name", "Customer name", True),
    Field("customer_id", "Customer ID in the CRM", False, "without it, customers are matched by name"),
    Field("product", "Product", True, "a catalog product's name"),
    Field("region", "Region", True, "a region's name"),
    Field("promised_date", "Promised date (close date)", True),
    Field("amount", "Amount (the deal's total)", False, "divided by the quantity when no unit price is mapped"),
    Field("unit_price", "Unit price", False),
    Field("quantity", "Quantity", False, "1 when not mapped"),
    Field("discount_percent", "Discount (%)", False),
    Field("owner", "Owner (email or name)", False, "a Countersign user; the importer when not mapped"),
    Field("stage", "Stage", False, "rows of lost deals are skipped"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
REQUIRED = tuple(f.name for f in FIELDS if f.required)
LABELS = {f.name: f.label for f in FIELDS}

#: The CRMs whose exports are recognised, by the headers each writes for a field (any one of them).
SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "deal_id": ("Opportunity ID", "Opportunity ID (18)"),
        "deal_name": ("Opportunity Name",),
        "customer_name": ("Account Name",),
        "customer_id": ("Account ID", "Account ID (18)"),
        "product": ("Product Name", "Product"),
        "region": ("Region", "Sales Region", "Territory"),
        "promised_date": ("Close Date",),
        "amount": ("Amount", "Total Price"),
        "unit_price": ("Sales Price", "Unit Price"),
        "quantity": ("Quantity",),
        "discount_percent": ("Discount",),
        "owner": ("Opportunity Owner", "Opportunity Owner Email", "Owner Email"),
        "stage": ("Stage",),
    },
    "hubspot": {
        "deal_id": ("Record ID", "Deal ID"),
        "deal_name": ("Deal Name",),
        "customer_name": ("Associated Company", "Associated Company Name", "Company name"),
        "customer_id": ("Associated Company IDs", "Associated Company ID"),
        "product": ("Product", "Product Name", "Line Item Name"),
        "region": ("Region", "Sales Region", "Territory"),
        "promised_date": ("Close Date",),
        "amount": ("Amount",),
        "unit_price": ("Unit price", "Unit Price"),
        "quantity": ("Quantity",),
        "discount_percent": ("Discount", "Discount (%)"),
        "owner": ("Deal owner", "Deal Owner", "Owner email"),
        "stage": ("Deal Stage",),
    },
    "generic": {name: (name,) for name in FIELD_NAMES},
}
SOURCE_LABELS = {"salesforce": "Salesforce opportunities", "hubspot": "HubSpot deals", "generic": "Generic CSV",
                 "other": "Another CSV"}
#: A header only one CRM writes: it tells the source apart (a file with none is "other").
_SIGNATURES = {"salesforce": "Opportunity ID", "hubspot": "Record ID", "generic": "deal_id"}

DATE_FORMATS = {"iso": "YYYY-MM-DD", "mdy": "MM/DD/YYYY", "dmy": "DD/MM/YYYY or DD.MM.YYYY"}
DECIMAL_MARKS = {".": "1,234.56 (point)", ",": "1.234,56 (comma)"}


def _key(header: str) -> str:
    return " ".join(header.casefold().split())


def detect_source(headers: Iterable[str]) -> str:
    keys = {_key(h) for h in headers}
    return next((source for source, signature in _SIGNATURES.items() if _key(signature) in keys), "other")


def recognise(headers: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The CRM a file came from and the header mapped to each field ("" where none is recognised).

    The source's own names come first; a file of another source still gets every header any CRM
    uses for a field, so a hand-made report with "Close Date" is half mapped already.
    """
    by_key = {_key(h): h for h in headers}
    source = detect_source(headers)
    order = [source] + [s for s in SOURCES if s != source] if source in SOURCES else list(SOURCES)
    chosen: dict[str, str] = {}
    for name in FIELD_NAMES:
        candidates = (c for s in order for c in SOURCES[s][name])
        chosen[name] = next((by_key[_key(c)] for c in candidates if _key(c) in by_key), "")
    return source, chosen


def missing(mapping: Mapping[str, str]) -> list[str]:
    """The required fields the mapping leaves without a column."""
    return [name for name in REQUIRED if not mapping.get(name)]


_ISO = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_PARTS = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})")


def guess_date_format(samples: Iterable[str], source: str) -> str:
    """The date format of a column from its values: ISO if they are; else day first if any first part is
    above 12, month first if any second one is; else what the CRM writes by default (US: month first)."""
    day_first = month_first = False
    seen_other = False
    for sample in samples:
        value = sample.strip().split(" ")[0].split("T")[0]
        if not value:
            continue
        if _ISO.fullmatch(value):
            continue
        seen_other = True
        parts = _PARTS.fullmatch(value)
        if parts:
            day_first |= int(parts.group(1)) > 12
            month_first |= int(parts.group(2)) > 12
    if not seen_other:
        return "iso"
    if day_first and not month_first:
        return "dmy"
    if month_first and not day_first:
        return "mdy"
    return "dmy" if source == "other" else "mdy"


def guess_decimal_mark(delimiter: str) -> str:
    """A semicolon-separated file comes from a locale whose decimal mark is the comma."""
    return "," if delimiter == ";" else "."
