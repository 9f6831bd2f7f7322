"""Can the company keep this promise? The checks a product manager sees before countersigning.

A pure function of the commitment's terms and the catalog's facts. A *blocker* means the
promise cannot be kept as written (the signer may still override it, in writing); a
*warning* is something the signer should weigh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

BLOCKER = "blocker"
WARNING = "warning"


@dataclass(frozen=True)
class Terms:
    """A commitment's terms, with the catalog and roadmap facts they are checked against."""

    product: str
    product_status: str  # planned, beta, available, retired
    product_available_from: date | None
    region: str
    coverage: str | None  # sellable, not_allowed, planned; None when nothing is recorded
    coverage_reason: str
    coverage_from: date | None
    promised_date: date
    effective_price: Decimal | None
    band: str | None
    band_minimum: Decimal | None
    currency: str
    milestone: str | None
    milestone_due: date | None
    #: Countersigned already (binding, or kept): its date passing is then delivery falling due, not a
    #: promise that cannot be made, so it neither puts the commitment at risk nor blocks anything.
    countersigned: bool = False


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str

    @property
    def is_blocker(self) -> bool:
        return self.severity == BLOCKER


def check(terms: Terms, today: date) -> list[Finding]:
    """Every finding, blockers first, in a stable order."""
    findings = [*_date(terms, today), *_region(terms), *_availability(terms), *_milestone(terms, today),
                *_price(terms)]
    return sorted(findings, key=lambda f: f.severity != BLOCKER)


def _fmt(day: date) -> str:
    return day.strftime("%d %b %Y")


def _date(terms: Terms, today: date) -> list[Finding]:
    # A promise for a day already gone cannot be kept as written; today itself still can.
    if terms.promised_date < today and not terms.countersigned:
        return [Finding("date_past", BLOCKER,
                        f"The promised date {_fmt(terms.promised_date)} is in the past (today is {_fmt(today)}).")]
    return []


def _region(terms: Terms) -> list[Finding]:
    where = f"{terms.product} in {terms.region}"
    if terms.coverage is None:
        return [Finding("region_unknown", BLOCKER, f"Nothing says {where} may be sold: no market coverage is recorded.")]
    if terms.coverage == "not_allowed":
        why = f": {terms.coverage_reason}" if terms.coverage_reason else ""
        return [Finding("region_not_allowed", BLOCKER, f"{where} may not be sold{why}.")]
    if terms.coverage == "planned":
        if terms.coverage_from is None:
            return [Finding("region_planned", BLOCKER, f"{where} is only planned, with no date yet.")]
        if terms.coverage_from > terms.promised_date:
            return [Finding("region_planned", BLOCKER,
                            f"{where} is planned from {_fmt(terms.coverage_from)}, after the promised "
                            f"{_fmt(terms.promised_date)}.")]
    return []


def _availability(terms: Terms) -> list[Finding]:
    if terms.product_status == "retired":
        return [Finding("product_retired", BLOCKER, f"{terms.product} is retired.")]
    if terms.product_status in {"planned", "beta"}:
        ready = terms.product_available_from
        if ready is None or ready > terms.promised_date:
            when = f"from {_fmt(ready)}" if ready else "with no date yet"
            severity = BLOCKER if terms.product_status == "planned" else WARNING
            stage = "only planned" if terms.product_status == "planned" else "in beta"
            return [Finding(f"product_{terms.product_status}", severity,
                            f"{terms.product} is {stage}: generally available {when}, "
                            f"the promise is for {_fmt(terms.promised_date)}.")]
    return []


def _milestone(terms: Terms, today: date) -> list[Finding]:
    if terms.milestone is not None and terms.milestone_due is not None:
        if terms.promised_date < terms.milestone_due:
            return [Finding("before_milestone", BLOCKER,
                            f"Promised for {_fmt(terms.promised_date)}, before “{terms.milestone}” delivers it "
                            f"on {_fmt(terms.milestone_due)}.")]
        return []
    not_yet = terms.product_status in {"planned", "beta"} or (
        terms.product_available_from is not None and terms.product_available_from > today
    )
    if not_yet:
        return [Finding("no_milestone", WARNING,
                        f"{terms.product} is not available yet and no roadmap milestone that delivers it is linked.")]
    return []


def _price(terms: Terms) -> list[Finding]:
    if terms.effective_price is None or terms.band_minimum is None:
        return []
    if terms.effective_price < terms.band_minimum:
        return [Finding("below_band", WARNING,
                        f"The price {terms.effective_price:,.2f} {terms.currency} is below the "
                        f"{terms.band or 'price band'} minimum of {terms.band_minimum:,.2f} {terms.currency}.")]
    return []
